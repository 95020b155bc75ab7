"""Moving a record to the recycle bin and back, with what its relations ask for.

Each relation pointing at the deleted record says (``on_delete``):

- ``restrict`` (default): live records still referring to it keep it out of the bin
  (``still_referenced``);
- ``cascade``: the referring records are owned by it (stage history, contact roles) and
  go to the bin with it — same deletion time, their own audit entry and event — and come
  back with it on ``restore``; the parent's delete entry lists them all, transitively
  (``cascade``), and that list is what ``restore`` brings back;
- ``set_null``: the reference is kept while the target is in the bin, so a restore loses
  nothing (the database clears it should the target ever be purged).

Cascaded records are deleted as part of their parent: the actor needs the ``delete``
right on the parent only, as for child rows. A relation of a *child table* never cascades
(a sub-form line belongs to its parent record; removing it alone would change that
record behind its back): ``cascade`` there acts as ``restrict``.

``still_referenced`` never counts records the actor cannot read: when every referring
record is visible the error names their table and count, otherwise it only says other
records still refer to this one.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from form_engine.conditions import ConditionContext
from form_engine.messages import FieldError
from runtime.records import _write
from runtime.records._output import row_values
from runtime.records._permissions import table_access
from runtime.records._plan import AppPlan, TablePlan
from runtime.records._prefetch import chunked
from runtime.records.actor import Actor
from runtime.records.errors import RecordValidationError

Doomed = dict[str, set[int]]
"""Table key → ids of the records one delete moves to the bin."""


def on_delete(plan: TablePlan, key: str) -> str:
    """The effective ``on_delete`` of relation ``key`` of ``plan`` (see module doc)."""
    rule = str(plan.fields[key].spec.config.get("on_delete", "restrict"))
    return "restrict" if rule == "cascade" and plan.parent else rule


def _referrers(app: AppPlan, target: str, rule: str) -> list[tuple[TablePlan, str]]:
    """(table, relation key) of relations pointing at ``target`` with ``rule``."""
    return [
        (other, key)
        for other in app.plans.values()
        for key, target_key in other.relation_targets.items()
        if target_key == target and on_delete(other, key) == rule
    ]


def cascade_set(conn: sa.Connection, app: AppPlan, plan: TablePlan, record_id: int) -> Doomed:
    """The record and every live record that cascades from it, transitively."""
    doomed: Doomed = {plan.key: {record_id}}
    frontier: Doomed = {plan.key: {record_id}}
    while frontier:
        found: Doomed = {}
        for table_key, ids in frontier.items():
            for other, key in _referrers(app, table_key, "cascade"):
                for chunk in chunked(sorted(ids)):
                    rows = conn.execute(
                        sa.select(other.table.c.id).where(
                            other.expression(key).in_(chunk), other.table.c.deleted_at.is_(None)
                        )
                    ).scalars()
                    fresh = set(rows) - doomed.get(other.key, set())
                    if fresh:
                        found.setdefault(other.key, set()).update(fresh)
                        doomed.setdefault(other.key, set()).update(fresh)
        frontier = found
    return doomed


def check_not_referenced(
    conn: sa.Connection, app: AppPlan, actor: Actor, doomed: Doomed, context: ConditionContext
) -> None:
    """Restricting relations from live records outside ``doomed`` refuse the delete."""
    errors: list[FieldError] = []
    hidden = False
    for table_key, ids in doomed.items():
        for other, key in _referrers(app, table_key, "restrict"):
            spared = doomed.get(other.key, set())
            scope = table_access(app, other, actor).scope("read", context)
            visible = sa.func.coalesce(sa.func.sum(sa.case((scope, 1), else_=0)), 0)
            total = seen = 0
            for chunk in chunked(sorted(ids)):
                where = [other.expression(key).in_(chunk), other.table.c.deleted_at.is_(None)]
                if spared:
                    where.append(other.table.c.id.not_in(sorted(spared)))
                row = conn.execute(
                    sa.select(sa.func.count(), visible).select_from(other.table).where(*where)
                ).one()
                total, seen = total + int(row[0]), seen + int(row[1])
            if total > seen:
                hidden = True
            elif total:
                errors.append(
                    FieldError(None, "still_referenced", {"table": other.label(), "count": total})
                )
    if hidden:
        errors = [FieldError(None, "still_referenced_hidden", {})]
    if errors:
        raise RecordValidationError(errors)


def delete_cascading(
    conn: sa.Connection,
    app: AppPlan,
    plan: TablePlan,
    record_id: int,
    existing: Mapping[str, Any],
    doomed: Doomed,
    actor: Actor,
    now: datetime,
) -> None:
    """Move the record and the records cascading from it (``doomed``) to the bin."""
    cascaded = {k: sorted(v - {record_id} if k == plan.key else v) for k, v in doomed.items()}
    cascaded = {k: v for k, v in cascaded.items() if v}
    extra = {"cascade": cascaded} if cascaded else None
    _write.set_deleted(conn, app, plan, record_id, existing, actor, now, restore=False, extra=extra)
    origin = {"deleted_with": {"table": plan.key, "id": record_id}}
    for table_key, ids in cascaded.items():
        other = app[table_key]
        for other_id, values in _load(conn, other, ids).items():
            _write.set_deleted(
                conn, app, other, other_id, values, actor, now, restore=False, extra=origin
            )


def restore_cascading(
    conn: sa.Connection,
    app: AppPlan,
    plan: TablePlan,
    record_id: int,
    existing: Mapping[str, Any],
    actor: Actor,
    now: datetime,
) -> None:
    """Bring the record back with the records its deletion cascaded to — those its
    delete audit entry lists, when still in the bin since that same deletion (one deleted
    on its own before or after stays). A unique value taken meanwhile fails the whole
    restore with the unique error."""
    restored: list[tuple[TablePlan, int, dict[str, Any]]] = [(plan, record_id, dict(existing))]
    cascaded: dict[str, list[int]] = {}
    for table_key, ids in _cascaded_by(conn, app, plan, record_id).items():
        if table_key not in app.plans:
            continue  # a table removed from the app since
        other = app[table_key]
        for other_id, values in _load(conn, other, ids).items():
            if values.get("deleted_at") == existing["deleted_at"]:
                restored.append((other, other_id, values))
                cascaded.setdefault(table_key, []).append(other_id)
    for index, (other, other_id, values) in enumerate(restored):
        if index == 0:
            extra = {"cascade": cascaded} if cascaded else None
        else:
            extra = {"restored_with": {"table": plan.key, "id": record_id}}
        try:
            with conn.begin_nested():
                _write.set_deleted(
                    conn, app, other, other_id, values, actor, now, restore=True, extra=extra
                )
        except sa.exc.IntegrityError as exc:
            raise _write.integrity_error(other, exc, values, None) from exc


def _cascaded_by(
    conn: sa.Connection, app: AppPlan, plan: TablePlan, record_id: int
) -> dict[str, list[int]]:
    """The records the latest deletion of this record cascaded to, from its audit entry."""
    audit = app.tables.system["kairos_audit"]
    changes = conn.execute(
        sa.select(audit.c.changes)
        .where(
            audit.c.app_key == app.app.key,
            audit.c.table_key == plan.key,
            audit.c.record_id == record_id,
            audit.c.action == "delete",
        )
        .order_by(audit.c.id.desc())
        .limit(1)
    ).scalar()
    listed = (changes or {}).get("cascade") or {}
    return {
        str(k): sorted(int(i) for i in ids) for k, ids in listed.items() if isinstance(ids, list)
    }


def _load(conn: sa.Connection, plan: TablePlan, ids: list[int]) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    for chunk in chunked(ids):
        rows = conn.execute(sa.select(plan.table).where(plan.table.c.id.in_(chunk))).mappings()
        out.update({row["id"]: row_values(plan, row) for row in rows})
    return dict(sorted(out.items()))
