"""Columns of a list and the display form of their values.

Values are shown the way people read them, not as stored: option labels as coloured
badges, ``¥1,234.50``, local date-times, ✓, and references as the referenced record's title
or the user's name. References are resolved per page with one query per relation field
(through the record service, so the reader's permissions apply to the titles too).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from form_engine.fields.base import FieldType
from runtime import org
from runtime.records import PermissionDenied, RecordService
from runtime.records.actor import Actor
from runtime.web.i18n import lazy_gettext as _l
from schemas.spec import FieldSpec, localize

NUMERIC_TYPES = frozenset({"money", "number", "percent"})
REFERENCE_TYPES = frozenset({"relation", "user", "department"})
CURRENCY_SYMBOLS = {"CNY": "¥", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "HKD": "HK$"}
SYSTEM_LABELS = {
    "owner_id": _l("Owner"),
    "created_by": _l("Created by"),
    "created_at": _l("Created at"),
    "updated_by": _l("Updated by"),
    "updated_at": _l("Updated at"),
}
SYSTEM_TYPES = {
    "owner_id": "user",
    "created_by": "user",
    "updated_by": "user",
    "created_at": "datetime",
    "updated_at": "datetime",
}
TABLER_COLOURS = frozenset(
    [
        "blue",
        "azure",
        "indigo",
        "purple",
        "pink",
        "red",
        "orange",
        "yellow",
        "lime",
        "green",
        "teal",
        "cyan",
        "gray",
    ]
)


@dataclass(frozen=True)
class Column:
    """One column the reader may see: a field (or system column) and how to show it."""

    key: str
    label: str
    spec: FieldSpec
    """The field as shown: for formula, lookup and rollup fields, their result field."""
    type: FieldType
    access: str
    system: bool = False
    sortable: bool = True

    @property
    def numeric(self) -> bool:
        return self.spec.type in NUMERIC_TYPES and self.access != "masked"

    @property
    def masked(self) -> bool:
        return self.access == "masked"


@dataclass(frozen=True)
class Cell:
    text: str = ""
    badges: tuple[tuple[str, str], ...] = ()
    """(label, colour) per option: a Tabler colour name or a CSS colour."""
    check: bool | None = None
    muted: bool = False


def shown_spec(field: FieldSpec, field_type: FieldType) -> FieldSpec:
    """Derived fields (formula, lookup, rollup) are shown as their result type."""
    result_field = getattr(field_type, "result_field", None)
    if result_field is not None:
        resolved = result_field(field)
        if resolved is not None:
            return resolved  # type: ignore[no-any-return]
    return field


def available_columns(
    svc: RecordService, actor: Actor, table: str, locale: str
) -> dict[str, Column]:
    """Every column the reader may show, in definition order, then the system columns.
    Fields hidden by the definition or by the reader's role are left out."""
    plan = svc.plan(table)
    access = svc.access(actor, plan)
    registry = svc.tables.registry
    columns: dict[str, Column] = {}
    for key, field_plan in plan.fields.items():
        spec = field_plan.spec
        level = access.access(key)
        if level == "hidden" or spec.hidden or field_plan.is_child_table:
            continue
        shown = shown_spec(spec, field_plan.type)
        shown_type = field_plan.type
        if shown is not spec:
            shown_type = registry.get(shown.type)
        columns[key] = Column(
            key=key,
            label=localize(spec.label, locale),
            spec=shown,
            type=shown_type,
            access=level,
            sortable=field_plan.type.sortable and level != "masked",
        )
    for key, label in SYSTEM_LABELS.items():
        type_name = SYSTEM_TYPES[key]
        spec = FieldSpec(key=key, type=type_name, label=str(label))
        columns[key] = Column(
            key=key,
            label=str(label),
            spec=spec,
            type=registry.get(type_name),
            access="read",
            system=True,
        )
    return columns


