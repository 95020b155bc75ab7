"""Recomputing a formula field on every row, in batches.

Each batch reads the row ids, the columns of the fields the formula uses and the field's
own columns (keyset-paged by id, so memory stays flat however many rows there are), loads
the live child rows of any child table the formula aggregates, evaluates the formula with
form_engine.formula and writes back — with one ``executemany`` — only the rows whose value
changed. The value is turned into the field's result type the way the record service does
it on write (rounded to the field's precision, parsed by the result type); a value the
result type or its column cannot take is a row problem that refuses the publish.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from form_engine.fields.base import FieldType
from form_engine.fields.results import coerce_result
from form_engine.formula import Formula, FormulaError, evaluate_formula, parse_formula
from form_engine.messages import FieldError
from runtime.storage._problems import ProblemList, RowProblem
from runtime.storage._recompute import column_limit, misfit, misfit_error
from runtime.storage.tables import AppTables
from schemas.spec import PARENT_COLUMN, ROW_ORDER_COLUMN, FieldSpec, TableSpec

BATCH = 1000
"""Rows read, evaluated and written at a time."""


def recompute_formula(
    conn: sa.Connection,
    tables: AppTables,
    spec: TableSpec,
    field: FieldSpec,
    problems: ProblemList,
) -> None:
    """Evaluate ``field``'s formula for every row of its table and store the results."""
    table = tables.table(spec.key)
    field_type = tables.registry.for_field(field)
    formula = parse_formula(str(field.config["expression"]))
    inputs = _inputs(tables, spec, formula)
    own = [c.name for c in tables.field_columns(field)]
    read = sorted({c for _f, _t, columns in inputs for c in columns} | set(own) | {"id"})
    limits = {name: column_limit(table.c[name].type) for name in own}
    timezone = ZoneInfo(str(tables.app.settings.get("timezone") or "UTC"))
    now = datetime.now(UTC).astimezone(timezone)
    statement = (
        sa.update(table)
        .where(table.c.id == sa.bindparam("_rid"))
        .values({name: sa.bindparam(f"_v_{name}", type_=table.c[name].type) for name in own})
    )
    last = 0
    while True:
        query = (
            sa.select(*(table.c[c] for c in read))
            .where(table.c.id > last)
            .order_by(table.c.id)
            .limit(BATCH)
        )
        rows = conn.execute(query).mappings().all()
        if not rows:
            return
        last = rows[-1]["id"]
        children = _children(conn, tables, spec, formula, [row["id"] for row in rows])
        updates = []
        for row in rows:
            record = {key: read_value(row) for key, read_value, _c in inputs}
            rows_of = {key: by_parent.get(row["id"], []) for key, by_parent in children.items()}
            try:
                raw = evaluate_formula(formula, record, children=rows_of, now=now)
            except FormulaError:
                raw = None
            value, error = materialise(field_type, field, raw)
            stored = field_type.to_db(value, field) if error is None else {}
            for name in own:
                if error is None and misfit(limits[name], stored.get(name)):
                    limit = limits[name]
                    assert limit is not None
                    error = misfit_error(field, limit)
            if error is not None:
                problems.add(RowProblem(spec.key, row["id"], field.key, raw, error))
            elif any(stored.get(name) != row[name] for name in own):
                params = {f"_v_{name}": stored.get(name) for name in own}
                updates.append({"_rid": row["id"], **params})
        if updates and not problems.total:
            conn.execute(statement, updates)


def materialise(
    field_type: FieldType, field: FieldSpec, value: Any
) -> tuple[Any, FieldError | None]:
    """A formula result as a value of the field's result type, rounded and refused
    exactly as the record service does on write, then validated like a stored value."""
    value, error = coerce_result(field_type, field, value)
    if error is not None or value is None:
        return None, error
    errors = list(field_type.validate(value, field))
    return (None, errors[0]) if errors else (value, None)


# --- what the formula reads ----------------------------------------------------------
Reader = tuple[str, Any, tuple[str, ...]]
"""(field key, function row → value, columns read)."""


def _inputs(tables: AppTables, spec: TableSpec, formula: Formula) -> list[Reader]:
    table = tables.table(spec.key)
    readers: list[Reader] = []
    for key in sorted(formula.field_keys):
        if spec.has_field(key):
            used = spec.field(key)
            used_type = tables.registry.for_field(used)
            if not used_type.stored or used.type == "child_table":
                continue
            columns = tuple(c.name for c in tables.field_columns(used))
            readers.append((key, _field_reader(used_type, used), columns))
        elif key in table.c:
            readers.append((key, _column_reader(key), (key,)))
    return readers


def _field_reader(field_type: FieldType, field: FieldSpec) -> Any:
    return lambda row: field_type.from_db(row, field)


def _column_reader(name: str) -> Any:
    return lambda row: row[name]


def _children(
    conn: sa.Connection,
    tables: AppTables,
    spec: TableSpec,
    formula: Formula,
    parent_ids: list[int],
) -> dict[str, dict[int, list[dict[str, Any]]]]:
    """Live rows of each child table the formula aggregates, by parent id, in row order,
    with just the fields it uses."""
    wanted: dict[str, set[str]] = {}
    for reference in formula.references:
        if isinstance(reference, tuple) and spec.has_field(reference[0]):
            wanted.setdefault(reference[0], set()).add(reference[1])
    out: dict[str, dict[int, list[dict[str, Any]]]] = {}
    for child_field, keys in wanted.items():
        child_spec = tables.app.table(spec.field(child_field).config["table"])
        child = tables.table(child_spec.key)
        readers = _inputs(tables, child_spec, _KeysOnly(frozenset(keys)))  # type: ignore[arg-type]
        columns = {c for _k, _r, cols in readers for c in cols}
        query = (
            sa.select(child.c[PARENT_COLUMN], *(child.c[c] for c in sorted(columns)))
            .where(child.c[PARENT_COLUMN].in_(parent_ids), child.c.deleted_at.is_(None))
            .order_by(child.c[PARENT_COLUMN], child.c[ROW_ORDER_COLUMN], child.c.id)
        )
        by_parent: dict[int, list[dict[str, Any]]] = {}
        for row in conn.execute(query).mappings():
            values = {key: read(row) for key, read, _c in readers}
            by_parent.setdefault(row[PARENT_COLUMN], []).append(values)
        out[child_field] = by_parent
    return out


class _KeysOnly:
    """Stands in for a Formula where only the field keys read matter."""

    def __init__(self, keys: frozenset[str]) -> None:
        self.field_keys = keys
