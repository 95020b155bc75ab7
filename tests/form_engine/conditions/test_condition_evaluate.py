"""The in-memory evaluator beyond the conformance vectors: Python-native values, errors."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import pytest

from form_engine.conditions import ConditionContext, ConditionError, evaluate
from form_engine.kinds import Kind

NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
CONTEXT = ConditionContext(user_id=7, now=NOW, timezone="Asia/Shanghai")
KINDS = {
    "amount": Kind.DECIMAL,
    "probability": Kind.NUMBER,
    "close_date": Kind.DATE,
    "created_at": Kind.DATETIME,
    "start_time": Kind.TIME,
    "is_key": Kind.BOOL,
    "lines": Kind.ROWS,
    "stage": Kind.CHOICE,
}


def check(condition: Any, record: dict[str, Any], **kw: Any) -> bool:
    return evaluate(condition, record, KINDS, context=CONTEXT, **kw)


def test_python_native_record_values() -> None:
    record = {
        "amount": Decimal("12.50"),
        "probability": 0.1,
        "close_date": date(2026, 3, 10),
        "created_at": datetime(2026, 3, 10, 10, 0, tzinfo=timezone(timedelta(hours=8))),
        "start_time": time(9, 30),
        "is_key": 1,  # as SQLite returns booleans
    }
    assert check({"field": "amount", "op": "eq", "value": 12.5}, record)
    assert check({"field": "probability", "op": "eq", "value": "0.1"}, record)
    assert check({"field": "close_date", "op": "today"}, record)
    assert check({"field": "created_at", "op": "eq", "value": "2026-03-10T02:00:00Z"}, record)
    assert check({"field": "start_time", "op": "lt", "value": "10:00"}, record)
    assert check({"field": "is_key", "op": "eq", "value": True}, record)


def test_naive_datetimes_are_utc() -> None:
    record = {"created_at": datetime(2026, 3, 10, 2, 0)}
    assert check({"field": "created_at", "op": "eq", "value": "2026-03-10T10:00:00+08:00"}, record)


def test_rows_may_be_a_count() -> None:
    assert check({"field": "lines", "op": "is_empty"}, {"lines": 0})
    assert check({"field": "lines", "op": "is_not_empty"}, {"lines": 3})


def test_previous_none_means_new_record() -> None:
    changed = {"field": "stage", "op": "changed_to", "value": "won"}
    assert check(changed, {"stage": "won"}, previous=None)
    assert not check(changed, {"stage": "won"}, previous={"stage": "won"})


def test_invalid_condition_raises_with_every_problem() -> None:
    condition = {"all": [{"field": "nope", "op": "is_empty"}, {"field": "stage", "op": "eq"}]}
    with pytest.raises(ConditionError) as caught:
        check(condition, {})
    assert [p.path for p in caught.value.problems] == ["all[0].field", "all[1].value"]
    assert "unknown field 'nope'" in str(caught.value)


def test_bad_record_value_is_an_error_not_a_silent_false() -> None:
    with pytest.raises(ValueError, match="expected a number"):
        check({"field": "amount", "op": "gt", "value": 1}, {"amount": "lots"})


def test_context_defaults() -> None:
    context = ConditionContext.at(timezone="Asia/Shanghai", now=NOW, trigger={"stage": "won"})
    assert context.user_id is None
    assert context.local_today == date(2026, 3, 10)
    assert isinstance(context.trigger, MappingProxyType)
    late = ConditionContext(now=datetime(2026, 3, 9, 16, 30, tzinfo=UTC), timezone="Asia/Shanghai")
    assert late.local_today == date(2026, 3, 10)  # already the 10th in Shanghai
    assert ConditionContext().now.tzinfo is UTC


def test_context_rejects_naive_now() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        ConditionContext(now=datetime(2026, 3, 10))


def test_context_now_is_normalised_to_utc() -> None:
    shanghai = timezone(timedelta(hours=8))
    context = ConditionContext(now=datetime(2026, 3, 10, 10, 0, tzinfo=shanghai))
    assert context.now == NOW and context.now.tzinfo is UTC
