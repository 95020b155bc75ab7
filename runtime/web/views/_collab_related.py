"""Related lists on a detail page: every table whose relation field points at the shown
table (customer → contacts, opportunities, follow-ups, tasks …), read through the record
service so each list shows only what the actor may see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app, url_for

from runtime.records import Actor, RecordService
from runtime.records.errors import PermissionDenied, QueryError
from runtime.web.navigation import can_read
from runtime.web.views._collab_display import Displayer, Shown
from schemas.spec import FieldSpec, TableSpec

RELATED_ROWS = 5
RELATED_COLUMNS = 4
SYSTEM_COLUMNS = (
    "id",
    "row_version",
    "owner_id",
    "created_at",
    "created_by",
    "updated_at",
    "updated_by",
    "parent_id",
    "row_order",
    "deleted_at",
)


@dataclass(frozen=True)
class RelatedList:
    table: TableSpec
    via: FieldSpec
    columns: tuple[FieldSpec, ...]
    rows: tuple[tuple[int, tuple[Shown, ...]], ...]
    total: int
    list_url: str | None


def back_links(service: RecordService, table: str) -> list[tuple[TableSpec, FieldSpec]]:
    """(table, relation field) pairs pointing at ``table``; child tables are shown inside
    their parent, not as related lists."""
    app = service.tables.app
    found = []
    for other in app.tables:
        if other.parent:
            continue
        for spec in other.fields:
            if spec.type == "relation" and spec.config.get("target") == table:
                found.append((other, spec))
    return found


def display_columns(
    service: RecordService,
    actor: Actor,
    table: TableSpec,
    skip: str | None = None,
    limit: int = RELATED_COLUMNS,
    files: bool = False,
) -> tuple[FieldSpec, ...]:
    """The first fields of the table's form the actor may see (title field first).
    ``files``: keep attachments, images and signatures (child rows shown in full)."""
    shown_as_links = ("attachment", "image", "signature") if files else ()
    access = service.access(actor, service.plan(table.key))
    ordered = [table.title_field] if table.title_field else []
    for tab in (table.form or {}).get("tabs", ()):
        for section in tab.get("sections", ()):
            ordered += list(section.get("fields", ()))
    ordered += [f.key for f in table.fields]
    seen: list[FieldSpec] = []
    for key in ordered:
        if key == skip or not table.has_field(key) or any(s.key == key for s in seen):
            continue
        spec = table.field(key)
        if (
            spec.type not in shown_as_links
            and spec.type
            in (
                "child_table",
                "long_text",
                "rich_text",
                "attachment",
                "image",
                "signature",
                "location",
                "json",
            )
        ) or not access.visible(key):
            continue
        seen.append(spec)
        if len(seen) == limit:
            break
    return tuple(seen)


def related_lists(
    service: RecordService, actor: Actor, display: Displayer, table: str, record_id: int
) -> list[RelatedList]:
    lists = []
    for other, via in back_links(service, table):
        if not can_read(service, actor, other.key):
            continue
        if not service.access(actor, service.plan(other.key)).usable_in_queries(via.key):
            continue
        where = {"field": via.key, "op": "eq", "value": record_id}
        columns = display_columns(service, actor, other, skip=via.key)
        order = [(k, d) for k, d in other.default_sort] or [("updated_at", "desc")]
        try:
            page = service.query(
                actor,
                other.key,
                where=where,
                order_by=order,
                fields=[c.key for c in columns],
                limit=RELATED_ROWS,
                with_count=True,
            )
        except (PermissionDenied, QueryError):
            continue
        display.prepare(other, page.rows)
        rows = tuple(
            (row["id"], tuple(display.value(other, c, row) for c in columns)) for row in page.rows
        )
        lists.append(
            RelatedList(
                other, via, columns, rows, page.total or 0, _list_url(other.key, via.key, record_id)
            )
        )
    return lists


def _list_url(table: str, via: str, record_id: int) -> str | None:
    if "records.list_view" not in current_app.view_functions:
        return None
    return url_for("records.list_view", table=table, **{f"f.{via}": record_id})


def child_rows(
    service: RecordService,
    actor: Actor,
    display: Displayer,
    table: TableSpec,
    spec: FieldSpec,
    record: dict[str, Any],
) -> tuple[tuple[FieldSpec, ...], list[tuple[Shown, ...]]]:
    """A child_table field as (columns, rows of shown values)."""
    child = service.tables.app.table(spec.config["table"])
    columns = display_columns(service, actor, child, limit=10, files=True)
    rows = record.get(spec.key) or []
    display.prepare(child, rows)
    return columns, [tuple(display.value(child, c, row) for c in columns) for row in rows]
