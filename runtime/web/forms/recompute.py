"""Live recompute of a form draft: formulas, lookups and rollups over child rows, exactly
as the record service would store them, without writing anything.

The draft goes through the service's own ``prepare`` (parse, defaults, lookups, child
rollups, formulas, hidden-field clearing) in a read transaction; its errors are ignored
here — they are reported when the user saves. Only fields the user may see are returned.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from runtime.db import read_transaction
from runtime.records import Actor, RecordService
from runtime.web.forms._kernel import load_children, prepare


def preview(
    service: RecordService,
    actor: Actor,
    table: str,
    values: Mapping[str, Any],
    record_id: int | None = None,
) -> dict[str, Any]:
    """``{"values": {field: json}, "rows": {child field: [{field: json}, …]}}`` of the
    record the draft would become. Raises RecordNotFound for an unknown or unseen
    record."""
    plan = service.plan(table)
    access = service.access(actor, plan)
    existing = None
    old_children: dict[str, list[dict[str, Any]]] | None = None
    if record_id is not None:
        existing = service.get(actor, table, record_id, as_json=False)
    with read_transaction(service.engine) as conn:
        if record_id is not None and existing is not None:
            old_children = {
                k: load_children(conn, service.app[c], [record_id])[record_id]
                for k, c in plan.children.items()
            }
            existing = {**existing, **old_children}
        draft = prepare(
            conn,
            service.app,
            plan,
            access,
            actor,
            values,
            service.context(actor),
            existing=existing,
            existing_children=old_children,
            record_id=record_id,
        )
        conn.rollback()
    shown = {
        key: field.to_json(draft.values.get(key))
        for key, field in plan.fields.items()
        if access.visible(key) and not field.is_child_table
    }
    rows: dict[str, list[dict[str, Any]]] = {}
    for key, child_key in plan.children.items():
        child = service.app[child_key]
        rows[key] = [
            {k: f.to_json(row.get(k)) for k, f in child.fields.items() if f.computed}
            for row in draft.children.get(key, [])
        ]
    return {"values": shown, "rows": rows}
