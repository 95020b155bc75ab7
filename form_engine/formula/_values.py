"""Runtime values of formulas: coercion from record values, kinds, text form, type checks.

Inside a formula every number is a ``Decimal``, every date-time is timezone-aware, and
NULL is ``None``. Record values are brought into that shape once, on the way in.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, tzinfo
from decimal import Decimal
from typing import Any

from form_engine.formula import _messages
from form_engine.formula.errors import FormulaEvaluationError
from form_engine.kinds import Kind


def coerce(value: Any) -> Any:
    """A record value as a formula value: ints and floats become Decimal (through ``str``,
    so 0.1 stays 0.1), naive date-times are taken as UTC, NaN and infinities become NULL."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(str(value)) if math.isfinite(value) else None
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return value


def kind_of(value: Any) -> Kind | None:
    """The kind of a formula value (None for NULL)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return Kind.BOOL
    if isinstance(value, Decimal):
        return Kind.DECIMAL
    if isinstance(value, str):
        return Kind.TEXT
    if isinstance(value, datetime):
        return Kind.DATETIME
    if isinstance(value, date):
        return Kind.DATE
    if isinstance(value, time):
        return Kind.TIME
    if isinstance(value, list | tuple):
        return Kind.CHOICES
    return Kind.JSON


def require(value: Any, kinds: Iterable[Kind], operation: str) -> Any:
    """``value`` unchanged if NULL or of one of ``kinds``, else FormulaEvaluationError."""
    kind = kind_of(value)
    if kind is None or kind in kinds:
        return value
    raise type_error(value, operation)


def type_error(value: Any, operation: str) -> FormulaEvaluationError:
    """The error for a value that ``operation`` cannot use."""
    return FormulaEvaluationError(
        "runtime_type",
        {
            "operation": operation,
            "actual": _messages.kind_name(kind_of(value)),
            "value": repr(value),
        },
    )


def local_date(value: date, zone: tzinfo) -> date:
    """The calendar date of a date or date-time, seen from the time zone ``zone``."""
    if isinstance(value, datetime):
        return in_zone(value, zone).date()
    return value


def in_zone(moment: datetime, zone: tzinfo) -> datetime:
    """``moment`` in the time zone ``zone``; unchanged at the edges of the calendar
    (9999-12-31 23:00 UTC has no local time east of UTC)."""
    try:
        return moment.astimezone(zone)
    except OverflowError:
        return moment


def to_text(value: Any, zone: tzinfo) -> str:
    """How ``&`` and CONCAT write a value: NULL as "", TRUE/FALSE, numbers without exponent,
    dates as 2026-03-01, date-times as 2026-03-01 14:30:00 in the time zone ``zone``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return in_zone(value, zone).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, str):
        return value
    raise type_error(value, "&")


def is_blank(value: Any) -> bool:
    """ISBLANK: NULL, empty text, no choices / no rows, empty structured value."""
    return value is None or (isinstance(value, str | list | tuple | dict) and len(value) == 0)
