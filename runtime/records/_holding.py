"""Holding records for write: loading a record for a write with the actor's rights checked
and its row locked, the ``row_version`` check — and, across a unit of work, what an
operation over several records (a merge and its undo) needs beyond the one-record calls.

``RecordService.lock`` holds a record for the rest of the unit (``_unit.hold``). The
references to held records may then be listed (``references``) and moved between held
records (``repoint``) without rights on the referring records: a rep merging two
customers must not fail because a colleague's follow-up points at one of them. Such a
move is otherwise an ordinary update — validated, lookups and rollups refreshed, audited
with the actor, announced by an event. See docs/records.md, "Holding records".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from form_engine.conditions import ConditionContext
from runtime.records import _guard as guard
from runtime.records._output import row_values
from runtime.records._permissions import TableAccess
from runtime.records._plan import AppPlan, TablePlan
from runtime.records._prefetch import chunked
from runtime.records._unit import hold, holds, joined, read_scope, write_scope
from runtime.records.actor import Actor
from runtime.records.errors import PermissionDenied, QueryError, RecordConflict, RecordNotFound
from runtime.storage.tables import AppTables

ACTIONS = ("update", "delete")
"""What a record may be held for."""


@dataclass(frozen=True)
class Reference:
    """Live record ``id`` of ``table`` whose relation ``field`` points at ``target``."""

    table: str
    field: str
    id: int
    target: int


@dataclass(frozen=True)
class RecordVersion:
    """A record's ``row_version`` and whether it is in the recycle bin."""

    row_version: int
    deleted: bool


def load_for_write(
    conn: sa.Connection,
    plan: TablePlan,
    access: TableAccess,
    record_id: int,
    action: str,
    context: ConditionContext,
    *,
    deleted: bool = False,
) -> dict[str, Any]:
    """The stored record, if the actor may see it (else RecordNotFound) and may
    ``action`` it (else PermissionDenied). Locks the row on PostgreSQL."""
    table = plan.table
    allowed = sa.case((access.scope(action, context), 1), else_=0).label("_allowed")
    state = table.c.deleted_at.is_not(None) if deleted else table.c.deleted_at.is_(None)
    query = sa.select(table, allowed).where(
        table.c.id == record_id, state, access.scope("read", context)
    )
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(of=table)
    row = conn.execute(query).mappings().first()
    if row is None:
        raise RecordNotFound(plan.label(), record_id)
    if not row["_allowed"]:
        raise PermissionDenied.action(action, plan.label())
    return row_values(plan, row)


def check_version(
    conn: sa.Connection, tables: AppTables, existing: Mapping[str, Any], expected: int | None
) -> None:
    """RecordConflict when ``expected`` is given and is not the record's ``row_version``."""
    if expected is None or int(expected) == int(existing["row_version"]):
        return
    raise conflict(conn, tables, existing)


def conflict(conn: sa.Connection, tables: AppTables, existing: Mapping[str, Any]) -> RecordConflict:
    """The error for a record saved by someone else since the caller read it."""
    users = tables.system["kairos_user"]
    name = None
    if existing.get("updated_by") is not None:
        name = conn.execute(
            sa.select(users.c.display_name).where(users.c.id == existing["updated_by"])
        ).scalar()
    return RecordConflict(
        current_version=int(existing["row_version"]),
        updated_by=existing.get("updated_by"),
        updated_by_name=name,
        updated_at=existing["updated_at"],
    )


