"""``RecordService``: the one way records are written and read (DESIGN.md §1.3, §5).

Every write — form, API, import, flow — validates, checks permissions, materialises
computed values, writes the audit entry and the outbox event in one transaction. Every
read applies the actor's row scope and field access. See docs/records.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from form_engine.conditions import ConditionContext
from form_engine.fields.base import FieldTypeRegistry
from form_engine.messages import FieldError, ParseError
from runtime.records import _delete, _write
from runtime.records import _guard as guard
from runtime.records._bulk import bulk_insert
from runtime.records._children import load_children
from runtime.records._holding import Holding, check_version, load_for_write
from runtime.records._insert import sync_id_sequence
from runtime.records._output import to_output
from runtime.records._permissions import TableAccess, table_access
from runtime.records._plan import AppPlan, TablePlan, app_plan
from runtime.records._prepare import prepare
from runtime.records._preview import Preview, preview_write
from runtime.records._reads import Reader
from runtime.records._unit import (
    Discard,
    UnitOfWork,
    open_unit,
    read_scope,
    scratch_scope,
    write_scope,
)
from runtime.records._validate import value_problem
from runtime.records.actor import Actor
from runtime.records.errors import (
    PermissionDenied,
    QueryError,
    RecordError,
    RecordValidationError,
)
from runtime.storage.tables import AppTables

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class BulkResult:
    """Ids of the created records (in input order), the errors per input row index, and
    the duplicate-rule warnings (action ``warn``) of rows that were created."""

    created: list[int] = field(default_factory=list)
    errors: dict[int, RecordError] = field(default_factory=dict)
    warnings: dict[int, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class BulkUpdateResult:
    """Ids of the updated records (in input order) and the errors per input row index."""

    updated: list[int] = field(default_factory=list)
    errors: dict[int, RecordError] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


class RecordService(Reader, Holding):
    """Create, read, update, delete, restore, bulk, upsert, query, aggregate, history;
    within a unit of work, hold records for write and move references between them.

    ``clock`` returns the current aware UTC time (tests pass a fixed one); ``registry`` is
    taken from ``tables`` when not given.
    """

    def __init__(
        self,
        engine: Engine,
        tables: AppTables,
        registry: FieldTypeRegistry | None = None,
        clock: Clock | None = None,
    ) -> None:
        if registry is not None and registry is not tables.registry:
            raise ValueError("registry must be the one the AppTables were built with")
        self.engine = engine
        self.tables = tables
        self.app: AppPlan = app_plan(tables)
        self.clock: Clock = clock or (lambda: datetime.now(UTC))

    # --- helpers --------------------------------------------------------------------
    def plan(self, table: str) -> TablePlan:
        """The compiled plan of ``table`` (its fields with their types and kinds, child
        tables, relations …), read-only; QueryError for an unknown table."""
        try:
            return self.app[table]
        except KeyError:
            raise QueryError(detail=f"app {self.app.app.key!r} has no table {table!r}") from None

    def access(self, actor: Actor, plan: TablePlan) -> TableAccess:
        return table_access(self.app, plan, actor)

    def context(self, actor: Actor, now: datetime | None = None) -> ConditionContext:
        return ConditionContext(
            user_id=actor.user_id, now=now or self.clock(), timezone=self.app.timezone
        )

    def _children_access(self, actor: Actor, plan: TablePlan) -> dict[str, Any]:
        return {
            k: (self.app[c], table_access(self.app, self.app[c], actor))
            for k, c in plan.children.items()
        }

    def _output(
        self, actor: Actor, plan: TablePlan, access: TableAccess, values: Mapping[str, Any]
    ) -> dict[str, Any]:
        return to_output(plan, values, access, children=self._children_access(actor, plan))

    # --- preview --------------------------------------------------------------------
    def preview(
        self,
        actor: Actor,
        table: str,
        values: Mapping[str, Any],
        *,
        record_id: int | None = None,
    ) -> Preview:
        """What ``create`` (``record_id`` None) or ``update`` of ``values`` would store and
        every error it would raise, without writing anything (docs/records.md,
        "Preview"). Needs the create or update action like the write; an existing record
        must be in the actor's read scope (else RecordNotFound) and update scope (else
        PermissionDenied). Validation problems are returned in ``errors``, not raised."""
        plan = self.plan(table)
        values = guard.record(values)
        if record_id is not None:
            record_id = guard.record_id(plan, record_id)
        access = self.access(actor, plan)
        access.require("create" if record_id is None else "update")
        with scratch_scope(self.engine) as conn:
            return preview_write(
                conn, self.app, plan, access, actor, values, self.context(actor), record_id
            )

    # --- units of work --------------------------------------------------------------
    def unit_of_work(self, *, commit: bool = True) -> AbstractContextManager[UnitOfWork]:
        """``with service.unit_of_work() as unit:`` — every call of this service inside the
        block joins one transaction: each write is a savepoint (a call that fails undoes
        only itself and raises as usual), reads see the block's writes, and the whole
        commits when the block ends. It rolls back on an exception, with
        ``commit=False`` (dry runs), or after ``unit.discard()``. Units do not nest.
        Imports (all-or-nothing) and merges use it; see docs/records.md."""
        return open_unit(self.engine, commit=commit)

    # --- create ---------------------------------------------------------------------
    def create(
        self, actor: Actor, table: str, values: Mapping[str, Any], *, owner_id: int | None = None
    ) -> dict[str, Any]:
        """Create one record; returns it (JSON form). Raises RecordValidationError with
        every problem, PermissionDenied without the create action."""
        plan = self.plan(table)
        values = guard.record(values)
        access = self.access(actor, plan)
        access.require("create")
        if owner_id is not None:
            values = {**values, "owner_id": owner_id}
        with write_scope(self.engine) as conn:
            record = self._create(conn, actor, plan, access, values, None)
        return self._output(actor, plan, access, record)

    def _create(
        self,
        conn: sa.Connection,
        actor: Actor,
        plan: TablePlan,
        access: TableAccess,
        values: Mapping[str, Any],
        record_id: int | None,
    ) -> dict[str, Any]:
        now = self.clock()
        draft = prepare(conn, self.app, plan, access, actor, values, self.context(actor, now))
        if draft.errors:
            raise RecordValidationError(draft.errors)
        stamps = None if record_id is None else {"id": record_id}
        _write.insert_record(conn, self.app, plan, draft, actor, now, stamps=stamps)
        return draft.values

    def bulk_create(
        self,
        actor: Actor,
        table: str,
        rows: Sequence[Mapping[str, Any]],
        *,
        atomic: bool = True,
        preserve_ids: bool = False,
    ) -> BulkResult:
        """Create many records in one transaction, set-based (docs/records.md, "Bulk").
        ``atomic``: any error creates none; otherwise each row succeeds or fails alone.
        Errors are keyed by row index, the same errors ``create`` gives.
        ``preserve_ids`` (administrators and the system only) keeps each row's ``id`` and
        accepts the system values ``created_at``, ``updated_at``, ``created_by`` and
        ``updated_by`` of an import."""
        plan = self.plan(table)
        rows = guard.rows(rows)
        access = self.access(actor, plan)
        access.require("create")
        if preserve_ids and not access.unrestricted:
            raise PermissionDenied("preserve_ids_admin_only")
        now = self.clock()
        try:
            with write_scope(self.engine) as conn:
                outcome = bulk_insert(
                    conn,
                    self.app,
                    plan,
                    access,
                    actor,
                    rows,
                    now,
                    atomic=atomic,
                    preserve_ids=preserve_ids,
                )
                if atomic and outcome.errors:
                    raise Discard(BulkResult([], outcome.errors))
                if preserve_ids and conn.dialect.name == "postgresql" and outcome.created:
                    sync_id_sequence(conn, plan.table)
        except Discard as discarded:
            return discarded.result  # type: ignore[return-value]
        return BulkResult(outcome.created, outcome.errors, outcome.warnings)

    # --- update ---------------------------------------------------------------------
    def update(
        self,
        actor: Actor,
        table: str,
        record_id: int,
        values: Mapping[str, Any],
        *,
        row_version: int | None = None,
    ) -> dict[str, Any]:
        """Change the given fields only. With ``row_version`` (or ``values["row_version"]``)
        a record saved by someone else since raises RecordConflict."""
        plan = self.plan(table)
        record_id = guard.record_id(plan, record_id)
        values = guard.record(values)
        row_version = guard.row_version(
            values.get("row_version") if row_version is None else row_version
        )
        access = self.access(actor, plan)
        access.require("update")
        with write_scope(self.engine) as conn:
            record = self._update(conn, actor, plan, access, record_id, values, row_version)
        return self._output(actor, plan, access, record)

    def bulk_update(
        self,
        actor: Actor,
        table: str,
        rows: Sequence[Mapping[str, Any]],
        *,
        atomic: bool = True,
    ) -> BulkUpdateResult:
        """Update many records in one transaction; each row is ``{"id": …, "row_version":
        … (optional), field: value, …}`` and changes only the fields it gives.
        ``atomic``: any error updates none — every row is still checked, so all errors
        come at once; otherwise each row succeeds or fails alone (a savepoint per row).
        Errors are keyed by row index, the same errors ``update`` gives."""
        plan = self.plan(table)
        rows = guard.rows(rows)
        access = self.access(actor, plan)
        access.require("update")
        updated: list[int] = []
        errors: dict[int, RecordError] = {}
        try:
            with write_scope(self.engine) as conn:
                for index, row in enumerate(rows):
                    try:
                        values = dict(guard.record(row))
                        record_id = guard.record_id(plan, values.pop("id", None))
                        row_version = guard.row_version(values.pop("row_version", None))
                        with conn.begin_nested():
                            self._update(conn, actor, plan, access, record_id, values, row_version)
                    except RecordError as error:
                        errors[index] = error
                        continue
                    updated.append(record_id)
                if atomic and errors:
                    raise Discard(BulkUpdateResult([], errors))
        except Discard as discarded:
            return discarded.result  # type: ignore[return-value]
        return BulkUpdateResult(updated, errors)

    def _update(
        self,
        conn: sa.Connection,
        actor: Actor,
        plan: TablePlan,
        access: TableAccess,
        record_id: int,
        values: Mapping[str, Any],
        row_version: int | None,
    ) -> dict[str, Any]:
        now = self.clock()
        context = self.context(actor, now)
        existing = load_for_write(conn, plan, access, record_id, "update", context)
        check_version(conn, self.tables, existing, row_version)
        old_children = {
            k: load_children(conn, self.app[c], [record_id])[record_id]
            for k, c in plan.children.items()
        }
        current = {**existing, **old_children}
        draft = prepare(
            conn,
            self.app,
            plan,
            access,
            actor,
            values,
            context,
            existing=current,
            existing_children=old_children,
            record_id=record_id,
        )
        if draft.errors:
            raise RecordValidationError(draft.errors)
        _write.update_record(
            conn, self.app, plan, record_id, current, old_children, draft, actor, now
        )
        return draft.values

    def upsert(
        self, actor: Actor, table: str, key_fields: Sequence[str], values: Mapping[str, Any]
    ) -> tuple[dict[str, Any], bool]:
        """Update the live record whose ``key_fields`` equal those in ``values``, or create
        one. Returns (record, created). The key fields are a filter: hidden or masked
        ones are refused (PermissionDenied) before any value is looked at, so the outcome
        cannot reveal a value the actor may not see."""
        plan = self.plan(table)
        values = guard.record(values)
        access = self.access(actor, plan)
        if isinstance(key_fields, str) or not key_fields:
            raise QueryError(detail="key_fields must be a non-empty list of field keys")
        for key in key_fields:
            field_plan = plan.fields.get(key) if isinstance(key, str) else None
            if field_plan is None or not field_plan.stored or field_plan.is_child_table:
                raise QueryError("unknown_field", table=plan.label(), value=guard.shown(key))
            if not access.usable_in_queries(key):
                raise PermissionDenied.field("filter", field_plan.spec.label)
        where, errors = [], []
        for key in key_fields:
            field_plan = plan.fields[key]
            try:
                value = field_plan.type.parse(values.get(key), field_plan.spec)
            except ParseError as exc:
                errors.append(exc.to_field_error(key, field_plan.spec.label))
                continue
            problem = value_problem(plan, key, value)
            if problem is not None:
                errors.append(problem)
                continue
            if value is None:
                labels = {
                    loc: ", ".join(plan.fields[k].spec.title(loc) for k in key_fields)
                    for loc in ("zh-CN", "en")
                }
                errors.append(FieldError(key, "upsert_key_missing", {"labels": labels}))
                continue
            where.append(plan.expression(key) == value)
        if errors:
            raise RecordValidationError(errors)
        with write_scope(self.engine) as conn:
            context = self.context(actor)
            found = conn.execute(
                sa.select(plan.table.c.id)
                .where(*where, plan.table.c.deleted_at.is_(None), access.scope("read", context))
                .order_by(plan.table.c.id)
                .limit(1)
            ).scalar()
            if found is None:
                access.require("create")
                record = self._create(conn, actor, plan, access, values, None)
            else:
                access.require("update")
                record = self._update(conn, actor, plan, access, int(found), values, None)
        return self._output(actor, plan, access, record), found is None

    # --- delete / restore -----------------------------------------------------------
    def delete(
        self, actor: Actor, table: str, record_id: int, *, row_version: int | None = None
    ) -> None:
        """Move the record (its child rows and the records related to it with
        ``on_delete: cascade``) to the recycle bin (docs/records.md, "Deleting")."""
        plan = self.plan(table)
        record_id = guard.record_id(plan, record_id)
        row_version = guard.row_version(row_version)
        access = self.access(actor, plan)
        access.require("delete")
        with write_scope(self.engine) as conn:
            now = self.clock()
            context = self.context(actor, now)
            existing = load_for_write(conn, plan, access, record_id, "delete", context)
            check_version(conn, self.tables, existing, row_version)
            doomed = _delete.cascade_set(conn, self.app, plan, record_id)
            _delete.check_not_referenced(conn, self.app, actor, doomed, context)
            _delete.delete_cascading(conn, self.app, plan, record_id, existing, doomed, actor, now)

    def restore(self, actor: Actor, table: str, record_id: int) -> dict[str, Any]:
        """Bring a record back from the recycle bin, with the child rows and cascaded
        records deleted with it."""
        plan = self.plan(table)
        record_id = guard.record_id(plan, record_id)
        access = self.access(actor, plan)
        access.require("delete")
        with write_scope(self.engine) as conn:
            now = self.clock()
            context = self.context(actor, now)
            existing = load_for_write(
                conn, plan, access, record_id, "delete", context, deleted=True
            )
            _delete.restore_cascading(conn, self.app, plan, record_id, existing, actor, now)
            values = {
                **existing,
                "deleted_at": None,
                "updated_at": now,
                "updated_by": actor.user_id,
                "row_version": existing["row_version"] + 1,
            }
            for key, child_key in plan.children.items():
                values[key] = load_children(conn, self.app[child_key], [record_id])[record_id]
        return self._output(actor, plan, access, values)

    def _read(self) -> Any:
        return read_scope(self.engine)
