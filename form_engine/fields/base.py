"""The field-type contract and its registry.

Each field type is one small class in its own module under ``form_engine.fields``. The
registry is the single place the rest of Kairos learns what types exist: meta-schema
validation, SQL columns, parsing of form/API/Excel input, validation, JSON output, filter
operators and export all ask the registered class.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, ClassVar

import sqlalchemy as sa

from form_engine.kinds import OPERATORS, Kind
from form_engine.messages import FieldError
from schemas.spec import DEFAULT_LOCALE, FieldSpec


class FieldType:
    """Base class of every field type. Subclasses set the class attributes and override
    what differs; the defaults fit a type stored in one column named after the field.
    """

    name: ClassVar[str]
    """The ``type`` string used in definitions, e.g. ``"money"``."""
    label: ClassVar[Mapping[str, str]] = {}
    kind: ClassVar[Kind]
    computed: ClassVar[bool] = False
    """True when the system fills the value (formula, auto-number, created_at …): input
    for it is rejected by the record service."""
    stored: ClassVar[bool] = True
    """False when the type has no column in its own table (child tables)."""
    sortable: ClassVar[bool] = True
    config_schema: ClassVar[dict[str, Any]] = {"type": "object", "additionalProperties": False}
    """JSON Schema (Draft 2020-12) of ``field.config``; the definition meta-schema embeds it."""

    registry: FieldTypeRegistry | None = None
    """The registry this instance belongs to (set on registration), so derived types such
    as formula or lookup can delegate to the type of their result."""

    # --- storage -----------------------------------------------------------------------
    def column_type(self, field: FieldSpec) -> sa.types.TypeEngine[Any]:
        raise NotImplementedError(f"{type(self).__name__} must define column_type")

    def columns(self, field: FieldSpec) -> list[sa.Column[Any]]:
        """SQL columns that hold this field. Most types use one column named ``field.key``."""
        return [sa.Column(field.key, self.column_type(field), nullable=True)]

    def to_db(self, value: Any, field: FieldSpec) -> dict[str, Any]:
        """Column values for a parsed ``value``."""
        return {field.key: value}

    def from_db(self, row: Mapping[str, Any], field: FieldSpec) -> Any:
        """The field's value from a database row (a mapping of column name → value)."""
        return row.get(field.key)

    def sql_expression(self, table: sa.Table, field: FieldSpec) -> sa.ColumnElement[Any]:
        """The SQL expression conditions, sorts and aggregates use for this field."""
        return table.c[field.key]

    # --- input -------------------------------------------------------------------------
    def parse(self, raw: Any, field: FieldSpec) -> Any:
        """Turn input from a form, the API or a spreadsheet cell into a value of the type.

        ``None`` and blank strings mean "no value" and return ``None``. Raises
        ``form_engine.messages.ParseError`` when the input cannot be understood.
        """
        if is_blank(raw):
            return None
        return raw

    def validate(self, value: Any, field: FieldSpec) -> Iterator[FieldError]:
        """Yield every problem with a parsed, non-empty ``value`` under ``field.config``."""
        return iter(())

    def is_empty(self, value: Any) -> bool:
        return value is None or value == "" or value == [] or value == {}

    # --- output ------------------------------------------------------------------------
    def to_json(self, value: Any, field: FieldSpec) -> Any:
        """The JSON representation used by the API and by audit records."""
        return value

    def export(self, value: Any, field: FieldSpec, *, locale: str = DEFAULT_LOCALE) -> Any:
        """The cell written to CSV/XLSX: a str, int, float or None. ``locale`` picks the
        language of option labels and yes/no words; ``parse`` accepts the result back."""
        return self.to_json(value, field)

    # --- filtering ---------------------------------------------------------------------
    @property
    def operators(self) -> frozenset[str]:
        return OPERATORS[self.kind]

    def kind_of(self, field: FieldSpec) -> Kind:
        """The kind of this field's values. Equals ``kind`` except for types whose result
        type is configured per field (formula, lookup, rollup)."""
        return self.kind

    def operators_for(self, field: FieldSpec) -> frozenset[str]:
        """Filter operators for this particular field (see ``kind_of``)."""
        return OPERATORS[self.kind_of(field)]

    # --- definition checks -------------------------------------------------------------
    def check_config(self, field: FieldSpec) -> Iterator[str]:
        """Yield semantic problems of ``field.config`` that the JSON schema cannot see
        (e.g. min greater than max), for analysts' validators.

        Yield ``form_engine.fields._config_messages.ConfigProblem``: a ``str`` holding the
        English text that also renders in zh-CN (``.messages``). A plain ``str`` still works
        but is shown in English in every locale."""
        return iter(())


def is_blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and raw.strip() == "")


def field_error(field: FieldSpec, code: str, **params: Any) -> FieldError:
    """A ``FieldError`` for ``field`` with its label filled in (localised when rendered)."""
    return FieldError(field.key, code, {"label": field.label, **params})


class DuplicateFieldType(RuntimeError):
    pass


class FieldTypeRegistry:
    """Name → field type instance. Closed after start-up: registering twice fails."""

    def __init__(self) -> None:
        self._types: dict[str, FieldType] = {}
        self._closed = False

    def register(self, field_type: type[FieldType]) -> type[FieldType]:
        if self._closed:
            raise RuntimeError(
                f"the field-type registry is closed; register {field_type.__name__} at start-up"
            )
        name = field_type.name
        if name in self._types:
            raise DuplicateFieldType(
                f"field type {name!r} is registered twice "
                f"({type(self._types[name]).__module__} and {field_type.__module__})"
            )
        instance = field_type()
        instance.registry = self
        self._types[name] = instance
        return field_type

    def close(self) -> None:
        """Refuse further registrations (called once start-up has loaded every plugin)."""
        self._closed = True

    @property
    def closed(self) -> bool:
        return self._closed

    def get(self, name: str) -> FieldType:
        try:
            return self._types[name]
        except KeyError:
            raise KeyError(f"unknown field type {name!r}") from None

    def __contains__(self, name: object) -> bool:
        return name in self._types

    def __iter__(self) -> Iterator[FieldType]:
        return iter(self._types.values())

    def names(self) -> list[str]:
        return sorted(self._types)

    def for_field(self, field: FieldSpec) -> FieldType:
        return self.get(field.type)

    def register_all(self, types: Iterable[type[FieldType]]) -> None:
        for t in types:
            self.register(t)
