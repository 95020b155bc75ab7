"""Recomputing the stored values of one computed field for every existing row.

Runs inside the publish transaction, after every schema change, on all rows (records in
the recycle bin too, so restoring one brings back a correct value):

- a **lookup** is one ``UPDATE … SET col = (SELECT …)`` copying the related record's value;
- a **rollup** is one ``UPDATE … SET col = (SELECT aggregate …)`` over the child rows or
  the records linking here;
- a **formula** is evaluated in Python (form_engine.formula) in batches of rows, reading
  only the columns it uses and writing only the values that changed.

Values that do not fit the column (too many digits, text too long) refuse the publish
listing the rows, like a type change. A recompute is not an edit: it writes no audit entry
and does not bump ``row_version`` (docs/migrations.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from alembic.operations import Operations

from form_engine.conditions import ConditionContext, ConditionError, compile_condition
from form_engine.kinds import Kind
from form_engine.messages import FieldError
from runtime.storage._problems import ProblemList, RowProblem
from runtime.storage._steps import Action, Phase, Step
from runtime.storage._texts import phrase
from runtime.storage.tables import AppTables
from schemas.spec import DEFAULT_LOCALE, PARENT_COLUMN, FieldSpec, TableSpec

SYSTEM_KINDS: dict[str, Kind] = {
    "id": Kind.REF,
    "owner_id": Kind.REF,
    "created_by": Kind.REF,
    "updated_by": Kind.REF,
    "created_at": Kind.DATETIME,
    "updated_at": Kind.DATETIME,
    "row_version": Kind.NUMBER,
    "deleted_at": Kind.DATETIME,
}
"""System columns a rollup filter may use."""


@dataclass(frozen=True, eq=False)
class RecomputeField(Step):
    """Recompute formula, lookup or rollup field ``field_key`` of every row."""

    table_key: str
    table: str
    field_key: str
    field_type: str
    tables: AppTables
    kind = "recompute"

    def _params(self) -> dict[str, Any]:
        return {"table": self.table_key, "field": self.field_key}

    def describe(self, locale: str = DEFAULT_LOCALE) -> str:
        return phrase(f"recompute_{self.field_type}", locale, **self._params())

    def actions(self) -> Iterator[Action]:
        def run(conn: sa.Connection, _ops: Operations) -> None:
            problems = ProblemList()
            recompute(conn, self.tables, self.table_key, self.field_key, problems)
            problems.raise_if_any()

        yield Action(Phase.RECOMPUTE, self.table, direct=run)


def recompute(
    conn: sa.Connection, tables: AppTables, table_key: str, field_key: str, problems: ProblemList
) -> None:
    """Recompute one field on every row; values that do not fit go to ``problems``."""
    spec = tables.app.table(table_key)
    field = spec.field(field_key)
    if field.type == "formula":
        from runtime.storage._recompute_formula import recompute_formula

        recompute_formula(conn, tables, spec, field, problems)
    elif field.type == "lookup":
        _recompute_lookup(conn, tables, spec, field, problems)
    else:
        _recompute_rollup(conn, tables, spec, field, problems)


# --- column limits -------------------------------------------------------------------
def column_limit(column_type: sa.types.TypeEngine[Any]) -> tuple[str, Any] | None:
    """``("number", bound)`` when absolute values must stay below ``bound``, ``("text",
    length)`` for a bounded text column, None when anything the type takes fits."""
    impl = getattr(column_type, "impl", column_type)
    if isinstance(impl, sa.Numeric) and not isinstance(impl, sa.Float) and impl.precision:
        return "number", Decimal(10) ** (impl.precision - (impl.scale or 0))
    if isinstance(impl, sa.BigInteger):
        return "number", Decimal(2) ** 63
    if isinstance(impl, sa.Integer):
        return "number", Decimal(2) ** 31
    if isinstance(impl, sa.String) and impl.length:
        return "text", impl.length
    return None


def misfit(limit: tuple[str, Any] | None, value: Any) -> bool:
    """Whether a column value breaks ``limit``."""
    if limit is None or value is None:
        return False
    if limit[0] == "number" and isinstance(value, int | float | Decimal):
        return not isinstance(value, bool) and abs(Decimal(str(value))) >= limit[1]
    return limit[0] == "text" and isinstance(value, str) and len(value) > limit[1]


def misfit_error(field: FieldSpec, limit: tuple[str, Any]) -> FieldError:
    if limit[0] == "number":
        return FieldError(field.key, "number_too_large", {"label": field.label, "limit": limit[1]})
    return FieldError(field.key, "max_length", {"label": field.label, "max": limit[1]})


def _misfit_clause(
    limit: tuple[str, Any] | None, expression: sa.ColumnElement[Any]
) -> sa.ColumnElement[bool] | None:
    if limit is None:
        return None
    if limit[0] == "number":
        return sa.func.abs(expression) >= limit[1]
    return sa.func.length(expression) > limit[1]


def _set_all(
    conn: sa.Connection,
    table: sa.Table,
    field: FieldSpec,
    table_key: str,
    values: dict[str, sa.ColumnElement[Any]],
    problems: ProblemList,
) -> None:
    """Check then run ``UPDATE table SET column = expression, …`` on every row."""
    before = problems.total
    for name, expression in values.items():
        limit = column_limit(table.c[name].type)
        clause = _misfit_clause(limit, expression)
        if clause is None or limit is None:
            continue
        query = sa.select(table.c.id, expression).where(clause).order_by(table.c.id)
        for record_id, value in conn.execute(query):
            problems.add(
                RowProblem(table_key, record_id, field.key, value, misfit_error(field, limit))
            )
    if problems.total == before:
        conn.execute(sa.update(table).values(values))


# --- lookups -------------------------------------------------------------------------
def _recompute_lookup(
    conn: sa.Connection,
    tables: AppTables,
    spec: TableSpec,
    field: FieldSpec,
    problems: ProblemList,
) -> None:
    table = tables.table(spec.key)
    relation = spec.field(field.config["relation"])
    target_spec = tables.app.table(relation.config["target"])
    target = tables.table(target_spec.key).alias("lookup_source")
    link = table.c[tables.field_columns(relation)[0].name]
    sources = [c.name for c in tables.field_columns(target_spec.field(field.config["field"]))]
    own = [c.name for c in tables.field_columns(field)]
    values = {
        name: sa.select(target.c[source])
        .where(target.c.id == link, target.c.deleted_at.is_(None))
        .scalar_subquery()
        for name, source in zip(own, sources, strict=True)
    }
    _set_all(conn, table, field, spec.key, values, problems)


# --- rollups -------------------------------------------------------------------------
def _recompute_rollup(
    conn: sa.Connection,
    tables: AppTables,
    spec: TableSpec,
    field: FieldSpec,
    problems: ProblemList,
) -> None:
    config = field.config
    table = tables.table(spec.key)
    if "child" in config:
        source_spec = tables.app.table(spec.field(config["child"]).config["table"])
        source = tables.table(source_spec.key).alias("rollup_source")
        link = source.c[PARENT_COLUMN]
    else:
        source_spec = tables.app.table(config["table"])
        source = tables.table(source_spec.key).alias("rollup_source")
        link = source.c[tables.field_columns(source_spec.field(config["via"]))[0].name]
    where = [link == table.c.id, source.c.deleted_at.is_(None)]
    if config.get("filter") is not None:
        where.append(_filter(tables, source_spec, source, config["filter"]))
    aggregate = config["aggregate"]
    if aggregate == "count":
        measure: sa.ColumnElement[Any] = sa.func.count(source.c.id)
    else:
        measured = source_spec.field(config["field"])
        column = tables.registry.for_field(measured).sql_expression(source, measured)  # type: ignore[arg-type]
        measure = getattr(sa.func, aggregate)(column)
    value: sa.ColumnElement[Any] = sa.select(measure).where(*where).scalar_subquery()
    if aggregate in ("count", "sum"):
        value = sa.func.coalesce(value, 0)
    (own,) = tables.field_columns(field)
    scale = getattr(getattr(own.type, "impl", own.type), "scale", None)
    if isinstance(getattr(own.type, "impl", own.type), sa.Numeric) and scale is not None:
        value = sa.func.round(value, scale)
    _set_all(conn, table, field, spec.key, {own.name: value}, problems)


def _filter(
    tables: AppTables, spec: TableSpec, source: Any, condition: Any
) -> sa.ColumnElement[bool]:
    """The rollup's filter as SQL on ``source``; a filter that no longer compiles matches
    nothing (as when records are written)."""

    def resolve(key: str) -> tuple[sa.ColumnElement[Any], Kind]:
        if key in SYSTEM_KINDS:
            return source.c[key], SYSTEM_KINDS[key]
        field = spec.field(key) if spec.has_field(key) else None
        field_type = tables.registry.for_field(field) if field is not None else None
        if field is None or field_type is None or not field_type.stored:
            raise KeyError(key)
        return field_type.sql_expression(source, field), field_type.kind_of(field)

    timezone = str(tables.app.settings.get("timezone") or "UTC")
    context = ConditionContext(now=datetime.now(UTC), timezone=timezone)
    try:
        return compile_condition(condition, resolve, context=context)
    except ConditionError:
        return sa.false()
