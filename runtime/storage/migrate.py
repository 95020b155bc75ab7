"""Migrate the live database to a newly published app definition.

``plan_migration`` compares the tables built from the new definition with the database as
it is (reflection) and with the previously published definition (for renames), and returns
small, describable steps. ``apply_migration`` runs them with Alembic operations — batch mode,
so SQLite rebuilds a table when it must — inside the caller's single transaction.

Nothing is ever dropped. A removed field's column, or a removed table, is renamed to
``_archived_<name>`` and restored with its data when the field or table comes back. A type
change converts every stored value with the new field type's ``parse`` (originals are kept
in an archived column) or refuses, listing the rows that would not convert; a new unique
index refuses while live rows share values. New or changed formula, lookup and rollup fields
(and the computed fields reading them) are recomputed for every existing row as the last
steps. See docs/migrations.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy.engine import Engine

from form_engine.messages import FieldError
from runtime.db import WRITE_OPTION, is_sqlite
from runtime.storage._live import LiveSchema
from runtime.storage._naming import archived_name, free_archive_generation
from runtime.storage._plan_table import MANAGED_INDEX_PREFIX, TablePlanner
from runtime.storage._problems import MigrationRefused, ProblemList, RowProblem
from runtime.storage._recompute import RecomputeField
from runtime.storage._recompute_plan import recompute_steps
from runtime.storage._steps import (
    Action,
    AddColumn,
    AddForeignKey,
    ArchiveColumn,
    ArchiveTable,
    ChangeColumnType,
    CreateIndex,
    CreateTable,
    DropIndex,
    Phase,
    RenameColumn,
    RenameTable,
    RestoreColumn,
    RestoreTable,
    Step,
)
from runtime.storage._texts import phrase
from runtime.storage.tables import AppTables, physical_name
from schemas.spec import DEFAULT_LOCALE, AppSpec, TableSpec

__all__ = [
    "AddColumn",
    "AddForeignKey",
    "ArchiveColumn",
    "ArchiveTable",
    "ChangeColumnType",
    "CreateIndex",
    "CreateTable",
    "DropIndex",
    "MigrationPlan",
    "MigrationRefused",
    "RecomputeField",
    "RenameColumn",
    "RenameTable",
    "RestoreColumn",
    "RestoreTable",
    "RowProblem",
    "Step",
    "apply_migration",
    "migration_transaction",
    "plan_migration",
]

_TABLE_KEY = re.compile(r"^[a-z][a-z0-9_]{0,29}$")


@dataclass(frozen=True)
class MigrationPlan:
    """The steps that bring the database in line with one app definition."""

    app_key: str
    steps: tuple[Step, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.steps

    def describe(self, locale: str = DEFAULT_LOCALE) -> list[str]:
        """One line per step, or a single "no changes" line."""
        if not self.steps:
            return [phrase("no_changes", locale)]
        return [step.describe(locale) for step in self.steps]

    def as_dict(self) -> dict[str, Any]:
        return {"app": self.app_key, "steps": [step.as_dict() for step in self.steps]}


# --- planning ------------------------------------------------------------------------------
def plan_migration(
    bind: Engine | sa.Connection, tables: AppTables, previous: AppSpec | None
) -> MigrationPlan:
    """Plan the migration to ``tables`` (built from the new definition).

    ``previous`` is the published definition the database was built from (None on the first
    publish); it tells renames apart from a removal plus an addition. Raises
    ``MigrationRefused`` listing every row the new definition cannot take.
    """
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            return plan_migration(conn, tables, previous)
    return _Planner(bind, tables, previous).plan()


class _Planner:
    def __init__(self, conn: sa.Connection, tables: AppTables, previous: AppSpec | None) -> None:
        self.conn = conn
        self.tables = tables
        self.app = tables.app
        self.previous = previous
        self.old_tables = AppTables(previous, tables.registry) if previous is not None else None
        self.live = LiveSchema(conn)
        self.problems = ProblemList()

    def plan(self) -> MigrationPlan:
        archive_steps: list[Step] = []
        move_steps: list[Step] = []
        create: set[str] = set()
        planners: list[TablePlanner] = []
        used: set[str] = set()
        moved: dict[str, str] = {}
        sources: list[tuple[TableSpec, sa.Table, str, TableSpec | None]] = []
        for spec in self.app.tables:
            desired = self.tables.table(spec.key)
            source, old_spec, step = self._source(spec, desired.name)
            if step is not None:
                move_steps.append(step)
            if source is None:
                create.add(desired.name)
                continue
            used.add(source)
            moved[source] = desired.name
            sources.append((spec, desired, source, old_spec))
        for spec, desired, source, old_spec in sources:
            planners.append(
                TablePlanner(
                    self.conn,
                    self.live,
                    self.tables,
                    spec,
                    desired,
                    source,
                    old_spec,
                    self.old_tables,
                    self.problems,
                    moved_tables=moved,
                )
            )
        archive_steps = list(self._archive_tables(used))
        creates = self._creates([t for _, t in self.tables if t.name in create])
        column_steps = [step for planner in planners for step in _ordered(planner.plan())]
        ordered_moves = _rename_order(move_steps, self.problems, self.app.key)
        self.problems.raise_if_any()
        recomputes = recompute_steps(self.tables, self.previous, column_steps, create)
        steps = (*archive_steps, *ordered_moves, *creates, *column_steps, *recomputes)
        return MigrationPlan(self.app.key, steps)

    def _creates(self, new_tables: list[sa.Table]) -> list[Step]:
        """CreateTable steps, each after the tables it refers to. SQLite accepts references
        to tables that do not exist yet, so there every key is created inline; elsewhere a
        reference cycle between new tables is closed by AddForeignKey afterwards."""
        order = list(sa.schema.sort_tables_and_constraints(new_tables))
        names = {t.name for t in new_tables}
        cyclic = [
            fk
            for table, keys in order
            if table is None and not is_sqlite(self.conn)
            for fk in keys
            if fk.referred_table.name in names
        ]
        steps: list[Step] = []
        for table, _keys in order:
            if table is not None:
                inline = tuple(k for k in table.foreign_key_constraints if k not in cyclic)
                steps.append(CreateTable(self._key(table.name), table, inline))
        steps += [AddForeignKey(self._key(fk.table.name), fk) for fk in cyclic]
        return steps

    def _key(self, name: str) -> str:
        return name.removeprefix(f"{self.app.key}__")

    def _old_spec(self, key: str | None) -> TableSpec | None:
        if self.previous is None or key is None or not self.previous.has_table(key):
            return None
        return self.previous.table(key)

    def _source(
        self, spec: TableSpec, name: str
    ) -> tuple[str | None, TableSpec | None, Step | None]:
        """Where the table's data lives now, and the step that moves it into place."""
        if self.live.has_table(name):
            return name, self._old_spec(spec.key), None
        if spec.renamed_from:
            old = physical_name(self.app.key, spec.renamed_from)
            if self.live.has_table(old):
                step = RenameTable(spec.key, spec.renamed_from, old, name)
                return old, self._old_spec(spec.renamed_from), step
        archive = archived_name(name)
        if self.live.has_table(archive):
            return archive, self._old_spec(spec.key), RestoreTable(spec.key, archive, name)
        return None, None, None

    def _archive_tables(self, used: set[str]) -> Iterator[Step]:
        """Live tables of this app that no table of the new definition uses."""
        prefix = f"{self.app.key}__"
        taken = set(self.live.table_names)
        for name in sorted(self.live.table_names):
            key = name.removeprefix(prefix)
            if not name.startswith(prefix) or name in used or not _TABLE_KEY.match(key):
                continue
            archive = archived_name(name)
            displaced = None
            if archive in taken and archive not in used:
                displaced = free_archive_generation(name, taken)
                taken.add(displaced)
            taken.add(archive)
            indexes = tuple(
                ix for ix in self.live.table(name).indexes if ix.startswith(MANAGED_INDEX_PREFIX)
            )
            yield ArchiveTable(key, name, archive, displaced, indexes)


