"""Writing one record inside an open transaction: insert/update/soft delete/restore, its
child rows, the recomputation of records whose rollups or lookups depend on it, the audit
entry and the outbox event — all on the same connection, so they commit or fail together.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from form_engine.conditions import ConditionContext
from form_engine.messages import FieldError
from runtime.dedupe import terms as dedupe_terms
from runtime.records import _audit, _outbox
from runtime.records._checks import unique_violation
from runtime.records._children import columns_of, load_children, mark_children, write_children
from runtime.records._insert import NewRecord, insert_records, stamps_for
from runtime.records._output import field_json, to_output
from runtime.records._permissions import table_access
from runtime.records._plan import AppPlan, TablePlan
from runtime.records._prepare import Draft
from runtime.records._refresh import Change, refresh_dependents
from runtime.records.actor import Actor
from runtime.records.errors import RecordValidationError


def insert_record(
    conn: sa.Connection,
    app: AppPlan,
    plan: TablePlan,
    draft: Draft,
    actor: Actor,
    now: datetime,
    *,
    stamps: Mapping[str, Any] | None = None,
) -> int:
    """Insert one prepared record (``stamps``: preserved id and system values of an
    import); a unique or duplicate-id violation becomes RecordValidationError."""
    item = NewRecord(draft, stamps_for(actor, now, stamps))
    try:
        return insert_records(conn, app, plan, [item], actor, now)[0]
    except sa.exc.IntegrityError as exc:
        raise integrity_error(plan, exc, draft.values, (stamps or {}).get("id")) from exc


def update_record(
    conn: sa.Connection,
    app: AppPlan,
    plan: TablePlan,
    record_id: int,
    existing: Mapping[str, Any],
    old_children: Mapping[str, list[dict[str, Any]]],
    draft: Draft,
    actor: Actor,
    now: datetime,
) -> bool:
    """Write the changed columns; False when nothing changed (no version bump)."""
    values = draft.values
    new_columns = columns_of(plan, values)
    old_columns = columns_of(plan, existing)
    changed_columns = {c: v for c, v in new_columns.items() if old_columns.get(c) != v}
    if values.get("owner_id") != existing.get("owner_id"):
        changed_columns["owner_id"] = values.get("owner_id")
    child_keys = [k for k in plan.children if k in draft.changed]
    if not changed_columns and not child_keys:
        return False
    version = int(existing["row_version"]) + 1
    try:
        result = conn.execute(
            plan.table.update()
            .where(
                plan.table.c.id == record_id,
                plan.table.c.row_version == existing["row_version"],
            )
            .values(
                **changed_columns, updated_at=now, updated_by=actor.user_id, row_version=version
            )
        )
    except sa.exc.IntegrityError as exc:
        raise integrity_error(plan, exc, values, None) from exc
    assert result.rowcount == 1, "the row was locked by this transaction"
    dedupe_terms.replace_record(conn, plan, record_id, existing, values)
    values.update(updated_at=now, updated_by=actor.user_id, row_version=version)
    changes: dict[str, Any] = {}
    for key in sorted(draft.changed):
        if key in plan.children:
            changes[key] = write_children(
                conn,
                app[plan.children[key]],
                record_id,
                values.get("owner_id"),
                old_children.get(key, []),
                draft.children[key],
                actor,
                now,
            )
            values[key] = draft.children[key]
        else:
            changes[key] = [
                field_json(plan, key, existing.get(key)),
                field_json(plan, key, values.get(key)),
            ]
    _after_write(conn, app, plan, "update", record_id, values, existing, changes, actor, now)
    return True


def set_deleted(
    conn: sa.Connection,
    app: AppPlan,
    plan: TablePlan,
    record_id: int,
    existing: Mapping[str, Any],
    actor: Actor,
    now: datetime,
    *,
    restore: bool,
    extra: Mapping[str, Any] | None = None,
) -> None:
    """Move a record to the recycle bin (with its child rows) or bring it back.
    ``extra`` is added to the audit entry (records deleted or restored with it)."""
    deleted_at = None if restore else now
    version = int(existing["row_version"]) + 1
    conn.execute(
        plan.table.update()
        .where(plan.table.c.id == record_id)
        .values(
            deleted_at=deleted_at, updated_at=now, updated_by=actor.user_id, row_version=version
        )
    )
    for child_key in plan.children.values():
        mark_children(
            conn,
            app[child_key],
            record_id,
            deleted_at,
            existing.get("deleted_at") if restore else None,
        )
    values = dict(
        existing,
        deleted_at=deleted_at,
        updated_at=now,
        updated_by=actor.user_id,
        row_version=version,
    )
    if plan.children:
        loaded = {
            k: load_children(conn, app[c], [record_id])[record_id] for k, c in plan.children.items()
        }
        values.update(loaded)
    stamp = field_json(plan, "deleted_at", existing.get("deleted_at") if restore else now)
    changes = {"deleted_at": [stamp, None] if restore else [None, stamp], **(extra or {})}
    action = "restore" if restore else "delete"
    _after_write(conn, app, plan, action, record_id, values, existing, changes, actor, now)


def _after_write(
    conn: sa.Connection,
    app: AppPlan,
    plan: TablePlan,
    action: str,
    record_id: int,
    values: Mapping[str, Any],
    previous: Mapping[str, Any] | None,
    changes: Mapping[str, Any],
    actor: Actor,
    now: datetime,
) -> None:
    context = ConditionContext(user_id=actor.user_id, now=now, timezone=app.timezone)
    change = Change(record_id, values, previous, set(changes))
    refresh_dependents(conn, app, plan, [change], context)
    system = app.tables.system
    _audit.record_change(
        conn,
        system["kairos_audit"],
        app_key=app.app.key,
        table_key=plan.key,
        record_id=record_id,
        action=action,
        actor=actor,
        at=now,
        changes=changes,
    )
    everything = table_access(app, plan, Actor.system())
    children = {
        k: (app[c], table_access(app, app[c], Actor.system())) for k, c in plan.children.items()
    }
    record = to_output(plan, values, everything, children=children)
    topic = {
        "create": "record.created",
        "update": "record.updated",
        "delete": "record.deleted",
        "restore": "record.restored",
    }[action]
    _outbox.emit(
        conn,
        system["kairos_outbox"],
        app_key=app.app.key,
        table_key=plan.key,
        record_id=record_id,
        topic=topic,
        record=record,
        actor=actor,
        at=now,
        changes={k: v for k, v in changes.items() if isinstance(v, list)}
        if action == "update"
        else None,
    )


def integrity_error(
    plan: TablePlan, exc: sa.exc.IntegrityError, values: Mapping[str, Any], record_id: int | None
) -> Exception:
    error = unique_violation(plan, exc, values)
    if error is not None:
        return RecordValidationError([error])
    if record_id is not None:
        return RecordValidationError([FieldError("id", "duplicate_id", {"value": record_id})])
    return exc
