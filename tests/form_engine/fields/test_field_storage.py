"""Storage contract on the real database: columns() + to_db → insert → select → from_db
gives back exactly the parsed value, for every stored type (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from fieldtype_examples import EXAMPLES
from sqlalchemy.engine import Engine

from form_engine.fields import default_registry
from form_engine.fields.sqltypes import ExactDecimal, UTCDateTime
from schemas.spec import FieldSpec

REGISTRY = default_registry()
STORED = [t.name for t in REGISTRY if t.stored]


def system_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("created_at", UTCDateTime()),
        sa.Column("updated_at", UTCDateTime()),
        sa.Column("created_by", sa.Integer),
        sa.Column("updated_by", sa.Integer),
    ]


def round_trip(engine: Engine, field: FieldSpec, values: list[Any]) -> list[Any]:
    field_type = REGISTRY.for_field(field)
    table = sa.Table(
        "t_" + field.type, sa.MetaData(), *system_columns(), *field_type.columns(field)
    )
    table.metadata.create_all(engine)
    system_column = getattr(field_type, "system_column", None)
    with engine.begin() as conn:
        for value in values:
            row = field_type.to_db(value, field)
            if system_column:
                row = {system_column: value}
            conn.execute(table.insert().values(**row))
        rows = conn.execute(sa.select(table).order_by(table.c.id)).mappings().all()
    return [field_type.from_db(row, field) for row in rows]


@pytest.mark.parametrize("name", STORED)
def test_stored_values_read_back_unchanged(engine: Engine, name: str) -> None:
    field = FieldSpec("f", name, {"en": "F"}, config=EXAMPLES[name].config)
    field_type = REGISTRY.get(name)
    parsed = [field_type.parse(raw, field) for raw, _ in EXAMPLES[name].valid]
    read = round_trip(engine, field, [*parsed, None])
    assert read == [*parsed, None]
    for before, after in zip(parsed, read, strict=False):
        assert type(after) is type(before)


@pytest.mark.parametrize(
    ("config", "values"),
    [
        ({"precision": 2}, [Decimal("9999999999999.99"), Decimal("-0.01"), Decimal("0.10")]),
        ({"precision": 4}, [Decimal("12345678901.2345"), Decimal("1")]),
        ({"precision": 0}, [Decimal("123456789012345678") - 1]),
    ],
)
def test_money_is_exact_at_the_edges(engine: Engine, config: dict, values: list) -> None:
    field = FieldSpec("amount", "money", {"en": "Amount"}, config=config)
    if config["precision"] == 0 and engine.dialect.name == "sqlite":
        values = [Decimal("999999999999999")]  # SQLite REAL: 15 significant digits
    assert round_trip(engine, field, values) == values


def test_number_with_precision_reads_floats(engine: Engine) -> None:
    field = FieldSpec("ratio", "number", {"en": "Ratio"}, config={"precision": 2})
    values = [REGISTRY.get("number").parse(v, field) for v in ("1,234.56", "0.1", "-3")]
    assert values == [1234.56, 0.1, -3.0]
    assert round_trip(engine, field, values) == values


def test_datetime_column_stores_utc_and_rejects_naive(engine: Engine) -> None:
    field = FieldSpec("at", "datetime", {"en": "At"})
    shanghai = REGISTRY.get("datetime").parse("2026-03-01T14:30:00+08:00", field)
    [read] = round_trip(engine, field, [shanghai])
    assert read == datetime(2026, 3, 1, 6, 30, tzinfo=UTC) and read.utcoffset().total_seconds() == 0
    table = sa.Table("naive", sa.MetaData(), sa.Column("at", UTCDateTime()))
    table.metadata.create_all(engine)
    with pytest.raises(sa.exc.StatementError), engine.begin() as conn:
        conn.execute(table.insert().values(at=datetime(2026, 3, 1)))


def test_exact_decimal_is_cacheable_and_distinct_by_scale() -> None:
    assert ExactDecimal(2)._static_cache_key != ExactDecimal(4)._static_cache_key
    assert ExactDecimal(2, as_float=True)._static_cache_key != ExactDecimal(2)._static_cache_key
