"""What value each operator takes. Which kinds allow it lives in ``form_engine.kinds``."""

from __future__ import annotations

from enum import Enum

from form_engine.kinds import OPERATORS


class ValueShape(Enum):
    NONE = "none"  # today, is_empty, is_not_empty, changed
    ONE = "one"  # eq, gt, contains, changed_to ...
    PAIR = "pair"  # between
    LIST = "list"  # in, not_in
    DAYS = "days"  # within_last_days, within_next_days, before_days_ago

    def describe(self) -> str:
        return {
            ValueShape.NONE: "no value",
            ValueShape.ONE: "one value",
            ValueShape.PAIR: "two values [low, high]",
            ValueShape.LIST: "a list of values",
            ValueShape.DAYS: "a whole number of days (0 or more)",
        }[self]


SHAPES: dict[str, ValueShape] = {
    "eq": ValueShape.ONE,
    "ne": ValueShape.ONE,
    "gt": ValueShape.ONE,
    "gte": ValueShape.ONE,
    "lt": ValueShape.ONE,
    "lte": ValueShape.ONE,
    "between": ValueShape.PAIR,
    "in": ValueShape.LIST,
    "not_in": ValueShape.LIST,
    "contains": ValueShape.ONE,
    "not_contains": ValueShape.ONE,
    "starts_with": ValueShape.ONE,
    "ends_with": ValueShape.ONE,
    "is_empty": ValueShape.NONE,
    "is_not_empty": ValueShape.NONE,
    "changed": ValueShape.NONE,
    "changed_from": ValueShape.ONE,
    "changed_to": ValueShape.ONE,
    "today": ValueShape.NONE,
    "within_last_days": ValueShape.DAYS,
    "within_next_days": ValueShape.DAYS,
    "before_days_ago": ValueShape.DAYS,
}

ALL_OPERATORS = frozenset().union(*OPERATORS.values())
CHANGE_OPERATORS = frozenset({"changed", "changed_from", "changed_to"})
DATE_HELPERS = frozenset({"today", "within_last_days", "within_next_days", "before_days_ago"})
ORDER_OPERATORS = frozenset({"gt", "gte", "lt", "lte", "between"})
TEXT_MATCH_OPERATORS = frozenset({"contains", "not_contains", "starts_with", "ends_with"})

assert set(SHAPES) == ALL_OPERATORS, "every operator in form_engine.kinds needs a value shape"