class Holding:
    """Mixed into RecordService, which supplies what is declared here."""

    if TYPE_CHECKING:
        engine: Engine
        tables: AppTables
        app: AppPlan

        def plan(self, table: str) -> TablePlan: ...

        def access(self, actor: Actor, plan: TablePlan) -> TableAccess: ...

        def context(self, actor: Actor, now: datetime | None = None) -> ConditionContext: ...

        def _update(
            self,
            conn: sa.Connection,
            actor: Actor,
            plan: TablePlan,
            access: TableAccess,
            record_id: int,
            values: Mapping[str, Any],
            row_version: int | None,
        ) -> dict[str, Any]: ...

    def lock(
        self,
        actor: Actor,
        table: str,
        record_id: int,
        *,
        action: str = "update",
        deleted: bool = False,
    ) -> dict[str, Any]:
        """Hold a record for the rest of the open unit of work (RuntimeError outside
        one): the actor must see it (else RecordNotFound) and may ``action`` it —
        ``update`` or ``delete`` — (else PermissionDenied); its row stays locked on
        PostgreSQL. ``deleted`` holds a record in the recycle bin (to restore it).
        Returns its stored columns as Python values, unmasked — a before-image for the
        caller's writes, never for display. Holding it again reads it afresh."""
        plan = self.plan(table)
        record_id = guard.record_id(plan, record_id)
        if action not in ACTIONS:
            raise ValueError(f"cannot hold a record for {action!r}; use one of {ACTIONS}")
        access = self.access(actor, plan)
        access.require(action)
        conn = joined(self.engine)
        if conn is None:
            raise RuntimeError("lock needs an open unit of work (service.unit_of_work())")
        context = self.context(actor)
        values = load_for_write(conn, plan, access, record_id, action, context, deleted=deleted)
        hold(self.engine, (actor.user_id, plan.key, record_id))
        return values

    def references(self, actor: Actor, table: str, record_ids: Sequence[int]) -> list[Reference]:
        """Every live record, of any table, whose stored relation points at one of
        ``record_ids`` — whether the actor may read it or not, so each of ``record_ids``
        must be held by the actor (``lock``), else PermissionDenied. Ordered by table
        and relation as the app defines them, then by id."""
        plan = self.plan(table)
        ids = sorted({guard.record_id(plan, i) for i in record_ids})
        self._require_held(actor, plan, ids)
        found: list[Reference] = []
        with read_scope(self.engine) as conn:
            for other in self.app.plans.values():
                for key, target in other.relation_targets.items():
                    if target != plan.key or not other.fields[key].stored:
                        continue
                    column = other.expression(key)
                    pointing: dict[int, int] = {}
                    for chunk in chunked(ids):
                        rows = conn.execute(
                            sa.select(other.table.c.id, column.label("target")).where(
                                column.in_(chunk), other.table.c.deleted_at.is_(None)
                            )
                        )
                        pointing.update({int(r.id): int(r.target) for r in rows})
                    found += [Reference(other.key, key, i, pointing[i]) for i in sorted(pointing)]
        return found

    def repoint(
        self,
        actor: Actor,
        table: str,
        record_id: int,
        field: str,
        *,
        was: int | None,
        to: int | None,
    ) -> None:
        """Move relation ``field`` of one record from record ``was`` of its target table
        to record ``to`` (None: empty). ``was`` and ``to`` must each be None or held by
        the actor (``lock``), else PermissionDenied (not both None); a reference that no
        longer points at ``was`` raises RecordConflict. No right on the referring record
        is needed (module doc); the write is an update like any other, in the actor's
        name — on the ``system`` channel for a ``readonly`` field. A child-table row has
        no write path of its own: its column is set directly, without an audit entry."""
        plan = self.plan(table)
        record_id = guard.record_id(plan, record_id)
        target_key = plan.relation_targets.get(field) if isinstance(field, str) else None
        if target_key is None or not plan.fields[field].stored:
            raise QueryError("unknown_field", table=plan.label(), value=guard.shown(field))
        target = self.plan(target_key)
        ends = [i for i in (was, to) if i is not None]
        if not ends:
            raise ValueError("repoint moves a reference from or to a held record")
        self._require_held(actor, target, [guard.record_id(target, i) for i in ends])
        if plan.parent:
            self._repoint_child_row(plan, record_id, field, was, to)
            return
        channel = "system" if plan.fields[field].spec.readonly else actor.channel
        acting = replace(actor, is_admin=True, channel=channel)
        access = self.access(acting, plan)
        with write_scope(self.engine) as conn:
            context = self.context(acting)
            existing = load_for_write(conn, plan, access, record_id, "update", context)
            if existing.get(field) != was:
                raise conflict(conn, self.tables, existing)
            self._update(conn, acting, plan, access, record_id, {field: to}, None)

    def versions(self, table: str, record_ids: Sequence[int]) -> dict[int, RecordVersion]:
        """The ``row_version`` of each existing record of ``record_ids``, live or in the
        recycle bin, whoever may read it — bookkeeping for an operation that must later
        tell whether anything changed since (undoing a merge); no field values."""
        plan = self.plan(table)
        ids = sorted({guard.record_id(plan, i) for i in record_ids})
        out: dict[int, RecordVersion] = {}
        with read_scope(self.engine) as conn:
            for chunk in chunked(ids):
                rows = conn.execute(
                    sa.select(
                        plan.table.c.id, plan.table.c.row_version, plan.table.c.deleted_at
                    ).where(plan.table.c.id.in_(chunk))
                )
                for row in rows:
                    out[int(row.id)] = RecordVersion(
                        int(row.row_version), row.deleted_at is not None
                    )
        return out

    def _require_held(self, actor: Actor, plan: TablePlan, ids: Sequence[int]) -> None:
        for record_id in ids:
            if not holds(self.engine, (actor.user_id, plan.key, record_id)):
                raise PermissionDenied.action("update", plan.label())

    def _repoint_child_row(
        self, plan: TablePlan, record_id: int, field: str, was: int | None, to: int | None
    ) -> None:
        column = plan.expression(field)
        matches = column.is_(None) if was is None else column == was
        with write_scope(self.engine) as conn:
            moved = conn.execute(
                plan.table.update().where(plan.table.c.id == record_id, matches).values({field: to})
            ).rowcount
            if moved:
                return
            row = (
                conn.execute(sa.select(plan.table).where(plan.table.c.id == record_id))
                .mappings()
                .first()
            )
            if row is None:
                raise RecordNotFound(plan.label(), record_id)
            raise conflict(conn, self.tables, row_values(plan, row))
