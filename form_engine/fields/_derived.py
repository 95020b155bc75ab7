"""Shared behaviour of lookup, rollup and formula: computed values materialised on write.

Such a field stores its value in a column of its *result type* (so it can be filtered,
sorted and aggregated in SQL) and delegates storage, parsing, validation and output to
that type. The value itself is computed elsewhere (form_engine.formula and the record
service); these types only describe and check the configuration.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any

import sqlalchemy as sa

from form_engine.fields._config_messages import ConfigProblem
from form_engine.fields.base import FieldType
from form_engine.kinds import Kind
from form_engine.messages import FieldError
from schemas.spec import DEFAULT_LOCALE, FieldSpec

NOT_A_RESULT_TYPE = frozenset(
    {
        "child_table",
        "lookup",
        "rollup",
        "formula",
        "created_at",
        "updated_at",
        "created_by",
        "updated_by",
    }
)
"""Types without a column of their own; the builder maps e.g. created_at to datetime."""

RESULT_TYPE_SCHEMA: dict[str, Any] = {
    "type": "string",
    "description": "Field type of the value, which decides its column. The builder fills it "
    "from the referenced field when the definition does not say.",
}
RESULT_CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Config of the result type (e.g. precision, options), filled by the "
    "builder from the referenced field.",
}


class DerivedFieldType(FieldType):
    """A computed field whose behaviour is that of a result field type."""

    computed = True

    def __init__(self) -> None:
        super().__init__()
        self._resolved: dict[int, tuple[FieldSpec, tuple[FieldType, FieldSpec]]] = {}

    def result_type_name(self, field: FieldSpec) -> str | None:
        value = field.config.get("result_type")
        return None if value is None else str(value)

    def result_config(self, field: FieldSpec) -> Mapping[str, Any]:
        return dict(field.config.get("result_config") or {})

    def result_field(self, field: FieldSpec) -> FieldSpec | None:
        """This field as a plain field of its result type, or None while unresolved."""
        name = self.result_type_name(field)
        if name is None:
            return None
        return replace(field, type=name, config=self.result_config(field))

    def _result(self, field: FieldSpec) -> tuple[FieldType, FieldSpec] | None:
        # Every read of a computed value goes through here (list pages convert thousands
        # of them), so the resolved result type is remembered per FieldSpec. Specs are
        # immutable and long-lived; the identity check guards against id() reuse.
        cached = self._resolved.get(id(field))
        if cached is not None and cached[0] is field:
            return cached[1]
        spec = self.result_field(field)
        if spec is None:
            return None
        registry = self.registry
        if registry is None:
            from form_engine.fields import default_registry

            registry = default_registry()
        result = (registry.get(spec.type), spec)
        if len(self._resolved) > 10_000:  # bound the memo across many published versions
            self._resolved.clear()
        self._resolved[id(field)] = (field, result)
        return result

    def _require(self, field: FieldSpec) -> tuple[FieldType, FieldSpec]:
        result = self._result(field)
        if result is None:
            raise ValueError(
                f"{self.name} field {field.key!r} has no result_type; the builder must "
                "resolve it from the referenced field before columns can be made"
            )
        return result

    def kind_of(self, field: FieldSpec) -> Kind:
        result = self._result(field)
        return self.kind if result is None else result[0].kind_of(result[1])

    def column_type(self, field: FieldSpec) -> sa.types.TypeEngine[Any]:
        result_type, spec = self._require(field)
        return result_type.column_type(spec)

    def columns(self, field: FieldSpec) -> list[sa.Column[Any]]:
        result_type, spec = self._require(field)
        return result_type.columns(spec)

    def to_db(self, value: Any, field: FieldSpec) -> dict[str, Any]:
        result_type, spec = self._require(field)
        return result_type.to_db(value, spec)

    def from_db(self, row: Mapping[str, Any], field: FieldSpec) -> Any:
        result_type, spec = self._require(field)
        return result_type.from_db(row, spec)

    def sql_expression(self, table: sa.Table, field: FieldSpec) -> sa.ColumnElement[Any]:
        result_type, spec = self._require(field)
        return result_type.sql_expression(table, spec)

    def parse(self, raw: Any, field: FieldSpec) -> Any:
        result = self._result(field)
        return super().parse(raw, field) if result is None else result[0].parse(raw, result[1])

    def validate(self, value: Any, field: FieldSpec) -> Iterator[FieldError]:
        result = self._result(field)
        return iter(()) if result is None else result[0].validate(value, result[1])

    def to_json(self, value: Any, field: FieldSpec) -> Any:
        result = self._result(field)
        return value if result is None else result[0].to_json(value, result[1])

    def export(self, value: Any, field: FieldSpec, *, locale: str = DEFAULT_LOCALE) -> Any:
        result = self._result(field)
        if result is None:
            return value
        return result[0].export(value, result[1], locale=locale)

    def check_result_type(self, field: FieldSpec) -> Iterator[str]:
        """The result type exists, has a column, and its config passes its own checks."""
        name = self.result_type_name(field)
        if name is None:
            return
        registry = self.registry
        if name in NOT_A_RESULT_TYPE or (registry is not None and name not in registry):
            yield ConfigProblem("bad_result_type", name=name)
            return
        result = self._result(field)
        if result is not None:
            if not result[0].stored:
                yield ConfigProblem("result_type_no_column", name=name)
            yield from result[0].check_config(result[1])
