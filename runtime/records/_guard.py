"""The service's boundary against hostile or malformed input.

Every public ``RecordService`` method passes its arguments through these checks before
anything reaches SQL, so bad input becomes a specific, localised error —
``RecordValidationError`` (per field), ``RecordNotFound`` or ``QueryError`` — never a raw
``OverflowError``, ``decimal.InvalidOperation`` or driver error, and SQLite and PostgreSQL
answer the same:

- record ids are whole numbers in 1 … 2⁶³−1 (a string of digits is accepted); anything
  else is a record that does not exist;
- ``row_version`` is a whole number;
- a record is a mapping, bulk rows a list of mappings;
- text never contains NUL (PostgreSQL cannot store it; SQLite would, silently);
- query values: whole numbers fit 64 bits, decimals are finite and below 10¹⁸ (the
  ``NUMERIC(18, p)`` columns), text is at most ``MAX_QUERY_TEXT`` characters without
  NUL, its lists hold at most ``MAX_LIST`` values together, it nests at most ``MAX_DEPTH``
  deep.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql import visitors

from form_engine.messages import FieldError
from runtime.records._plan import TablePlan
from runtime.records.errors import QueryError, RecordNotFound, RecordValidationError

MAX_ID = 2**63 - 1
"""Largest id a BIGINT column holds."""
MAX_LIST = 500
"""List items in one condition, all lists together (``in`` values, ``all``/``any``
members): SQLite refuses expressions nested 1,000 deep, and an ``in`` becomes a chain of
ORs."""
MAX_DEPTH = 32
"""Nesting of condition groups."""
MAX_QUERY_TEXT = 5000
"""Characters of one text value in a condition."""
MAX_SEARCH = 200
"""Characters of a search text."""
DECIMAL_LIMIT = Decimal(10) ** 18
"""Exclusive bound of numbers a query may compare with (the ``NUMERIC(18, p)`` columns)."""


def shown(value: Any, limit: int = 40) -> str:
    """A short rendering of a bad value for an error message."""
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= limit else text[: limit - 1] + "…"


def as_id(value: Any) -> int | None:
    """``value`` as a record id, or None when it cannot be one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        if not text.isascii() or not text.isdigit() or len(text) > 19:
            return None
        value = int(text)
    if isinstance(value, int) and 1 <= value <= MAX_ID:
        return value
    return None


def record_id(plan: TablePlan, value: Any) -> int:
    """The id of a record to read or write; RecordNotFound when it cannot be one."""
    found = as_id(value)
    if found is None:
        raise RecordNotFound(plan.label(), shown(value))
    return found


def row_version(value: Any) -> int | None:
    """The optimistic-concurrency token, or None when not given."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_ID:
        return value
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return row_version(int(value.strip()))
    raise RecordValidationError(
        [FieldError("row_version", "not_a_row_version", {"value": shown(value)})]
    )


def record(values: Any) -> Mapping[str, Any]:
    """The submitted values of one record."""
    if not isinstance(values, Mapping):
        raise RecordValidationError([not_a_record(values)])
    return values


def not_a_record(values: Any) -> FieldError:
    return FieldError(None, "not_a_record", {"value": type(values).__name__})


def rows(values: Any) -> list[Any]:
    """Bulk rows as a list (each row is checked on its own, see ``_bulk``)."""
    if isinstance(values, list | tuple):
        return list(values)
    if (
        values is None
        or isinstance(values, str | bytes | Mapping)
        or not isinstance(values, Iterable)
    ):
        raise RecordValidationError(
            [FieldError(None, "not_a_record_list", {"value": type(values).__name__})]
        )
    return list(values)


def has_nul(value: Any) -> bool:
    """Whether text somewhere in ``value`` (nested lists and mappings too) holds NUL."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, Mapping):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(has_nul(v) for v in value)
    return False


# --- queries --------------------------------------------------------------------------
def _bad(en: str, zh: str) -> QueryError:
    return QueryError(detail={"zh-CN": zh, "en": en})


def check_condition(where: Any) -> None:
    """Size limits of a condition document, before it is compiled."""
    stack: list[tuple[Any, int]] = [(where, 0)]
    items = 0
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _bad(
                f"conditions nest deeper than {MAX_DEPTH} levels", f"条件嵌套超过 {MAX_DEPTH} 层"
            )
        if isinstance(node, Mapping):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list | tuple):
            items += len(node)
            if items > MAX_LIST:
                raise _bad(
                    f"the lists of a condition hold more than {MAX_LIST} values",
                    f"条件中的列表合计超过 {MAX_LIST} 个值",
                )
            stack.extend((v, depth + 1) for v in node)
        elif isinstance(node, str) and len(node) > MAX_QUERY_TEXT:
            raise _bad(
                f"a text in a condition is longer than {MAX_QUERY_TEXT:,} characters",
                f"条件中的文字超过 {MAX_QUERY_TEXT} 个字符",
            )


def check_search(search: Any) -> str | None:
    """The search text, stripped; None when there is none."""
    if search is None:
        return None
    if not isinstance(search, str):
        raise _bad("the search must be text", "搜索内容必须是文字")
    text = search.strip()
    if len(text) > MAX_SEARCH:
        raise _bad(
            f"the search is longer than {MAX_SEARCH} characters",
            f"搜索内容超过 {MAX_SEARCH} 个字符",
        )
    if "\x00" in text:
        raise _bad("the search contains a NUL character", "搜索内容包含空字符")
    return text or None


def check_bound_values(clause: sa.ColumnElement[Any]) -> None:
    """Every value bound into a compiled WHERE clause fits its column on both backends."""
    for element in visitors.iterate(clause):
        if isinstance(element, sa.BindParameter) and element.callable is None:
            value = element.value
            for item in value if isinstance(value, list | tuple) else (value,):
                check_query_value(item)


def check_query_value(value: Any) -> None:
    """One value compared with a column: in range and storable."""
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, int):
        if abs(value) > MAX_ID:
            raise _out_of_range(value)
    elif isinstance(value, float):
        if not math.isfinite(value) or abs(value) >= DECIMAL_LIMIT:
            raise _out_of_range(value)
    elif isinstance(value, Decimal):
        if not value.is_finite() or abs(value) >= DECIMAL_LIMIT:
            raise _out_of_range(value)
    elif isinstance(value, str) and "\x00" in value:
        raise _bad("a text in the query contains a NUL character", "查询中的文字包含空字符")


def _out_of_range(value: Any) -> QueryError:
    return _bad(
        f"the number {shown(value)} is out of range (below 10^18 in absolute value)",
        f"数值 {shown(value)} 超出范围（绝对值须小于 10^18）",
    )
