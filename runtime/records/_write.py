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
from runtime.records import _audit, _computed, _outbox
from runtime.records._autonumber import next_number
from runtime.records._checks import unique_violation
from runtime.records._children import columns_of, load_children, mark_children, write_children
from runtime.records._output import field_json, row_values, to_output
from runtime.records._permissions import table_access
from runtime.records._plan import AppPlan, TablePlan
from runtime.records._prepare import Draft
from runtime.records.actor import Actor
from runtime.records.errors import RecordValidationError

MAX_CASCADE = 4
"""How many hops a change may travel through rollups and lookups (customer ← opportunity
← line): deep enough for real apps, bounded so a cycle of links cannot loop."""


def insert_record(
    conn: sa.Connection,
    app: AppPlan,
    plan: TablePlan,
    draft: Draft,
    actor: Actor,
    now: datetime,
    *,
    record_id: int | None = None,
) -> int:
    values = draft.values
    for key in plan.auto_numbers:
        values[key] = next_number(
            conn,
            app.tables.system["kairos_sequence"],
            app.app.key,
            plan.key,
            plan.fields[key].spec,
            now,
            app.timezone,
        )
    row = columns_of(plan, values)
    system = {
        "created_at": now,
        "updated_at": now,
        "created_by": actor.user_id,
        "updated_by": actor.user_id,
        "owner_id": values.get("owner_id"),
        "row_version": 1,
    }
    if record_id is not None:
        system["id"] = record_id
    try:
        new_id = conn.execute(
            plan.table.insert().values(**row, **system).returning(plan.table.c.id)
        ).scalar_one()
    except sa.exc.IntegrityError as exc:
        raise _translate(plan, exc, values, record_id) from exc
    values.update(system, id=new_id, deleted_at=None)
    summaries = {}
    for key, child_key in plan.children.items():
        summaries[key] = write_children(
            conn,
            app[child_key],
            new_id,
            values.get("owner_id"),
            [],
            draft.children.get(key, []),
            actor,
            now,
        )
        values[key] = draft.children.get(key, [])
    changes = {
        k: [None, field_json(plan, k, values[k])]
        for k in sorted(draft.changed | set(plan.auto_numbers))
        if k in plan.fields and not plan.fields[k].is_child_table and values.get(k) is not None
    }
    changes.update({k: s for k, s in summaries.items() if any(s.values())})
    _after_write(conn, app, plan, "create", new_id, values, None, changes, actor, now)
    return int(new_id)


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
        raise _translate(plan, exc, values, None) from exc
    assert result.rowcount == 1, "the row was locked by this transaction"
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
) -> None:
    """Move a record to the recycle bin (with its child rows) or bring it back."""
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
    stamp = field_json(plan, "deleted_at", now)
    changes = {"deleted_at": [stamp, None] if restore else [None, stamp]}
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
    touched = set(changes)
    refresh_dependents(conn, app, plan, record_id, values, previous, touched, context, 0)
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


def refresh_dependents(
    conn: sa.Connection,
    app: AppPlan,
    plan: TablePlan,
    record_id: int,
    values: Mapping[str, Any],
    previous: Mapping[str, Any] | None,
    touched: set[str],
    context: ConditionContext,
    depth: int,
) -> None:
    """Recompute the records whose back-link rollups count this one (old and new parent)
    and the records whose lookups copy a changed field of it."""
    if depth >= MAX_CASCADE:
        return
    for parent_key, via in plan.rollup_parents:
        parent = app[parent_key]
        targets = {values.get(via)} | ({previous.get(via)} if previous else set())
        rollups = [
            r for r in parent.backlink_rollups if r.source_table == plan.key and r.via == via
        ]
        for target in sorted(t for t in targets if t is not None):
            refresh_record(conn, app, parent, target, context, depth + 1, rollups=rollups)
    for dependent_key, lookup in plan.lookup_dependents:
        if lookup.target_field not in touched and "deleted_at" not in touched:
            continue
        dependent = app[dependent_key]
        ids = (
            conn.execute(
                sa.select(dependent.table.c.id).where(
                    dependent.expression(lookup.relation) == record_id,
                    dependent.table.c.deleted_at.is_(None),
                )
            )
            .scalars()
            .all()
        )
        for dependent_id in ids:
            refresh_record(
                conn, app, dependent, dependent_id, context, depth + 1, relations={lookup.relation}
            )


def refresh_record(
    conn: sa.Connection,
    app: AppPlan,
    plan: TablePlan,
    record_id: int,
    context: ConditionContext,
    depth: int,
    *,
    rollups: list[Any] | None = None,
    relations: set[str] | None = None,
) -> None:
    """Recompute derived values of one stored record after something it depends on changed.

    Only the derived columns are written: no row_version bump, no audit entry, no event —
    nobody edited this record, its inputs moved (documented in docs/records.md)."""
    row = conn.execute(sa.select(plan.table).where(plan.table.c.id == record_id)).mappings().first()
    if row is None:
        return
    before = row_values(plan, row)
    values = dict(before)
    children: dict[str, list[dict[str, Any]]] = {}
    for key, child_key in plan.children.items():
        children[key] = load_children(conn, app[child_key], [record_id])[record_id]
        values[key] = children[key]
    if rollups:
        values.update(_computed.backlink_values(conn, app, plan, record_id, rollups, context))
    if relations:
        _computed.fill_lookups(conn, app, plan, values, relations)
    _computed.compute_formulas(plan, values, children, context)
    new_columns = columns_of(plan, values)
    old_columns = columns_of(plan, before)
    changed = {c: v for c, v in new_columns.items() if old_columns.get(c) != v}
    if not changed:
        return
    conn.execute(plan.table.update().where(plan.table.c.id == record_id).values(**changed))
    touched = {k for k in plan.fields if before.get(k) != values.get(k)}
    refresh_dependents(conn, app, plan, record_id, values, before, touched, context, depth)


def _translate(
    plan: TablePlan, exc: sa.exc.IntegrityError, values: Mapping[str, Any], record_id: int | None
) -> Exception:
    error = unique_violation(plan, exc, values)
    if error is not None:
        return RecordValidationError([error])
    if record_id is not None:
        return RecordValidationError([FieldError("id", "duplicate_id", {"value": record_id})])
    return exc
