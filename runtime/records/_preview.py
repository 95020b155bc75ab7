"""Previewing a write: what a create or update would store, and every problem it would
raise, without storing anything.

A form recomputes formulas, lookups and rollups as the user types, and an import or an
API client may want to check a record before sending it. Both need exactly what the write
would do, so the preview runs the write's own ``prepare`` (parse, defaults, lookups, child
rows, rollups, formulas, every check) on a connection whose transaction is rolled back.
Nothing is inserted, no audit entry or outbox event is written and no auto-number is
taken (numbers are reserved at insert, which a preview never reaches).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from form_engine.conditions import ConditionContext
from form_engine.messages import FieldError
from runtime.records._children import load_children
from runtime.records._output import row_values, to_output
from runtime.records._permissions import TableAccess, table_access
from runtime.records._plan import AppPlan, TablePlan
from runtime.records._prepare import prepare
from runtime.records.actor import Actor
from runtime.records.errors import PermissionDenied, RecordNotFound


@dataclass(frozen=True)
class Preview:
    """The record a write would produce, as the actor may see it.

    ``values``: field key → JSON-form value (typed and computed values, defaults on a new
    record, child rows as lists of row dicts); hidden fields are left out and masked ones
    masked, as in ``get``. ``errors``: every FieldError the write would raise (empty when
    it would succeed). ``warnings``: advisory findings the write would not refuse (e.g.
    possible duplicates), as prepared by the record kernel."""

    values: dict[str, Any]
    errors: list[FieldError] = field(default_factory=list)
    warnings: list[Any] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def preview_write(
    conn: sa.Connection,
    app: AppPlan,
    plan: TablePlan,
    access: TableAccess,
    actor: Actor,
    values: Mapping[str, Any],
    context: ConditionContext,
    record_id: int | None,
) -> Preview:
    """Prepare ``values`` as ``create`` (``record_id`` None) or ``update`` would, on a
    connection the caller rolls back (``_unit.scratch_scope``). The caller has checked
    the table action; an existing record outside the actor's read scope is
    RecordNotFound, outside its update scope PermissionDenied — the same answers
    ``update`` gives."""
    existing = old_children = None
    if record_id is not None:
        existing = _stored(conn, plan, access, record_id, context)
        old_children = {
            k: load_children(conn, app[c], [record_id])[record_id] for k, c in plan.children.items()
        }
        existing = {**existing, **old_children}
    draft = prepare(
        conn,
        app,
        plan,
        access,
        actor,
        values,
        context,
        existing=existing,
        existing_children=old_children,
        record_id=record_id,
    )
    children = {k: (app[c], table_access(app, app[c], actor)) for k, c in plan.children.items()}
    shown = to_output(plan, draft.values, access, children=children)
    return Preview(shown, list(draft.errors), list(getattr(draft, "warnings", None) or []))


def _stored(
    conn: sa.Connection,
    plan: TablePlan,
    access: TableAccess,
    record_id: int,
    context: ConditionContext,
) -> dict[str, Any]:
    """The live stored record (all fields, Python values), checked like an update's load
    but without taking a row lock: a preview holds nothing."""
    table = plan.table
    allowed = sa.case((access.scope("update", context), 1), else_=0).label("_allowed")
    row = (
        conn.execute(
            sa.select(table, allowed).where(
                table.c.id == record_id,
                table.c.deleted_at.is_(None),
                access.scope("read", context),
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        raise RecordNotFound(plan.label(), record_id)
    if not row["_allowed"]:
        raise PermissionDenied.action("update", plan.label())
    return row_values(plan, row)