class References:
    """Titles of the records, users and departments a page refers to, loaded in bulk."""

    def __init__(self, svc: RecordService, actor: Actor, locale: str) -> None:
        self.svc = svc
        self.actor = actor
        self.locale = locale
        self.titles: dict[tuple[str, int], str] = {}

    def load(self, columns: Iterable[Column], rows: list[Mapping[str, Any]]) -> None:
        user_ids: set[int] = set()
        department_ids: set[int] = set()
        for column in columns:
            if column.masked or column.spec.type not in REFERENCE_TYPES:
                continue
            ids = {int(r[column.key]) for r in rows if isinstance(r.get(column.key), int)}
            if column.spec.type == "user":
                user_ids |= ids
            elif column.spec.type == "department":
                department_ids |= ids
            elif ids:
                self.load_records(column.spec.config.get("target", ""), ids)
        with self.svc.engine.connect() as conn:
            for user_id, name in org.display_names(conn, user_ids).items():
                self.titles[("user", user_id)] = name
            if department_ids:
                query = sa.select(org.DEPARTMENT.c.id, org.DEPARTMENT.c.name).where(
                    org.DEPARTMENT.c.id.in_(sorted(department_ids))
                )
                for dep_id, name in conn.execute(query):
                    self.titles[("department", int(dep_id))] = name

    def load_records(self, target: str, ids: set[int]) -> None:
        """Titles of ``target`` records by id (those the reader may see; one query)."""
        app = self.svc.tables.app
        if not app.has_table(target):
            return
        title_key = app.table(target).title_field
        if not title_key:
            return
        title_field = app.table(target).field(title_key)
        title_type = self.svc.plan(target).fields[title_key].type
        wanted = [i for i in sorted(ids) if (target, i) not in self.titles]
        if not wanted:
            return
        try:
            page = self.svc.query(
                self.actor,
                target,
                where={"field": "id", "op": "in", "value": wanted},
                fields=[title_key],
                limit=len(wanted),
                as_json=False,
            )
        except PermissionDenied:
            return
        for row in page.rows:
            value = row.get(title_key)
            if value is not None and title_key in row:
                text = title_type.export(value, title_field, locale=self.locale)
                self.titles[(target, int(row["id"]))] = str(text)

    def title(self, kind: str, record_id: int) -> str | None:
        return self.titles.get((kind, record_id))


def _number(value: Any, precision: int | None) -> str:
    if precision is None:
        if isinstance(value, Decimal | float) and value != int(value):
            return f"{value:,}"
        return f"{int(value):,}"
    return f"{Decimal(str(value)):,.{precision}f}"


def money_text(value: Any, spec: FieldSpec, row: Mapping[str, Any] | None = None) -> str:
    currency = spec.config.get("currency", "CNY")
    currency_field = spec.config.get("currency_field")
    if currency_field and row is not None and row.get(currency_field):
        currency = str(row[currency_field])
    symbol = CURRENCY_SYMBOLS.get(currency, f"{currency} ")
    precision = int(spec.config.get("precision", 2))
    text = _number(abs(Decimal(str(value))), precision)
    return f"-{symbol}{text}" if Decimal(str(value)) < 0 else f"{symbol}{text}"


def number_text(value: Any, spec: FieldSpec) -> str:
    precision = spec.config.get("precision")
    text = _number(value, None if precision is None else int(precision))
    return f"{text}%" if spec.type == "percent" else text


def _badges(keys: Iterable[str], spec: FieldSpec, locale: str) -> tuple[tuple[str, str], ...]:
    options = {o["key"]: o for o in spec.config.get("options") or ()}
    out = []
    for key in keys:
        option = options.get(key, {})
        out.append((localize(option.get("label"), locale) or key, str(option.get("color") or "")))
    return tuple(out)


def cell(
    column: Column,
    row: Mapping[str, Any],
    refs: References,
    locale: str,
    timezone: str,
) -> Cell:
    """The display form of ``row[column.key]`` (a Python value, or the masked text)."""
    value = row.get(column.key)
    spec = column.spec
    if value is None or value == "" or value == []:
        return Cell()
    if column.masked:
        return Cell(text=str(value), muted=True)
    kind = spec.type
    if kind == "single_select":
        return Cell(badges=_badges([value], spec, locale))
    if kind == "multi_select":
        return Cell(badges=_badges(value, spec, locale))
    if kind == "checkbox":
        return Cell(check=bool(value))
    if kind == "money":
        return Cell(text=money_text(value, spec, row))
    if kind in ("number", "percent"):
        return Cell(text=number_text(value, spec))
    if kind in REFERENCE_TYPES and isinstance(value, int):
        target = kind if kind != "relation" else spec.config.get("target", "")
        title = refs.title(target, value)
        return Cell(text=title) if title is not None else Cell(text=f"#{value}", muted=True)
    if isinstance(value, datetime):
        return Cell(text=value.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M"))
    if isinstance(value, date):
        return Cell(text=value.isoformat())
    exported = column.type.export(value, spec, locale=locale)
    return Cell(text="" if exported is None else str(exported))


def badge_class(colour: str) -> str:
    """Tabler's light badge class for a named colour; CSS colours get an inline style."""
    if colour in TABLER_COLOURS:
        return f"bg-{colour}-lt"
    return "bg-secondary-lt" if not colour else ""


def total_text(column: Column, value: Any) -> str:
    if value is None:
        return ""
    if column.spec.type == "money":
        return money_text(value, column.spec)
    return number_text(value, column.spec)
