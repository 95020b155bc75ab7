"""Child-table rows (sub-form lines) read and written together with their parent.

Rows sent with ``id`` update that row, rows without ``id`` are inserted, live rows not
sent are removed (hard delete: a line is part of its parent, and the parent's audit entry
records which lines went). Deleting the parent soft-deletes its rows with the same
timestamp, and restoring the parent brings back exactly those rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from runtime.records._output import row_values
from runtime.records._plan import TablePlan
from runtime.records.actor import Actor
from schemas.spec import PARENT_COLUMN, ROW_ORDER_COLUMN


def load_children(
    conn: sa.Connection, plan: TablePlan, parent_ids: Iterable[int]
) -> dict[int, list[dict[str, Any]]]:
    """Live rows of each parent, in row order, as Python values."""
    ids = list(parent_ids)
    out: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    if not ids:
        return out
    table = plan.table
    rows = conn.execute(
        sa.select(table)
        .where(table.c[PARENT_COLUMN].in_(ids), table.c.deleted_at.is_(None))
        .order_by(table.c[PARENT_COLUMN], table.c[ROW_ORDER_COLUMN], table.c.id)
    ).mappings()
    for row in rows:
        out[row[PARENT_COLUMN]].append(row_values(plan, row))
    return out


def columns_of(plan: TablePlan, values: Mapping[str, Any]) -> dict[str, Any]:
    """Column values of every stored field in ``values``."""
    out: dict[str, Any] = {}
    for field in plan.fields.values():
        if field.stored and field.key in values:
            out.update(field.type.to_db(values[field.key], field.spec))
    return out


def write_children(
    conn: sa.Connection,
    plan: TablePlan,
    parent_id: int,
    owner_id: int | None,
    old_rows: Sequence[Mapping[str, Any]],
    new_rows: list[dict[str, Any]],
    actor: Actor,
    now: datetime,
) -> dict[str, list[int]]:
    """Make the parent's live rows equal ``new_rows``; returns what was added, updated and
    removed (row ids), for the parent's audit entry. ``new_rows`` get their ids set."""
    table = plan.table
    old_by_id = {row["id"]: row for row in old_rows}
    summary: dict[str, list[int]] = {"added": [], "updated": [], "removed": []}
    kept: set[int] = set()
    for order, row in enumerate(new_rows):
        values = columns_of(plan, row)
        row[ROW_ORDER_COLUMN] = order
        row_id = row.get("id")
        if row_id is None:
            row_id = conn.execute(
                table.insert()
                .values(
                    **values,
                    **{PARENT_COLUMN: parent_id, ROW_ORDER_COLUMN: order},
                    created_at=now,
                    updated_at=now,
                    created_by=actor.user_id,
                    updated_by=actor.user_id,
                    owner_id=owner_id,
                    row_version=1,
                )
                .returning(table.c.id)
            ).scalar_one()
            row.update(
                id=row_id,
                row_version=1,
                created_at=now,
                updated_at=now,
                created_by=actor.user_id,
                updated_by=actor.user_id,
                owner_id=owner_id,
                **{PARENT_COLUMN: parent_id},
            )
            summary["added"].append(int(row_id))
            continue
        kept.add(row_id)
        old = old_by_id[row_id]
        old_columns = columns_of(plan, old)
        changed = {c: v for c, v in values.items() if old_columns.get(c) != v}
        if old.get(ROW_ORDER_COLUMN) != order:
            changed[ROW_ORDER_COLUMN] = order
        if changed:
            conn.execute(
                table.update()
                .where(table.c.id == row_id)
                .values(
                    **changed,
                    updated_at=now,
                    updated_by=actor.user_id,
                    row_version=table.c.row_version + 1,
                )
            )
            row.update(
                updated_at=now,
                updated_by=actor.user_id,
                row_version=int(old.get("row_version") or 1) + 1,
            )
            summary["updated"].append(int(row_id))
    removed = [i for i in old_by_id if i not in kept]
    if removed:
        conn.execute(table.delete().where(table.c.id.in_(removed)))
        summary["removed"] = [int(i) for i in removed]
    return summary


def mark_children(
    conn: sa.Connection,
    plan: TablePlan,
    parent_id: int,
    deleted_at: datetime | None,
    previous: datetime | None,
) -> None:
    """Soft-delete (``deleted_at`` set, ``previous`` None) or restore (``deleted_at`` None,
    ``previous`` the parent's deletion time) the rows of one parent."""
    table = plan.table
    match = table.c.deleted_at.is_(None) if previous is None else table.c.deleted_at == previous
    conn.execute(
        table.update()
        .where(table.c[PARENT_COLUMN] == parent_id, match)
        .values(deleted_at=deleted_at)
    )
