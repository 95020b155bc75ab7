"""Immutable, typed views of an app definition.

The JSON documents are validated first (builder.model); these classes are what every engine
reads afterwards. They hold no runtime state and are shared between requests and threads.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

Label = Mapping[str, str]
"""A localised text: ``{"zh-CN": "客户", "en": "Customer"}``."""

LOCALES = ("zh-CN", "en")
DEFAULT_LOCALE = "zh-CN"

SYSTEM_COLUMNS = (
    "id",
    "created_at",
    "updated_at",
    "created_by",
    "updated_by",
    "owner_id",
    "row_version",
    "deleted_at",
)
"""Columns every generated table has."""

PARENT_COLUMN = "parent_id"
"""FK column of a child-table row pointing at its parent record."""
ROW_ORDER_COLUMN = "row_order"
"""Position of a child-table row inside its parent."""

RESERVED_KEYS = frozenset((*SYSTEM_COLUMNS, PARENT_COLUMN, ROW_ORDER_COLUMN))
"""Field keys may not reuse these names."""


def localize(label: Label | str | None, locale: str = DEFAULT_LOCALE) -> str:
    """Pick the text for ``locale``, falling back to zh-CN, then en, then any."""
    if label is None:
        return ""
    if isinstance(label, str):
        return label
    for candidate in (locale, DEFAULT_LOCALE, "en"):
        if candidate in label:
            return label[candidate]
    return next(iter(label.values()), "")


@dataclass(frozen=True)
class FieldSpec:
    """One field of a table. ``config`` holds the type-specific settings."""

    key: str
    type: str
    label: Label
    required: bool = False
    unique: bool = False
    default: Any = None
    default_formula: str | None = None
    help: Label | None = None
    placeholder: Label | None = None
    readonly: bool = False
    hidden: bool = False
    index: bool = False
    visible_when: Mapping[str, Any] | None = None
    required_when: Mapping[str, Any] | None = None
    readonly_when: Mapping[str, Any] | None = None
    renamed_from: str | None = None
    config: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> FieldSpec:
        return cls(
            key=doc["key"],
            type=doc["type"],
            label=doc.get("label") or {"en": doc["key"]},
            required=doc.get("required", False),
            unique=doc.get("unique", False),
            default=doc.get("default"),
            default_formula=doc.get("default_formula"),
            help=doc.get("help"),
            placeholder=doc.get("placeholder"),
            readonly=doc.get("readonly", False),
            hidden=doc.get("hidden", False),
            index=doc.get("index", False),
            visible_when=doc.get("visible_when"),
            required_when=doc.get("required_when"),
            readonly_when=doc.get("readonly_when"),
            renamed_from=doc.get("renamed_from"),
            config=dict(doc.get("config") or {}),
        )

    def title(self, locale: str = DEFAULT_LOCALE) -> str:
        return localize(self.label, locale)


@dataclass(frozen=True)
class IndexSpec:
    fields: tuple[str, ...]
    unique: bool = False
    name: str | None = None

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> IndexSpec:
        return cls(tuple(doc["fields"]), doc.get("unique", False), doc.get("name"))


@dataclass(frozen=True)
class RuleSpec:
    """A table-level validation rule: ``condition`` must hold, else ``message`` is shown."""

    key: str
    condition: Mapping[str, Any]
    message: Label
    fields: tuple[str, ...] = ()
    when: Mapping[str, Any] | None = None

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> RuleSpec:
        return cls(
            key=doc["key"],
            condition=doc["condition"],
            message=doc["message"],
            fields=tuple(doc.get("fields", ())),
            when=doc.get("when"),
        )


DUPLICATE_MATCHES = ("exact", "normalized", "fuzzy", "company_name", "phone", "email_domain")
"""How one field of a duplicate rule compares two records (docs/duplicates.md)."""
DUPLICATE_ACTIONS = ("block", "warn", "report")
"""What a duplicate rule does on save: refuse it, warn but save, or only show in scans."""
FUZZY_MATCHES = frozenset({"fuzzy", "company_name"})
"""Matches scored 0–100 against ``threshold``; the others are equal or not."""
DEFAULT_THRESHOLD = 90


@dataclass(frozen=True)
class DuplicateFieldSpec:
    """One field of a duplicate rule and how its values are compared."""

    field: str
    match: str = "exact"
    threshold: int = DEFAULT_THRESHOLD
    """Minimum similarity (0–100) for ``fuzzy`` and ``company_name``; ignored otherwise."""

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> DuplicateFieldSpec:
        return cls(
            field=doc["field"],
            match=doc.get("match", "exact"),
            threshold=int(doc.get("threshold", DEFAULT_THRESHOLD)),
        )


@dataclass(frozen=True)
class DuplicateRuleSpec:
    """Two records are duplicates under this rule when *every* field matches."""

    key: str
    label: Label
    fields: tuple[DuplicateFieldSpec, ...]
    action: str = "warn"

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> DuplicateRuleSpec:
        return cls(
            key=doc["key"],
            label=doc.get("label") or {"en": doc["key"]},
            fields=tuple(DuplicateFieldSpec.from_dict(f) for f in doc.get("fields", ())),
            action=doc.get("action", "warn"),
        )

    def title(self, locale: str = DEFAULT_LOCALE) -> str:
        return localize(self.label, locale)


@dataclass(frozen=True)
class TableSpec:
    """One table: its fields, constraints, rules and form layout."""

    key: str
    label: Label
    fields: tuple[FieldSpec, ...]
    title_field: str | None = None
    parent: str | None = None
    """Set on child tables (sub-form rows): the key of the owning table."""
    indexes: tuple[IndexSpec, ...] = ()
    unique: tuple[tuple[str, ...], ...] = ()
    rules: tuple[RuleSpec, ...] = ()
    search_fields: tuple[str, ...] = ()
    default_sort: tuple[tuple[str, str], ...] = ()
    form: Mapping[str, Any] | None = None
    description: Label | None = None
    renamed_from: str | None = None
    """The table's previous key, to rename the SQL table without losing data."""
    duplicate_rules: tuple[DuplicateRuleSpec, ...] = ()
    """How possible duplicate records are recognised (docs/duplicates.md)."""

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> TableSpec:
        return cls(
            key=doc["key"],
            label=doc["label"],
            fields=tuple(FieldSpec.from_dict(f) for f in doc.get("fields", ())),
            title_field=doc.get("title_field"),
            parent=doc.get("parent"),
            indexes=tuple(IndexSpec.from_dict(i) for i in doc.get("indexes", ())),
            unique=tuple(tuple(u) for u in doc.get("unique", ())),
            rules=tuple(RuleSpec.from_dict(r) for r in doc.get("rules", ())),
            search_fields=tuple(doc.get("search_fields", ())),
            default_sort=tuple(
                (s["field"], s.get("direction", "asc")) for s in doc.get("default_sort", ())
            ),
            form=doc.get("form"),
            description=doc.get("description"),
            renamed_from=doc.get("renamed_from"),
            duplicate_rules=tuple(
                DuplicateRuleSpec.from_dict(r) for r in doc.get("duplicate_rules", ())
            ),
        )

    def field(self, key: str) -> FieldSpec:
        for f in self.fields:
            if f.key == key:
                return f
        raise KeyError(f"table {self.key!r} has no field {key!r}")

    def has_field(self, key: str) -> bool:
        return any(f.key == key for f in self.fields)

    def title(self, locale: str = DEFAULT_LOCALE) -> str:
        return localize(self.label, locale)


