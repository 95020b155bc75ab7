"""The kanban board: columns per value of a grouping field, cards per record.

A table can be grouped by any single_select field (one column per option, in order) or by a
relation to a small table (one column per target record, stage-like tables by their
``sequence``). Every read goes through the record service with the signed-in actor, so a
rep's board holds only their own cards and the column totals agree with it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from runtime.records import PermissionDenied
from runtime.web.context import actor, service
from runtime.web.i18n import gettext, t
from runtime.web.views._boards_common import (
    detail_url,
    editable,
    money,
    picker_order,
    queryable,
    relation_titles,
    title_of,
    user_names,
)
from schemas.spec import FieldSpec, TableSpec

CARDS_PER_PAGE = 50
MAX_RELATION_COLUMNS = 20
"""A relation groups a board only when its target is this small (stages, not customers)."""
EMPTY = "_empty"
"""Column value of records whose grouping field is empty."""
COLOR_CLASSES = {
    "red": "red",
    "orange": "orange",
    "yellow": "yellow",
    "green": "green",
    "lime": "lime",
    "teal": "teal",
    "cyan": "cyan",
    "blue": "blue",
    "geekblue": "indigo",
    "indigo": "indigo",
    "purple": "purple",
    "pink": "pink",
    "gray": "secondary",
    "grey": "secondary",
}
"""Option / stage colours → Tabler colour names."""


@dataclass
class Column:
    value: str
    label: str
    color: str = "secondary"
    cards: list[dict[str, Any]] = field(default_factory=list)
    count: int = 0
    total: str = ""
    next_cursor: str | None = None


@dataclass
class Board:
    table: TableSpec
    by: FieldSpec
    sum_field: FieldSpec | None
    columns: list[Column]
    draggable: bool
    group_fields: list[FieldSpec]
    sum_fields: list[FieldSpec]


def group_fields(spec: TableSpec) -> list[FieldSpec]:
    """Fields a board of ``spec`` can be grouped by, for the signed-in user."""
    svc = service()
    out = []
    for f in spec.fields:
        if not queryable(spec.key, f):
            continue
        if f.type == "single_select" and f.config.get("options"):
            out.append(f)
        elif f.type == "relation":
            target = str(f.config["target"])
            if not svc.tables.app.has_table(target):
                continue
            try:
                if svc.count(actor(), target) <= MAX_RELATION_COLUMNS:
                    out.append(f)
            except PermissionDenied:
                continue
    return out


def default_group(spec: TableSpec, candidates: list[FieldSpec]) -> FieldSpec | None:
    """A relation to a stage-like (ordered) table first, e.g. opportunity → pipeline_stage;
    else the first required single_select (task status); else the first candidate."""
    app = service().tables.app
    for f in candidates:
        if f.type == "relation":
            target = app.table(str(f.config["target"]))
            if picker_order(target)[0][0] in ("sequence", "sort", "sort_order", "position"):
                return f
    for f in candidates:
        if f.type == "single_select" and f.required:
            return f
    return candidates[0] if candidates else None


def sum_fields(spec: TableSpec) -> list[FieldSpec]:
    return [f for f in spec.fields if f.type == "money" and queryable(spec.key, f)]


def build_board(spec: TableSpec, by: FieldSpec, sum_field: FieldSpec | None) -> Board:
    columns = _columns(spec, by)
    totals = column_totals(spec, by, sum_field)
    known = {c.value for c in columns}
    for value in totals:
        if value not in known:  # e.g. records still in a stage that was deactivated
            columns.append(_extra_column(by, value))
    for column in columns:
        column.count, column.total = totals.get(column.value, (0, money(0)))
        column.cards, column.next_cursor = column_cards(spec, by, column.value)
    columns = [c for c in columns if c.value != EMPTY or c.count]
    return Board(
        table=spec,
        by=by,
        sum_field=sum_field,
        columns=columns,
        draggable=editable(spec.key, by),
        group_fields=group_fields(spec),
        sum_fields=sum_fields(spec),
    )


def column_totals(
    spec: TableSpec, by: FieldSpec, sum_field: FieldSpec | None
) -> dict[str, tuple[int, str]]:
    """``{column value: (count, formatted sum)}`` of the records the user may see."""
    measures: list[tuple[str, str | None]] = [("count", None)]
    if sum_field is not None:
        measures.append(("sum", sum_field.key))
    out = {}
    for row in service().aggregate(actor(), spec.key, group_by=[by.key], measures=measures):
        total = ""
        if sum_field is not None:
            total = money(row.get(f"sum_{sum_field.key}") or 0, currency_of(sum_field))
        out[_value_key(row[by.key])] = (int(row["count"]), total)
    return out


def column_cards(
    spec: TableSpec, by: FieldSpec, value: str, after: str | None = None
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of cards of a column and the cursor of the next page."""
    if value == EMPTY:
        where: dict[str, Any] = {"field": by.key, "op": "is_empty"}
    else:
        raw: Any = int(value) if by.type == "relation" else value
        where = {"field": by.key, "op": "eq", "value": raw}
    page = service().query(
        actor(),
        spec.key,
        where=where,
        order_by=_card_order(spec),
        limit=CARDS_PER_PAGE,
        after=after,
    )
    return cards(spec, page.rows), page.next_cursor


