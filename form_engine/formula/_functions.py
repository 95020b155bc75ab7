"""The whitelist of formula functions: names, arity and the scalar implementations.

The parser rejects names not listed here, the type checker checks arity against it and the
evaluator calls ``Function.call``. Functions that decide themselves which arguments to
evaluate (IF, AND, OR, COALESCE) and the aggregates over child rows have ``call=None``;
evaluate.py implements them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from decimal import ROUND_HALF_UP, Context, Decimal, DecimalException, localcontext
from typing import Any

from form_engine.formula._values import is_blank, local_date, require, to_text
from form_engine.kinds import Kind

NUMBER = (Kind.DECIMAL,)
TEXT = (Kind.TEXT,)
DATES = (Kind.DATE, Kind.DATETIME)
ROUND_DIGITS_LIMIT = 20
"""ROUND accepts between -20 and 20 digits; beyond that the result is NULL."""
DATEDIF_UNITS = ("d", "m", "y")


@dataclass(frozen=True)
class Scope:
    """What evaluation needs besides the record: the clock, its time zone, decimal rules."""

    today: date
    now: datetime
    zone: tzinfo
    decimal: Context


@dataclass(frozen=True)
class Function:
    """One whitelisted function. ``max_args`` None means any number of arguments."""

    name: str
    min_args: int
    max_args: int | None
    call: Callable[..., Any] | None = None
    propagates_null: bool = True
    """When true, a NULL argument makes the result NULL without calling ``call``."""

    def accepts(self, count: int) -> bool:
        return count >= self.min_args and (self.max_args is None or count <= self.max_args)

    def arity(self) -> dict[str, str]:
        """The expected argument count, in words, for messages."""
        low, high = self.min_args, self.max_args
        if high is None:
            return {
                "en": f"at least {low} argument{'s' if low != 1 else ''}",
                "zh-CN": f"至少 {low} 个参数",
            }
        if low == high:
            if low == 0:
                return {"en": "no arguments", "zh-CN": "0 个参数"}
            return {"en": f"{low} argument{'s' if low != 1 else ''}", "zh-CN": f"{low} 个参数"}
        return {"en": f"{low} to {high} arguments", "zh-CN": f"{low} 到 {high} 个参数"}


WHOLE_LIMIT = 10**12
"""Counts, digits and day offsets beyond this are out of range for every function anyway;
capping them keeps ``int()`` of a huge Decimal (1E+400000) from costing real time."""


def whole(value: Decimal) -> int:
    """A count or digit argument as an int, fraction dropped (toward zero), capped."""
    if value.adjusted() >= 12:
        return WHOLE_LIMIT if value > 0 else -WHOLE_LIMIT
    return int(value)


def round_half_up(value: Decimal, digits: Decimal) -> Decimal | None:
    """ROUND with ROUND_HALF_UP (2.5 → 3, -2.5 → -3), as Chinese accounting expects."""
    places = whole(digits)
    if abs(places) > ROUND_DIGITS_LIMIT:
        return None
    needed = value.adjusted() + places + 2
    if needed > 1000:
        return value  # the rounding position lies far below the digits the value has
    with localcontext() as context:
        context.prec = max(needed, 1)
        try:
            rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        except DecimalException:
            return None
    if places < 0:
        rounded = Decimal(int(rounded))  # 1.2E+3 → 1200: the same number, written plainly
    return rounded.copy_abs() if rounded.is_zero() else rounded  # no "-0"


def _round(scope: Scope, value: Any, digits: Any = Decimal(0)) -> Decimal | None:
    return round_half_up(require(value, NUMBER, "ROUND"), require(digits, NUMBER, "ROUND"))


def _abs(scope: Scope, value: Any) -> Decimal:
    return abs(require(value, NUMBER, "ABS"))


def _mod(scope: Scope, value: Any, divisor: Any) -> Decimal | None:
    """MOD like Excel: the result has the sign of the divisor; MOD(x, 0) is NULL."""
    require(value, NUMBER, "MOD")
    require(divisor, NUMBER, "MOD")
    if divisor == 0:
        return None
    try:
        remainder = scope.decimal.remainder(value, divisor)
    except DecimalException:
        return None
    if remainder != 0 and (remainder < 0) != (divisor < 0):
        remainder = scope.decimal.add(remainder, divisor)
    return remainder


def _today(scope: Scope) -> date:
    return scope.today


def _now(scope: Scope) -> datetime:
    return scope.now


def _date(scope: Scope, year: Any, month: Any, day: Any) -> date | None:
    parts = [whole(require(part, NUMBER, "DATE")) for part in (year, month, day)]
    try:
        return date(*parts)
    except (ValueError, OverflowError):
        return None


def months_between(start: date, end: date) -> int:
    """Whole months from ``start`` to ``end`` (start <= end), like Excel DATEDIF "m"."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - 1 if end.day < start.day else months