def _ordered(steps: list[Step]) -> list[Step]:
    """Steps in plan order, with the renaming ones sorted so each target name is free."""
    renaming = [s for s in steps if hasattr(s, "renames") and s.renames()]
    others = [s for s in steps if s not in renaming]
    problems = ProblemList()
    ordered = _rename_order(renaming, problems, "")
    problems.raise_if_any()
    return [*others, *ordered]


def _pairs(step: Step) -> list[tuple[str, str]]:
    if isinstance(step, RenameTable):
        return [(step.old, step.new)]
    if isinstance(step, RestoreTable):
        return [(step.archive, step.name)]
    return list(step.renames())  # type: ignore[attr-defined]


def _rename_order(steps: Sequence[Step], problems: ProblemList, app_key: str) -> list[Step]:
    """Order renames so none targets a name another pending rename still has to vacate."""
    pending, ordered = list(steps), []
    while pending:
        for step in pending:
            sources = {old for other in pending if other is not step for old, _ in _pairs(other)}
            if not {new for _, new in _pairs(step)} & sources:
                ordered.append(step)
                pending.remove(step)
                break
        else:
            names = ", ".join(f"{old} → {new}" for s in pending for old, new in _pairs(s))
            error = FieldError(None, "migration_rename_cycle", {"renames": names})
            problems.add(RowProblem(pending[0].table_key, None, None, app_key or None, error))
            return ordered
    return ordered


