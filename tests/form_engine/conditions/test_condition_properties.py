"""Property tests: logical laws of the evaluator, and evaluator == SQL on random data."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from form_engine.conditions import (
    ConditionContext,
    check_condition,
    compile_condition,
    evaluate,
)
from form_engine.conditions._operators import CHANGE_OPERATORS, SHAPES, ValueShape
from form_engine.kinds import OPERATORS, Kind

NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
CONTEXT = ConditionContext(user_id=7, now=NOW, timezone="Asia/Shanghai", trigger={"stage": "won"})

KINDS: dict[str, Kind] = {
    "name": Kind.TEXT,
    "stage": Kind.CHOICE,
    "tags": Kind.CHOICES,
    "amount": Kind.DECIMAL,
    "probability": Kind.NUMBER,
    "close_date": Kind.DATE,
    "created_at": Kind.DATETIME,
    "start_time": Kind.TIME,
    "call_seconds": Kind.DURATION,
    "owner_id": Kind.REF,
    "is_key": Kind.BOOL,
    "address": Kind.JSON,
}
OPTIONS = ["new", "vip", "key", "won", "lost"]

_texts = st.sampled_from(
    ["", "Acme", "acme", "ACME corp", "a%b", "a_b", "a/b", "华为", "Ärger", "b"]
)
_dates = st.integers(-40, 40).map(lambda d: date(2026, 3, 10) + timedelta(days=d))
_datetimes = st.integers(-40 * 24, 40 * 24).map(lambda h: NOW + timedelta(hours=h, minutes=30))
VALUES: dict[Kind, st.SearchStrategy[Any]] = {
    Kind.TEXT: _texts,
    Kind.CHOICE: st.sampled_from(OPTIONS),
    Kind.DECIMAL: st.integers(-500, 500).map(lambda c: str(Decimal(c) / 4)),
    Kind.NUMBER: st.integers(-20, 20).map(lambda n: n / 2),
    Kind.DATE: _dates.map(date.isoformat),
    Kind.DATETIME: _datetimes.map(datetime.isoformat),
    Kind.TIME: st.integers(0, 23).map(lambda h: time(h, 30).isoformat()),
    Kind.DURATION: st.integers(0, 100),
    Kind.REF: st.integers(5, 9),
    Kind.BOOL: st.booleans(),
}
RECORD_VALUES: dict[Kind, st.SearchStrategy[Any]] = {
    **VALUES,
    Kind.CHOICES: st.lists(st.sampled_from(OPTIONS), max_size=3, unique=True),
    Kind.JSON: st.sampled_from([{}, [], {"city": "上海"}, [1]]),
}

records = st.fixed_dictionaries(
    {key: st.one_of(st.none(), RECORD_VALUES[kind]) for key, kind in KINDS.items()}
)


def _value(field: str, kind: Kind, op: str) -> st.SearchStrategy[Any]:
    shape = SHAPES[op]
    if shape is ValueShape.DAYS:
        return st.integers(0, 30)
    if kind is Kind.CHOICES:
        option = st.sampled_from(OPTIONS)
        if op in ("eq", "ne"):
            return st.lists(option, max_size=3)
        return st.lists(option, max_size=3) if shape is ValueShape.LIST else option
    same_kind = [key for key, k in KINDS.items() if k == kind and key != field]
    one = VALUES[kind]
    if same_kind:
        one = st.one_of(one, st.sampled_from(same_kind).map(lambda key: {"field": key}))
    if kind is Kind.REF:
        one = st.one_of(one, st.just("$user"))
    if kind in (Kind.DATE, Kind.DATETIME):
        one = st.one_of(one, st.sampled_from(["$now", "$today"]))
    if kind is Kind.CHOICE:
        one = st.one_of(one, st.just("$trigger.stage"))
    if shape is ValueShape.PAIR:
        return st.tuples(one, one).map(list)
    if shape is ValueShape.LIST:
        return st.lists(one, max_size=3)
    return one


@st.composite
def leaves(draw: st.DrawFn) -> dict[str, Any]:
    field = draw(st.sampled_from(sorted(KINDS)))
    kind = KINDS[field]
    op = draw(st.sampled_from(sorted(OPERATORS[kind] - CHANGE_OPERATORS)))
    leaf: dict[str, Any] = {"field": field, "op": op}
    if SHAPES[op] is not ValueShape.NONE:
        leaf["value"] = draw(_value(field, kind, op))
    return leaf


def _valid(leaf: dict[str, Any]) -> bool:
    # between with literal bounds in the wrong order is a type-check error, not a filter.
    return not check_condition(leaf, KINDS)


conditions = st.recursive(
    leaves().filter(_valid),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(lambda items: {"all": items}),
        st.lists(inner, max_size=3).map(lambda items: {"any": items}),
        inner.map(lambda item: {"not": item}),
    ),
    max_leaves=6,
)


def _eval(condition: Any, record: dict[str, Any]) -> bool:
    return evaluate(condition, record, KINDS, context=CONTEXT)


@given(conditions, records)
def test_not_inverts(condition: Any, record: dict[str, Any]) -> None:
    assert _eval({"not": condition}, record) is not _eval(condition, record)


@given(conditions, conditions, records)
def test_de_morgan(a: Any, b: Any, record: dict[str, Any]) -> None:
    assert _eval({"not": {"all": [a, b]}}, record) == _eval(
        {"any": [{"not": a}, {"not": b}]}, record
    )
    assert _eval({"not": {"any": [a, b]}}, record) == _eval(
        {"all": [{"not": a}, {"not": b}]}, record
    )


@given(st.lists(conditions, min_size=1, max_size=3), records)
def test_all_and_any_agree_with_python(items: list[Any], record: dict[str, Any]) -> None:
    results = [_eval(item, record) for item in items]
    assert _eval({"all": items}, record) == all(results)
    assert _eval({"any": items}, record) == any(results)


def test_sql_matches_evaluator_on_random_data(condition_table: Any) -> None:
    table = condition_table(KINDS)

    @settings(
        max_examples=300,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(condition=conditions, rows=st.lists(records, min_size=1, max_size=6))
    def agree(condition: Any, rows: list[dict[str, Any]]) -> None:
        ids = table.insert(rows)
        expected = {i for i, row in zip(ids, rows, strict=True) if _eval(condition, row)}
        where = compile_condition(condition, table.resolve, context=CONTEXT)
        assert table.matching(where) == expected

    agree()
