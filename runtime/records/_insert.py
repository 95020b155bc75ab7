"""Inserting prepared records — one (``create``) or a batch (``bulk_create``) — with the
same statements: auto-numbers reserved as a block, the rows with one multi-row INSERT …
RETURNING id, child rows per child table in one INSERT, one audit row and one outbox
event per record, then the records that aggregate or copy them recomputed once each.
Everything runs on the caller's connection, inside its transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from form_engine.conditions import ConditionContext
from runtime.dedupe import terms as dedupe_terms
from runtime.records._audit import audit_row
from runtime.records._autonumber import reserve_numbers
from runtime.records._outbox import event_row
from runtime.records._output import output_shape, to_output
from runtime.records._permissions import table_access
from runtime.records._plan import AppPlan, TablePlan
from runtime.records._prepare import Draft
from runtime.records._refresh import Change, refresh_dependents
from runtime.records.actor import Actor
from runtime.storage.rows import insert_rows
from schemas.spec import PARENT_COLUMN, ROW_ORDER_COLUMN

STAMP_KEYS = ("created_at", "updated_at", "created_by", "updated_by")


@dataclass
class NewRecord:
    """A prepared record and its system stamps (``created_at`` … and, for preserved
    ids, ``id``)."""

    draft: Draft
    stamps: dict[str, Any] = field(default_factory=dict)


def stamps_for(actor: Actor, now: datetime, given: Mapping[str, Any] | None = None) -> dict:
    """System stamps of a new record: now and the actor, unless an import gives them."""
    stamps: dict[str, Any] = {
        "created_at": now,
        "updated_at": now,
        "created_by": actor.user_id,
        "updated_by": actor.user_id,
    }
    if given:
        stamps.update(given)
        if "created_at" in given and "updated_at" not in given:
            stamps["updated_at"] = given["created_at"]
        if "created_by" in given and "updated_by" not in given:
            stamps["updated_by"] = given["created_by"]
    return stamps


def column_values(plan: TablePlan, values: Mapping[str, Any]) -> dict[str, Any]:
    """Every field column of the table (None for fields without a value)."""
    out: dict[str, Any] = dict.fromkeys(plan.field_column_names)
    for key, field_plan, plain in plan.stored_writers:
        if key in values:
            if plain:
                out[key] = values[key]
            else:
                out.update(field_plan.type.to_db(values[key], field_plan.spec))
    return out


def insert_records(
    conn: sa.Connection,
    app: AppPlan,
    plan: TablePlan,
    items: Sequence[NewRecord],
    actor: Actor,
    now: datetime,
) -> list[int]:
    """Insert prepared records (in order); returns their ids. IntegrityError propagates
    (the caller translates it). ``draft.values`` become the stored records."""
    if not items:
        return []
    table = plan.table
    for key in plan.auto_numbers:
        numbers = reserve_numbers(
            conn,
            app.tables.system["kairos_sequence"],
            app.app.key,
            plan.key,
            plan.fields[key].spec,
            [item.stamps["created_at"] for item in items],
            app.timezone,
        )
        for item, number in zip(items, numbers, strict=True):
            item.draft.values[key] = number
    kept: list[dict[str, Any]] = []
    fresh: list[dict[str, Any]] = []
    for item in items:
        row = column_values(plan, item.draft.values)
        row.update(item.stamps, owner_id=item.draft.values.get("owner_id"), row_version=1)
        (kept if "id" in item.stamps else fresh).append(row)
    if kept:
        insert_rows(conn, table, kept)
        if fresh and conn.dialect.name == "postgresql":
            sync_id_sequence(conn, table)
    fresh_ids = iter(_insert_returning(conn, table, fresh))
    ids = [item.stamps["id"] if "id" in item.stamps else next(fresh_ids) for item in items]
    summaries = _insert_children(conn, app, plan, items, ids)
    dedupe_terms.add_records(
        conn, plan, [(i, item.draft.values) for i, item in zip(ids, items, strict=True)]
    )
    for item, new_id in zip(items, ids, strict=True):
        item.draft.values.update(
            item.stamps,
            id=new_id,
            row_version=1,
            deleted_at=None,
            owner_id=item.draft.values.get("owner_id"),
        )
        for key in plan.children:
            item.draft.values[key] = item.draft.children.get(key, [])
    _log_created(conn, app, plan, items, ids, summaries, actor, now)
    return ids


def _insert_returning(conn: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> list:
    """Insert rows without ids; returns the ids they got, in order.

    One row: INSERT … RETURNING. Many: the ids are taken first — on PostgreSQL from the
    table's sequence (one ``nextval`` per row, in one query), on SQLite as the next
    ``MAX(id) + 1 …`` exactly as SQLite would assign them (the write transaction holds the
    database's write lock, so nobody can take them meanwhile) — and the rows are written
    with one executemany. (RETURNING with a guaranteed row order would make SQLite insert
    one row per statement.)"""
    if not rows:
        return []
    if len(rows) == 1:
        statement = table.insert().returning(table.c.id)
        return [conn.execute(statement, rows[0]).scalar_one()]
    ids = _take_ids(conn, table, len(rows))
    for row, new_id in zip(rows, ids, strict=True):
        row["id"] = new_id
    insert_rows(conn, table, rows)
    return ids


def _take_ids(conn: sa.Connection, table: sa.Table, count: int) -> list[int]:
    if conn.dialect.name == "postgresql":
        sequence = sa.func.pg_get_serial_sequence(f'"{table.name}"', "id")
        taken = conn.execute(
            sa.select(sa.func.nextval(sequence)).select_from(sa.func.generate_series(1, count))
        ).scalars()
        return sorted(int(i) for i in taken)
    last = conn.execute(sa.select(sa.func.max(table.c.id))).scalar() or 0
    return list(range(last + 1, last + count + 1))


def sync_id_sequence(conn: sa.Connection, table: sa.Table) -> None:
    """PostgreSQL: move the id sequence past ids written explicitly."""
    name = table.name
    conn.execute(
        sa.text(
            f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
            f'(SELECT MAX(id) FROM "{name}"))'
        )
    )


def _insert_children(
    conn: sa.Connection,
    app: AppPlan,
    plan: TablePlan,
    items: Sequence[NewRecord],
    ids: list[int],
) -> list[dict[str, dict[str, list[int]]]]:
    """Child rows of every record, one INSERT per child table; per record the audit
    summary ``{field: {"added": [ids], "updated": [], "removed": []}}``."""
    summaries: list[dict[str, dict[str, list[int]]]] = [{} for _ in items]
    for key, child_key in plan.children.items():
        child = app[child_key]
        params: list[dict[str, Any]] = []
        targets: list[tuple[int, dict[str, Any], dict[str, Any]]] = []
        for index, (item, parent_id) in enumerate(zip(items, ids, strict=True)):
            summaries[index][key] = {"added": [], "updated": [], "removed": []}
            stamps = item.stamps
            for order, row in enumerate(item.draft.children.get(key, [])):
                system = {
                    PARENT_COLUMN: parent_id,
                    ROW_ORDER_COLUMN: order,
                    "created_at": stamps["created_at"],
                    "updated_at": stamps["updated_at"],
                    "created_by": stamps["created_by"],
                    "updated_by": stamps["updated_by"],
                    "owner_id": item.draft.values.get("owner_id"),
                    "row_version": 1,
                }
                params.append({**column_values(child, row), **system})
                targets.append((index, row, system))
        child_ids = _insert_returning(conn, child.table, params)
        for (index, row, system), child_id in zip(targets, child_ids, strict=True):
            row.update(system, id=child_id)
            summaries[index][key]["added"].append(int(child_id))
    return summaries


def _log_created(
    conn: sa.Connection,
    app: AppPlan,
    plan: TablePlan,
    items: Sequence[NewRecord],
    ids: list[int],
    summaries: list[dict[str, dict[str, list[int]]]],
    actor: Actor,
    now: datetime,
) -> None:
    """Audit entries and events of the new records, then their dependents recomputed."""
    system = app.tables.system
    everything = table_access(app, plan, Actor.system())
    children = {
        k: (app[c], table_access(app, app[c], Actor.system())) for k, c in plan.children.items()
    }
    shape = output_shape(plan, everything)
    audits, events, changed = [], [], []
    logged = set(plan.auto_numbers)
    scalar_fields = {k for k, f in plan.fields.items() if not f.is_child_table}
    for item, new_id, summary in zip(items, ids, summaries, strict=True):
        values = item.draft.values
        # The event's record is the JSON form of every field: the audit entry reuses it
        # rather than converting each value a second time.
        record = to_output(plan, values, everything, children=children, shape=shape)
        changes: dict[str, Any] = {}
        for key in sorted(item.draft.changed | logged):
            if key in scalar_fields and values.get(key) is not None:
                changes[key] = [None, record[key]]
        changes.update({k: s for k, s in summary.items() if any(s.values())})
        common = {"app_key": app.app.key, "table_key": plan.key, "record_id": new_id}
        audits.append(audit_row(**common, action="create", actor=actor, at=now, changes=changes))
        events.append(
            event_row(**common, topic="record.created", record=record, actor=actor, at=now)
        )
        changed.append(Change(new_id, values, None, set(changes)))
    context = ConditionContext(user_id=actor.user_id, now=now, timezone=app.timezone)
    refresh_dependents(conn, app, plan, changed, context)
    insert_rows(conn, system["kairos_audit"], audits)
    insert_rows(conn, system["kairos_outbox"], events)