def _datedif(scope: Scope, start: Any, end: Any, unit: Any) -> Decimal | None:
    """Whole days, months or years from start to end; negative when end is earlier."""
    first = local_date(require(start, DATES, "DATEDIF"), scope.zone)
    last = local_date(require(end, DATES, "DATEDIF"), scope.zone)
    unit = str(require(unit, TEXT, "DATEDIF")).lower()
    if unit not in DATEDIF_UNITS:
        return None
    if unit == "d":
        return Decimal((last - first).days)
    sign = 1 if first <= last else -1
    months = months_between(min(first, last), max(first, last))
    return Decimal(sign * (months if unit == "m" else months // 12))


def _days(scope: Scope, end: Any, start: Any) -> Decimal:
    last = local_date(require(end, DATES, "DAYS"), scope.zone)
    first = local_date(require(start, DATES, "DAYS"), scope.zone)
    return Decimal((last - first).days)


def _adddays(scope: Scope, day: Any, count: Any) -> date | None:
    require(day, DATES, "ADDDAYS")
    try:
        return day + timedelta(days=whole(require(count, NUMBER, "ADDDAYS")))
    except OverflowError:
        return None


def _date_part(name: str, part: str) -> Callable[[Scope, Any], Decimal]:
    def call(scope: Scope, value: Any) -> Decimal:
        return Decimal(getattr(local_date(require(value, DATES, name), scope.zone), part))

    return call


def _text_function(name: str, transform: Callable[[str], Any]) -> Callable[[Scope, Any], Any]:
    def call(scope: Scope, value: Any) -> Any:
        return transform(require(value, TEXT, name))

    return call


def _left(scope: Scope, text: Any, count: Any = Decimal(1)) -> str | None:
    size = whole(require(count, NUMBER, "LEFT"))
    return require(text, TEXT, "LEFT")[:size] if size >= 0 else None


def _right(scope: Scope, text: Any, count: Any = Decimal(1)) -> str | None:
    size = whole(require(count, NUMBER, "RIGHT"))
    value = require(text, TEXT, "RIGHT")
    return value[len(value) - min(size, len(value)) :] if size >= 0 else None


def _concat(scope: Scope, *values: Any) -> str:
    return "".join(to_text(value, scope.zone) for value in values)


def _isblank(scope: Scope, value: Any) -> bool:
    return is_blank(value)


def _not(scope: Scope, value: Any) -> bool:
    return not require(value, (Kind.BOOL,), "NOT")


FUNCTIONS: dict[str, Function] = {
    fn.name: fn
    for fn in (
        Function("IF", 2, 3),
        Function("AND", 1, None),
        Function("OR", 1, None),
        Function("COALESCE", 1, None),
        Function("SUM", 1, None),
        Function("COUNT", 1, None),
        Function("AVG", 1, None),
        Function("MIN", 1, None),
        Function("MAX", 1, None),
        Function("NOT", 1, 1, _not),
        Function("ROUND", 1, 2, _round),
        Function("ABS", 1, 1, _abs),
        Function("MOD", 2, 2, _mod),
        Function("TODAY", 0, 0, _today),
        Function("NOW", 0, 0, _now),
        Function("DATE", 3, 3, _date),
        Function("DATEDIF", 3, 3, _datedif),
        Function("DAYS", 2, 2, _days),
        Function("ADDDAYS", 2, 2, _adddays),
        Function("YEAR", 1, 1, _date_part("YEAR", "year")),
        Function("MONTH", 1, 1, _date_part("MONTH", "month")),
        Function("DAY", 1, 1, _date_part("DAY", "day")),
        Function("CONCAT", 1, None, _concat, propagates_null=False),
        Function("LEN", 1, 1, _text_function("LEN", lambda text: Decimal(len(text)))),
        Function("UPPER", 1, 1, _text_function("UPPER", str.upper)),
        Function("LOWER", 1, 1, _text_function("LOWER", str.lower)),
        Function("TRIM", 1, 1, _text_function("TRIM", str.strip)),
        Function("LEFT", 1, 2, _left),
        Function("RIGHT", 1, 2, _right),
        Function("ISBLANK", 1, 1, _isblank, propagates_null=False),
    )
}

AGGREGATES = frozenset({"SUM", "COUNT", "AVG", "MIN", "MAX"})
"""Functions that accept a child-table column (``SUM(lines.subtotal)``) as sole argument."""
