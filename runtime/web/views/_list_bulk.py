"""Bulk actions on the records ticked in a list: set one field, or move to the recycle
bin. Each record goes through the record service on its own, so validation, permissions
and audit apply per record and one bad record does not stop the others; every failure is
reported with the record's title and the service's localised message."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from runtime.records import (
    PermissionDenied,
    RecordConflict,
    RecordNotFound,
    RecordService,
    RecordValidationError,
)
from runtime.records.actor import Actor
from runtime.web.i18n import t
from runtime.web.views._list_display import Column

NOT_BULK_EDITABLE = frozenset(
    {
        "child_table",
        "attachment",
        "image",
        "signature",
        "rich_text",
        "json",
        "location",
        "address",
        "long_text",
    }
)
MAX_BULK = 500
"""Records one bulk action may touch (a page holds at most 200)."""


@dataclass(frozen=True)
class RowOutcome:
    id: int
    title: str
    error: str | None = None


def editable_columns(columns: Mapping[str, Column], svc: RecordService, table: str) -> list[Column]:
    """Fields one may set in bulk: editable for this reader, entered by people, one value."""
    plan = svc.plan(table)
    out = []
    for key, column in columns.items():
        field = plan.fields.get(key)
        if column.system or field is None or column.access != "edit":
            continue
        if field.computed or field.spec.readonly or field.spec.type in NOT_BULK_EDITABLE:
            continue
        out.append(column)
    return out


BULK_INPUTS = {
    "single_select": "select",
    "multi_select": "select",
    "checkbox": "bool",
    "date": "date",
    "number": "number",
    "money": "number",
    "percent": "number",
    "relation": "select",
    "user": "select",
    "department": "select",
}
"""The value input the bulk bar shows per field type (text for the rest)."""


REFERENCE_TYPES = ("relation", "user", "department")


def bulk_field_choices(
    columns: Iterable[Column],
    references: Callable[[Column], list[dict[str, Any]]] | None = None,
    search_url: Callable[[str], str | None] = lambda _key: None,
) -> list[dict[str, Any]]:
    """The bulk bar's field list (JSON for the page): key, label, input, options.
    ``references`` gives a relation / user / department field its choices (the filter
    builder's); placeholders such as "me" are left out, since a value is stored as is.
    A relation field with a ``search_url`` is searched as the user types instead
    (``input: "search"``, no options loaded with the page)."""
    out = []
    for c in columns:
        url = search_url(c.key) if c.spec.type == "relation" else None
        if url is not None:
            out.append(
                {
                    "key": c.key,
                    "label": c.label,
                    "input": "search",
                    "search": url,
                    "multi": False,
                    "options": [],
                }
            )
            continue
        if c.spec.type in REFERENCE_TYPES:
            found = references(c) if references else []
            options = [o for o in found if not str(o["value"]).startswith("$")]
        else:
            options = [
                {"value": o["key"], "label": t(o.get("label")) or o["key"]}
                for o in c.spec.config.get("options") or ()
            ]
        out.append(
            {
                "key": c.key,
                "label": c.label,
                "input": BULK_INPUTS.get(c.spec.type, "text"),
                "multi": c.spec.type == "multi_select",
                "options": options,
            }
        )
    return out


def parse_ids(raw: Iterable[str]) -> list[int]:
    ids = []
    for text in raw:
        try:
            ids.append(int(text))
        except ValueError:
            continue
    return list(dict.fromkeys(ids))[:MAX_BULK]


def _titles(svc: RecordService, actor: Actor, table: str, ids: Sequence[int]) -> dict[int, str]:
    title_key = svc.tables.app.table(table).title_field
    if not ids:
        return {}
    fields = [title_key] if title_key else []
    page = svc.query(
        actor,
        table,
        where={"field": "id", "op": "in", "value": list(ids)},
        fields=fields,
        limit=len(ids),
    )
    return {int(r["id"]): str(r.get(title_key) or f"#{r['id']}") for r in page.rows}


def _message(error: Exception, locale: str) -> str:
    if isinstance(error, RecordValidationError):
        separator = "；" if locale == "zh-CN" else "; "
        return separator.join(e.message(locale) for e in error.errors)
    return str(error.message(locale))  # type: ignore[attr-defined]


FAILURES = (RecordValidationError, PermissionDenied, RecordNotFound, RecordConflict)


def bulk_update(
    svc: RecordService,
    actor: Actor,
    table: str,
    ids: Sequence[int],
    field: str,
    value: Any,
    locale: str,
) -> list[RowOutcome]:
    """Set ``field`` to ``value`` (form input, parsed by the field type) on each record."""
    titles = _titles(svc, actor, table, ids)
    outcomes = []
    for record_id in ids:
        title = titles.get(record_id, f"#{record_id}")
        try:
            svc.update(actor, table, record_id, {field: value})
        except FAILURES as error:
            outcomes.append(RowOutcome(record_id, title, _message(error, locale)))
        else:
            outcomes.append(RowOutcome(record_id, title))
    return outcomes


def bulk_delete(
    svc: RecordService, actor: Actor, table: str, ids: Sequence[int], locale: str
) -> list[RowOutcome]:
    """Move each record to the recycle bin."""
    titles = _titles(svc, actor, table, ids)
    outcomes = []
    for record_id in ids:
        title = titles.get(record_id, f"#{record_id}")
        try:
            svc.delete(actor, table, record_id)
        except FAILURES as error:
            outcomes.append(RowOutcome(record_id, title, _message(error, locale)))
        else:
            outcomes.append(RowOutcome(record_id, title))
    return outcomes
