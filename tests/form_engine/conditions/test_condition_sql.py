"""The SQL compiler beyond the conformance vectors: errors, escaping, caching, JSON nulls."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import mssql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import CompileError

from form_engine.conditions import ConditionContext, ConditionError, compile_condition
from form_engine.kinds import Kind

CONTEXT = ConditionContext(user_id=7, now=datetime(2026, 3, 10, 2, 0, tzinfo=UTC))
KINDS = {"name": Kind.TEXT, "tags": Kind.CHOICES, "stage": Kind.CHOICE, "owner_id": Kind.REF}


def test_changed_operators_are_refused() -> None:
    table = sa.table("t", sa.column("stage"))
    with pytest.raises(ConditionError, match="previous version of the record"):
        compile_condition(
            {"field": "stage", "op": "changed"},
            lambda key: (table.c[key], Kind.CHOICE),
            context=CONTEXT,
        )


def test_unknown_fields_from_resolver_are_reported() -> None:
    def resolve(key: str) -> tuple[sa.ColumnElement[Any], Kind]:
        raise KeyError(key)

    with pytest.raises(ConditionError) as caught:
        compile_condition({"field": "ghost", "op": "is_empty"}, resolve, context=CONTEXT)
    assert str(caught.value) == "field: unknown field 'ghost'"


def test_other_dialects_are_refused_clearly() -> None:
    table = sa.table("t", sa.column("tags", sa.JSON))
    where = compile_condition(
        {"field": "tags", "op": "contains", "value": "vip"},
        lambda key: (table.c[key], Kind.CHOICES),
        context=CONTEXT,
    )
    with pytest.raises(CompileError, match="support SQLite and PostgreSQL; mssql"):
        where.compile(dialect=mssql.dialect())


def test_like_wildcards_in_values_are_escaped() -> None:
    table = sa.table("t", sa.column("name", sa.String))
    where = compile_condition(
        {"field": "name", "op": "starts_with", "value": "50%_A/"},
        lambda key: (table.c[key], Kind.TEXT),
        context=CONTEXT,
    )
    compiled = where.compile(dialect=sqlite.dialect())
    assert "LIKE ? ESCAPE '/'" in str(compiled)
    assert "50/%/_a//%" in compiled.params.values()


def test_cached_statements_bind_each_conditions_values(condition_table: Any) -> None:
    # The same statement shape with other values must not reuse the first values.
    table = condition_table(KINDS)
    ids = table.insert(
        [
            {"name": "Acme", "tags": ["vip"], "stage": "won", "owner_id": 7},
            {"name": "Bolt", "tags": ["new", "key"], "stage": "lost", "owner_id": 8},
        ]
    )
    for _ in range(2):
        for tag, expected in (("vip", {ids[0]}), ("key", {ids[1]}), ("zzz", set())):
            for condition in (
                {"field": "tags", "op": "contains", "value": tag},
                {"field": "tags", "op": "eq", "value": [tag] if tag != "key" else ["key", "new"]},
            ):
                where = compile_condition(condition, table.resolve, context=CONTEXT)
                assert table.matching(where) == expected, condition


def test_multi_select_stored_as_json_null_or_junk_is_empty(condition_table: Any) -> None:
    table = condition_table({"tags": Kind.CHOICES})
    with table.engine.begin() as conn:
        conn.execute(sa.delete(table.table))
        for value in (sa.JSON.NULL, "vip", [], ["vip"]):  # JSON null, a JSON string, ...
            conn.execute(sa.insert(table.table).values(f_tags=value))
    empty = compile_condition({"field": "tags", "op": "is_empty"}, table.resolve, context=CONTEXT)
    vip = compile_condition(
        {"field": "tags", "op": "contains", "value": "vip"}, table.resolve, context=CONTEXT
    )
    assert len(table.matching(empty)) == 3
    assert len(table.matching(vip)) == 1


def test_rows_as_a_count_expression(condition_table: Any) -> None:
    parent = condition_table({"name": Kind.TEXT}, "parents")
    child = condition_table({"parent": Kind.REF}, "children")
    first, second = parent.insert([{"name": "a"}, {"name": "b"}])
    child.insert([{"parent": first}, {"parent": first}])
    count = (
        sa.select(sa.func.count())
        .where(child.table.c.f_parent == parent.table.c.id)
        .scalar_subquery()
    )

    def resolve(key: str) -> tuple[sa.ColumnElement[Any], Kind]:
        return (count, Kind.ROWS) if key == "lines" else parent.resolve(key)

    has_lines = compile_condition(
        {"field": "lines", "op": "is_not_empty"}, resolve, context=CONTEXT
    )
    assert parent.matching(has_lines) == {first}
    no_lines = compile_condition({"field": "lines", "op": "is_empty"}, resolve, context=CONTEXT)
    assert parent.matching(no_lines) == {second}


def test_text_order_ignores_the_database_collation(engine: Engine, backend: str) -> None:
    # A linguistic or case-blind collation would put "a" before "B"; conditions compare
    # text by code point everywhere, as the evaluator does.
    collation = "en-US-x-icu" if backend == "postgresql" else "NOCASE"
    table = sa.Table(
        "names",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50, collation=collation)),
    )
    table.create(engine)
    with engine.begin() as conn:
        conn.execute(sa.insert(table), [{"name": "B"}, {"name": "a"}, {"name": "b"}])
    for value, expected in (("a", ["B"]), ("b", ["B", "a"])):
        where = compile_condition(
            {"field": "name", "op": "lt", "value": value},
            lambda key: (table.c.name, Kind.TEXT),
            context=CONTEXT,
        )
        with engine.connect() as conn:
            found = conn.scalars(sa.select(table.c.name).where(where).order_by(table.c.id))
            assert list(found) == expected


def test_numbers_against_an_integer_column(condition_table: Any) -> None:
    table = condition_table({"name": Kind.TEXT})
    count = sa.cast(sa.func.length(table.table.c.f_name), sa.Integer)
    ids = table.insert([{"name": "ab"}, {"name": "abc"}])

    def resolve(key: str) -> tuple[sa.ColumnElement[Any], Kind]:
        return count, Kind.NUMBER

    for value, expected in ((2.5, {ids[1]}), ("3", {ids[1]}), (2, {ids[0], ids[1]})):
        where = compile_condition(
            {"field": "size", "op": "gte", "value": value}, resolve, context=CONTEXT
        )
        assert table.matching(where) == expected, value
