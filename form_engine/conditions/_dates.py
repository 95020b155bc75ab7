"""Day ranges behind the date helpers, computed once in Python from the context.

Both the evaluator and the SQL compiler compare against these boundaries, so "the last 7
days" is the same set of records in memory and in a query. A range is half-open:
``low <= value < high``; ``None`` means unbounded.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from form_engine.conditions.context import ConditionContext
from form_engine.kinds import Kind


def day_range(op: str, days: int | None, kind: Kind, context: ConditionContext) -> tuple[Any, Any]:
    """(low, high) for a date helper on a DATE or DATETIME field.

    ``today``: today. ``within_last_days n``: from n days ago up to and including today.
    ``within_next_days n``: from today up to and including n days ahead.
    ``before_days_ago n``: strictly before the day n days ago.
    """
    today = context.local_today
    n = days or 0
    low: date | None
    high: date | None
    if op == "today":
        low, high = today, today + timedelta(days=1)
    elif op == "within_last_days":
        low, high = today - timedelta(days=n), today + timedelta(days=1)
    elif op == "within_next_days":
        low, high = today, today + timedelta(days=n + 1)
    elif op == "before_days_ago":
        low, high = None, today - timedelta(days=n)
    else:
        raise ValueError(f"{op!r} is not a date helper")
    if kind is Kind.DATETIME:
        return _start_of(low, context), _start_of(high, context)
    return low, high


def _start_of(day: date | None, context: ConditionContext) -> datetime | None:
    """Midnight of ``day`` in the app's timezone, as an aware UTC datetime."""
    if day is None:
        return None
    return datetime.combine(day, time(0), context.tz).astimezone(UTC)
