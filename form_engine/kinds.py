"""Value kinds: the small set of types the condition and formula languages reason about.

Every field type maps its values onto one kind; operators and functions are defined per kind,
so a new field type gets filtering and formulas for free by choosing its kind.
"""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    TEXT = "text"  # str
    NUMBER = "number"  # int or float (number, rating, percent-as-number)
    DECIMAL = "decimal"  # decimal.Decimal (money)
    DATE = "date"  # datetime.date
    DATETIME = "datetime"  # timezone-aware datetime.datetime, UTC
    TIME = "time"  # datetime.time
    DURATION = "duration"  # int seconds
    BOOL = "bool"
    CHOICE = "choice"  # one option key (str)
    CHOICES = "choices"  # list of option keys
    REF = "ref"  # int id of another record (relation, user, department)
    JSON = "json"  # structured value (address, location, attachments, json)
    ROWS = "rows"  # child-table rows (list of dicts); only aggregates apply


_EQUALITY = {"eq", "ne", "in", "not_in", "is_empty", "is_not_empty"}
_CHANGE = {"changed", "changed_from", "changed_to"}
_ORDER = {"gt", "gte", "lt", "lte", "between"}
_TEXT = {"contains", "not_contains", "starts_with", "ends_with"}
_DATE_HELPERS = {"today", "within_last_days", "within_next_days", "before_days_ago"}

OPERATORS: dict[Kind, frozenset[str]] = {
    Kind.TEXT: frozenset(_EQUALITY | _TEXT | _CHANGE | _ORDER),
    Kind.NUMBER: frozenset(_EQUALITY | _ORDER | _CHANGE),
    Kind.DECIMAL: frozenset(_EQUALITY | _ORDER | _CHANGE),
    Kind.DATE: frozenset(_EQUALITY | _ORDER | _CHANGE | _DATE_HELPERS),
    Kind.DATETIME: frozenset(_EQUALITY | _ORDER | _CHANGE | _DATE_HELPERS),
    Kind.TIME: frozenset(_EQUALITY | _ORDER | _CHANGE),
    Kind.DURATION: frozenset(_EQUALITY | _ORDER | _CHANGE),
    Kind.BOOL: frozenset({"eq", "ne", "is_empty", "is_not_empty"} | _CHANGE),
    Kind.CHOICE: frozenset(_EQUALITY | _CHANGE),
    # For multi-select, "contains" means "has this option", "in" means "has any of".
    Kind.CHOICES: frozenset(
        {"contains", "not_contains", "in", "not_in", "eq", "ne", "is_empty", "is_not_empty"}
        | _CHANGE
    ),
    Kind.REF: frozenset(_EQUALITY | _CHANGE),
    Kind.JSON: frozenset({"is_empty", "is_not_empty", "changed"}),
    Kind.ROWS: frozenset({"is_empty", "is_not_empty", "changed"}),
}

NUMERIC_KINDS = frozenset({Kind.NUMBER, Kind.DECIMAL, Kind.DURATION})
ORDERED_KINDS = frozenset(
    {Kind.NUMBER, Kind.DECIMAL, Kind.DATE, Kind.DATETIME, Kind.TIME, Kind.DURATION, Kind.TEXT}
)