ROW_SCOPES = ("own", "department", "department_tree", "all")
FIELD_ACCESS = ("hidden", "masked", "read", "edit")
TABLE_ACTIONS = ("read", "create", "update", "delete", "import", "export", "share")


@dataclass(frozen=True)
class TablePermission:
    """What one role may do with one table.

    ``row_scope`` is one of ROW_SCOPES or a condition tree (``{"all": [...]}``).
    ``fields`` maps field keys to FIELD_ACCESS; unlisted fields are ``edit`` when the role
    may update the table and ``read`` otherwise.
    """

    actions: frozenset[str]
    row_scope: str | Mapping[str, Any] = "all"
    fields: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> TablePermission:
        return cls(
            actions=frozenset(doc.get("actions", ())),
            row_scope=doc.get("row_scope", "all"),
            fields=dict(doc.get("fields") or {}),
        )


@dataclass(frozen=True)
class RoleSpec:
    key: str
    label: Label
    permissions: Mapping[str, TablePermission]
    """Table key (or ``"*"`` for every table not listed) → permission."""
    description: Label | None = None

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> RoleSpec:
        return cls(
            key=doc["key"],
            label=doc["label"],
            permissions={
                table: TablePermission.from_dict(p)
                for table, p in (doc.get("permissions") or {}).items()
            },
            description=doc.get("description"),
        )

    def for_table(self, table: str) -> TablePermission | None:
        return self.permissions.get(table) or self.permissions.get("*")


@dataclass(frozen=True)
class AppSpec:
    key: str
    name: Label
    version: str
    tables: tuple[TableSpec, ...]
    roles: tuple[RoleSpec, ...] = ()
    settings: Mapping[str, Any] = field(default_factory=dict)
    navigation: tuple[Mapping[str, Any], ...] = ()
    description: Label | None = None

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> AppSpec:
        return cls(
            key=doc["key"],
            name=doc["name"],
            version=str(doc.get("version", "1")),
            tables=tuple(TableSpec.from_dict(t) for t in doc.get("tables", ())),
            roles=tuple(RoleSpec.from_dict(r) for r in doc.get("roles", ())),
            settings=dict(doc.get("settings") or {}),
            navigation=tuple(doc.get("navigation", ())),
            description=doc.get("description"),
        )

    def table(self, key: str) -> TableSpec:
        for t in self.tables:
            if t.key == key:
                return t
        raise KeyError(f"app {self.key!r} has no table {key!r}")

    def has_table(self, key: str) -> bool:
        return any(t.key == key for t in self.tables)

    def role(self, key: str) -> RoleSpec:
        for r in self.roles:
            if r.key == key:
                return r
        raise KeyError(f"app {self.key!r} has no role {key!r}")

    def children_of(self, table_key: str) -> Iterator[TableSpec]:
        return (t for t in self.tables if t.parent == table_key)