# --- applying ------------------------------------------------------------------------------
def apply_migration(conn: sa.Connection, plan: MigrationPlan) -> None:
    """Run ``plan`` on ``conn``, which must be inside a transaction from
    ``migration_transaction`` (on SQLite that one has foreign-key enforcement off, so
    rebuilding a table cannot cascade into its child rows).

    May raise ``MigrationRefused`` when rows changed since planning; the caller's
    transaction then rolls back and nothing is changed.
    """
    if plan.is_empty:
        return
    if is_sqlite(conn) and conn.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError(
            "apply_migration on SQLite needs PRAGMA foreign_keys=OFF; "
            "use runtime.storage.migrate.migration_transaction()"
        )
    ops = Operations(MigrationContext.configure(conn))
    actions = [action for step in plan.steps for action in step.actions()]
    for action in actions:
        if action.phase is Phase.TABLE:
            _run(action, conn, ops)
    per_table: dict[str, list[Action]] = {}
    for action in actions:
        if action.phase not in (Phase.TABLE, Phase.RECOMPUTE):
            per_table.setdefault(action.table, []).append(action)
    for table, table_actions in per_table.items():
        table_actions.sort(key=lambda a: a.phase)  # stable: plan order within a phase
        _run_table(table, table_actions, conn, ops)
    for action in actions:
        if action.phase is Phase.RECOMPUTE:
            _run(action, conn, ops)


def _run(action: Action, conn: sa.Connection, ops: Operations) -> None:
    assert action.direct is not None
    action.direct(conn, ops)


def _run_table(table: str, actions: list[Action], conn: sa.Connection, ops: Operations) -> None:
    """Run actions in order; consecutive batch actions share one ``batch_alter_table``."""
    index = 0
    while index < len(actions):
        if actions[index].batch is None:
            _run(actions[index], conn, ops)
            index += 1
            continue
        with ops.batch_alter_table(table, recreate="auto") as batch:
            while index < len(actions) and actions[index].batch is not None:
                run_batch = actions[index].batch
                assert run_batch is not None
                run_batch(batch)
                index += 1


@contextmanager
def migration_transaction(engine: Engine) -> Iterator[sa.Connection]:
    """One write transaction for a migration, committed when the block ends.

    SQLite: ``PRAGMA foreign_keys`` cannot change inside a transaction, so it is switched
    off on this connection before BEGIN (a batch rebuild drops and re-creates a table, which
    with enforcement on would cascade deletes into child tables), ``PRAGMA
    foreign_key_check`` runs before COMMIT (any dangling reference refuses the migration)
    and enforcement is switched back on before the connection returns to the pool.
    """
    with engine.connect().execution_options(**{WRITE_OPTION: True}) as conn:
        sqlite = is_sqlite(conn)
        if sqlite:
            _set_foreign_keys(conn, on=False)
        try:
            with conn.begin():
                yield conn
                if sqlite:
                    _check_foreign_keys(conn)
        finally:
            if sqlite:
                _set_foreign_keys(conn, on=True)


def _set_foreign_keys(conn: sa.Connection, *, on: bool) -> None:
    # The DBAPI connection runs in autocommit (runtime.db), so the pragma applies at once.
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    dbapi.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def _check_foreign_keys(conn: sa.Connection) -> None:
    problems = ProblemList()
    for table, rowid, parent, _fkid in conn.exec_driver_sql("PRAGMA foreign_key_check"):
        error = FieldError(None, "migration_foreign_key", {"table": parent})
        problems.add(RowProblem(table, rowid, None, parent, error))
    problems.raise_if_any()
