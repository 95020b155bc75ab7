"""Computed values materialised in the write transaction: defaults, lookups, rollups over
child rows and back-links, formulas (in dependency order) — stored in real columns so they
can be filtered, sorted and aggregated in SQL."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from form_engine.conditions import ConditionContext, ConditionError, compile_condition
from form_engine.fields.results import coerce_result
from form_engine.formula import FormulaError, evaluate_formula
from form_engine.messages import FieldError, ParseError
from runtime.records._plan import AppPlan, FieldPlan, Rollup, TablePlan
from runtime.records._validate import holds
from runtime.records.errors import RecordValidationError

if TYPE_CHECKING:
    from runtime.records._prefetch import Prefetch


def apply_defaults(
    plan: TablePlan,
    record: dict[str, Any],
    given: set[str],
    context: ConditionContext,
    problems: list[FieldError] | None = None,
) -> None:
    """Fill the literal defaults of fields the caller did not give."""
    for field in plan.fields.values():
        if field.key in given or field.computed or field.spec.default is None:
            continue
        try:
            record[field.key] = field.type.parse(field.spec.default, field.spec)
        except ParseError:
            continue  # a bad default is a definition problem, reported by the builder


def apply_default_formulas(
    plan: TablePlan,
    record: dict[str, Any],
    given: set[str],
    context: ConditionContext,
    problems: list[FieldError] | None = None,
) -> None:
    """Fill formula defaults of fields the caller did not give. Runs after lookups and
    rollups are filled, so a default may read them (probability defaults to the stage's
    probability through a lookup), and before formulas, which may read the default."""
    for key, formula in plan.default_formulas.items():
        if key in given:
            continue
        try:
            value = evaluate_formula(formula, record, now=_local_now(context))
        except FormulaError:
            continue
        record[key] = result_value(plan.fields[key], value, problems)


def result_value(field: FieldPlan, value: Any, problems: list[FieldError] | None = None) -> Any:
    """A formula or aggregate result as a value of the field's (result) type
    (``form_engine.fields.results.coerce_result``).

    A result too large for its column is a ``result_too_large`` error on the computed
    field; it goes to ``problems`` (the value becomes None) or, without a list, is raised
    as RecordValidationError. A result its type cannot parse is left empty."""
    result, error = coerce_result(field.type, field.spec, value)
    if error is not None and error.code == "result_too_large":
        if problems is None:
            raise RecordValidationError([error])
        problems.append(error)
    return result


def fill_lookups(
    conn: sa.Connection,
    app: AppPlan,
    plan: TablePlan,
    record: dict[str, Any],
    relations: set[str] | None = None,
    prefetch: Prefetch | None = None,
) -> None:
    """Copy looked-up fields from the related records (only those whose relation is in
    ``relations``, or all when None). One query per relation field, unless ``prefetch``
    (a batch's related records) already holds the row."""
    by_relation: dict[str, list[Any]] = {}
    for lookup in plan.lookups:
        if relations is None or lookup.relation in relations:
            by_relation.setdefault(lookup.relation, []).append(lookup)
    for relation, lookups in by_relation.items():
        target_id = record.get(relation)
        target = app[lookups[0].target_table]
        row: Mapping[str, Any] | None = None
        known = False
        if target_id is not None and prefetch is not None:
            known, row = prefetch.lookup_row(plan, relation, target_id)
        if target_id is not None and not known:
            columns = [target.table.c.id]
            for lookup in lookups:
                columns += [target.table.c[c] for c in target.fields[lookup.target_field].columns]
            row = (
                conn.execute(
                    sa.select(*columns).where(
                        target.table.c.id == target_id, target.table.c.deleted_at.is_(None)
                    )
                )
                .mappings()
                .first()
            )
        for lookup in lookups:
            source = target.fields[lookup.target_field]
            value = None if row is None else source.type.from_db(row, source.spec)
            record[lookup.key] = value


def child_rollups(
    plan: TablePlan,
    app: AppPlan,
    record: dict[str, Any],
    children: Mapping[str, Sequence[Mapping[str, Any]]],
    context: ConditionContext,
    problems: list[FieldError] | None = None,
) -> None:
    """Aggregate child rows (in memory: they were just validated and computed)."""
    for rollup in plan.child_rollups:
        assert rollup.child_field is not None
        if rollup.child_field not in children:
            continue
        source = app[rollup.source_table]
        rows = [
            row
            for row in children[rollup.child_field]
            if rollup.filter is None or holds(rollup.filter, row, source, context)
        ]
        values = [row.get(rollup.source_field) for row in rows] if rollup.source_field else []
        record[rollup.key] = result_value(
            plan.fields[rollup.key], _aggregate(rollup.aggregate, len(rows), values), problems
        )


def _aggregate(aggregate: str, count: int, values: list[Any]) -> Any:
    if aggregate == "count":
        return count
    present = [v for v in values if v is not None]
    if aggregate == "sum":
        return sum((Decimal(str(v)) for v in present), Decimal(0))
    if not present:
        return None
    if aggregate == "min":
        return min(present)
    if aggregate == "max":
        return max(present)
    return sum(Decimal(str(v)) for v in present) / len(present)  # avg


def empty_backlinks(plan: TablePlan, record: dict[str, Any]) -> None:
    """A new record has no records linking to it yet: counts and sums are 0. The values
    depend on the plan only, so they are worked out once per plan (a bulk import asks
    for every row)."""
    cached = _EMPTY_BACKLINKS.get(id(plan))
    if cached is None or cached[0] is not plan:
        values = {}
        for rollup in plan.backlink_rollups:
            empty = 0 if rollup.aggregate in ("count", "sum") else None
            values[rollup.key] = result_value(plan.fields[rollup.key], empty)
        if len(_EMPTY_BACKLINKS) > 256:  # plans of republished apps: start afresh
            _EMPTY_BACKLINKS.clear()
        cached = _EMPTY_BACKLINKS[id(plan)] = (plan, values)
    record.update(cached[1])


_EMPTY_BACKLINKS: dict[int, tuple[TablePlan, dict[str, Any]]] = {}
"""id(plan) → (plan, its empty back-link values); the plan is kept to check identity.
Values are immutable (numbers, None)."""


def backlink_values_many(
    conn: sa.Connection,
    app: AppPlan,
    plan: TablePlan,
    record_ids: Sequence[int],
    rollups: Sequence[Rollup],
    context: ConditionContext,
) -> dict[int, dict[str, Any]]:
    """Back-link rollups of several records: one grouped aggregate query per rollup."""
    out: dict[int, dict[str, Any]] = {i: {} for i in record_ids}
    for rollup in rollups:
        assert rollup.via is not None
        source = app[rollup.source_table]
        table = source.table
        via = source.expression(rollup.via)
        where = [via.in_(list(record_ids)), table.c.deleted_at.is_(None)]
        if rollup.filter is not None:
            try:
                where.append(
                    compile_condition(
                        rollup.filter,
                        lambda key, s=source: (s.expression(key), s.kinds[key]),
                        context=context,
                    )
                )
            except ConditionError:
                where.append(sa.false())
        if rollup.aggregate == "count":
            measure: sa.ColumnElement[Any] = sa.func.count(table.c.id)
        else:
            assert rollup.source_field is not None
            column = source.expression(rollup.source_field)
            measure = getattr(sa.func, rollup.aggregate)(column)
        found = dict(conn.execute(sa.select(via, measure).where(*where).group_by(via)).all())
        for record_id in record_ids:
            value = found.get(record_id)
            if value is None and rollup.aggregate in ("count", "sum"):
                value = 0
            out[record_id][rollup.key] = result_value(plan.fields[rollup.key], value)
    return out


def compute_formulas(
    plan: TablePlan,
    record: dict[str, Any],
    children: Mapping[str, Sequence[Mapping[str, Any]]],
    context: ConditionContext,
    problems: list[FieldError] | None = None,
) -> None:
    """Evaluate formula fields in dependency order; a formula that cannot be evaluated for
    these values (e.g. text where a number is expected) stores NULL. A result too large
    to store goes to ``problems`` (raised without a list, see ``result_value``)."""
    now = _local_now(context)
    for key, formula in plan.formulas:
        try:
            value = evaluate_formula(
                formula, record, children=children, today=context.today, now=now
            )
        except FormulaError:
            value = None
        record[key] = result_value(plan.fields[key], value, problems)


def _local_now(context: ConditionContext) -> Any:
    return context.now.astimezone(context.tz)