def cards(spec: TableSpec, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What a card shows: title, the first relation (customer), the money field (amount),
    the owner and the first date field (expected close date)."""
    layout = card_layout(spec)
    relation = layout["relation"]
    titles = (
        relation_titles(str(relation.config["target"]), (r.get(relation.key) for r in rows))
        if relation is not None
        else {}
    )
    owners = user_names(r.get("owner_id") for r in rows)
    out = []
    for r in rows:
        amount = layout["money"]
        currency = r.get(amount.config.get("currency_field", "")) if amount else None
        out.append(
            {
                "id": r["id"],
                "row_version": r["row_version"],
                "title": title_of(spec, r),
                "subtitle": titles.get(r.get(relation.key)) if relation is not None else None,
                "amount": money(r.get(amount.key), currency or currency_of(amount))
                if amount
                else "",
                "owner": owners.get(r.get("owner_id") or 0, ""),
                "date": r.get(layout["date"].key) if layout["date"] is not None else None,
                "date_label": t(layout["date"].label) if layout["date"] is not None else "",
                "url": detail_url(spec.key, r["id"]),
            }
        )
    return out


def card_layout(spec: TableSpec) -> dict[str, FieldSpec | None]:
    def first(kind: str) -> FieldSpec | None:
        return next((f for f in spec.fields if f.type == kind and queryable(spec.key, f)), None)

    return {"relation": first("relation"), "money": first("money"), "date": first("date")}


def _columns(spec: TableSpec, by: FieldSpec) -> list[Column]:
    columns = []
    if by.type == "single_select":
        for option in by.config.get("options", []):
            columns.append(
                Column(
                    value=str(option["key"]),
                    label=t(option.get("label") or option["key"]),
                    color=COLOR_CLASSES.get(str(option.get("color", "")), "secondary"),
                )
            )
    else:
        target = service().tables.app.table(str(by.config["target"]))
        page = service().query(
            actor(),
            target.key,
            where=by.config.get("filter"),
            order_by=picker_order(target),
            limit=MAX_RELATION_COLUMNS,
        )
        for row in page.rows:
            columns.append(
                Column(
                    value=str(row["id"]),
                    label=title_of(target, row),
                    color=COLOR_CLASSES.get(str(row.get("color") or ""), "secondary"),
                )
            )
    columns.append(Column(value=EMPTY, label=gettext("(empty)")))
    return columns


def _extra_column(by: FieldSpec, value: str) -> Column:
    if by.type == "relation":
        label = relation_titles(str(by.config["target"]), [value]).get(int(value), f"#{value}")
    else:
        label = value
    return Column(value=value, label=label)


def _value_key(value: Any) -> str:
    return EMPTY if value in (None, "") else str(value)


def currency_of(field: FieldSpec | None) -> str:
    return str(field.config.get("currency", "CNY")) if field is not None else "CNY"


def _card_order(spec: TableSpec) -> list[tuple[str, str]]:
    date = card_layout(spec)["date"]
    return [(date.key, "asc")] if date is not None else [("updated_at", "desc")]


def parse_group_value(by: FieldSpec, value: str) -> Any:
    """A column value as the service takes it (None for the empty column)."""
    if value == EMPTY:
        return None
    if by.type == "relation":
        return int(value)  # ValueError → 400 in the view
    return value
