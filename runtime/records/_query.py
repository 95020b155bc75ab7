"""Reading many records: condition → WHERE, search, sort, keyset pagination, count and
aggregates. The actor's read scope is always part of the WHERE clause, and hidden or
masked fields can be neither filtered, sorted, grouped, searched nor aggregated.

Keyset pagination: the cursor is the last row's sort values plus its id (``id`` is always
the final tie-breaker, in the direction of the last sort key). NULLs sort after every
value ascending and before every value descending — the same on SQLite and PostgreSQL —
and the "after the cursor" predicate follows the same rule, so each row appears exactly
once across pages.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from form_engine.conditions import ConditionContext, ConditionError, compile_condition
from form_engine.kinds import NUMERIC_KINDS, ORDERED_KINDS, Kind
from runtime.records import _guard as guard
from runtime.records._permissions import TableAccess
from runtime.records._plan import TablePlan
from runtime.records.errors import PermissionDenied, QueryError

MAX_LIMIT = 1000
MEASURES = ("count", "count_distinct", "sum", "avg", "min", "max")


def resolver(plan: TablePlan, access: TableAccess, usage: str):  # type: ignore[no-untyped-def]
    """A field resolver for ``compile_condition`` that refuses hidden and masked fields."""

    def resolve(key: str) -> tuple[sa.ColumnElement[Any], Kind]:
        return column(plan, access, key, usage), plan.kinds[key]

    return resolve


def column(plan: TablePlan, access: TableAccess, key: str, usage: str) -> sa.ColumnElement[Any]:
    """The SQL expression of ``key`` for ``usage`` (filter, sort, group, aggregate)."""
    field = plan.fields.get(key)
    if field is None and key not in plan.kinds:
        raise KeyError(key)
    if field is not None:
        if not access.usable_in_queries(key):
            raise PermissionDenied.field(usage, field.spec.label)
        if field.is_child_table:
            child = plan.table.metadata.tables[f"{plan.app_key}__{plan.children[key]}"]
            return (
                sa.select(sa.func.count(child.c.id))
                .where(child.c.parent_id == plan.table.c.id, child.c.deleted_at.is_(None))
                .scalar_subquery()
            )
    return plan.expression(key)


def where_clause(
    plan: TablePlan,
    access: TableAccess,
    where: Any,
    search: str | None,
    context: ConditionContext,
    *,
    deleted: bool = False,
) -> sa.ColumnElement[bool]:
    table = plan.table
    parts = [table.c.deleted_at.is_not(None) if deleted else table.c.deleted_at.is_(None)]
    parts.append(access.scope("read", context))
    text = guard.check_search(search)
    if where:
        parts.append(filter_clause(plan, access, where, context))
    if text:
        parts.append(_search(plan, access, text))
    return sa.and_(*parts)


CACHED_CONDITIONS = 256
"""Compiled filters kept per table (list pages repeat the same few filters)."""


def filter_clause(
    plan: TablePlan, access: TableAccess, where: Any, context: ConditionContext
) -> sa.ColumnElement[bool]:
    """``where`` compiled to SQL, reused when the same filter comes again.

    Values are bound parameters inside the expression, so a compiled filter is reusable
    exactly when everything it was compiled from is the same: the condition, the fields
    the actor may filter by, and the context values it can read — the user and the local
    day (date helpers). Filters reading ``$now`` or ``$trigger`` are never reused.
    Only a filter whose values pass ``_guard`` (sizes, ranges, no NUL) is compiled and
    cached."""
    guard.check_condition(where)
    try:
        text = json.dumps(where, sort_keys=True, default=str, ensure_ascii=False)
    except (TypeError, ValueError):
        text = None
    key = None
    if text is not None and "$now" not in text and "$trigger" not in text:
        key = (
            text,
            access.unrestricted
            or tuple(k for k, v in access.field_access.items() if v in ("hidden", "masked")),
            context.user_id,
            context.local_today,
            context.timezone,
        )
        cached = plan.condition_cache.get(key)
        if cached is not None:
            return cached
    try:
        clause = compile_condition(where, resolver(plan, access, "filter"), context=context)
    except ConditionError as exc:
        raise QueryError(detail=str(exc)) from exc
    guard.check_bound_values(clause)
    if key is not None:
        if len(plan.condition_cache) >= CACHED_CONDITIONS:
            plan.condition_cache.clear()
        plan.condition_cache[key] = clause
    return clause


def _search(plan: TablePlan, access: TableAccess, text: str) -> sa.ColumnElement[bool]:
    keys = list(plan.spec.search_fields) or (
        [plan.spec.title_field] if plan.spec.title_field else []
    )
    keys = [k for k in keys if k in plan.fields and access.usable_in_queries(k)]
    if not keys:
        return sa.false()
    condition = {"any": [{"field": k, "op": "contains", "value": text} for k in keys]}
    try:
        return compile_condition(
            condition, resolver(plan, access, "search"), context=ConditionContext()
        )
    except ConditionError as exc:
        raise QueryError(detail=str(exc)) from exc


def ordering(
    plan: TablePlan, access: TableAccess, order_by: Sequence[tuple[str, str]]
) -> list[tuple[str, sa.ColumnElement[Any], bool]]:
    """(key, expression, descending) per sort key, ending with ``id``."""
    out: list[tuple[str, sa.ColumnElement[Any], bool]] = []
    if isinstance(order_by, str | bytes | Mapping) or not isinstance(order_by, Sequence):
        raise _bad_sort(order_by)
    items = [_sort_item(item) for item in order_by]
    for key, direction in items:
        if key == "id":
            break
        field = plan.fields.get(key)
        if field is not None and (not field.type.sortable or field.is_child_table):
            raise QueryError(detail=f"{key} cannot be sorted")
        try:
            expr = column(plan, access, key, "sort")
        except KeyError:
            raise QueryError("unknown_field", table=plan.label(), value=key) from None
        out.append((key, expr, direction == "desc"))
    last_desc = out[-1][2] if out else (items[-1][1] == "desc" if items else False)
    out.append(("id", plan.table.c.id, last_desc))
    return out


def _sort_item(item: Any) -> tuple[str, str]:
    """``"key"`` or ``(key, "asc" | "desc")``."""
    if isinstance(item, str):
        return item, "asc"
    if isinstance(item, list | tuple) and len(item) == 2 and isinstance(item[0], str):
        if item[1] in ("asc", "desc"):
            return item[0], item[1]
        raise QueryError(detail=f"sort direction must be asc or desc, not {guard.shown(item[1])}")
    raise _bad_sort(item)


def _bad_sort(item: Any) -> QueryError:
    return QueryError(
        detail={
            "en": f'a sort key is "field" or ("field", "asc"/"desc"), not {guard.shown(item)}',
            "zh-CN": f"排序项应为“字段”或（字段, asc/desc），收到 {guard.shown(item)}",
        }
    )


def order_clauses(keys: list[tuple[str, sa.ColumnElement[Any], bool]]) -> list[Any]:
    clauses = []
    for name, expr, desc in keys:
        if name == "id":
            clauses.append(expr.desc() if desc else expr.asc())
        else:
            clauses.append(expr.desc().nulls_first() if desc else expr.asc().nulls_last())
    return clauses


def after_cursor(
    keys: list[tuple[str, sa.ColumnElement[Any], bool]], values: list[Any]
) -> sa.ColumnElement[bool]:
    """Rows strictly after the row whose sort values are ``values``."""
    if len(keys) == 2 and keys[1][0] == "id" and keys[0][2] == keys[1][2] and None not in values:
        # The common "one field, then id" order with a known value: a row-value comparison
        # lets both databases seek the (field, id) index instead of scanning an OR.
        (_n, expr, desc), (_i, id_expr, _d) = keys
        # Bind with the columns' own types so their processors apply (UTC datetimes and
        # exact decimals are stored differently on SQLite).
        bound = [sa.literal(v, type_=e.type) for v, e in zip(values, (expr, id_expr), strict=True)]
        pair, after = sa.tuple_(expr, id_expr), sa.tuple_(*bound)
        if desc:  # NULLs came first, so none are left after a known value
            return pair < after
        return sa.or_(pair > after, expr.is_(None))
    alternatives = []
    for i, (_name, expr, desc) in enumerate(keys):
        equal = [_equal(k[1], v) for k, v in zip(keys[:i], values[:i], strict=True)]
        alternatives.append(sa.and_(*equal, _beyond(expr, values[i], desc)))
    return sa.or_(*alternatives)


def _equal(expr: sa.ColumnElement[Any], value: Any) -> sa.ColumnElement[bool]:
    return expr.is_(None) if value is None else expr == value


def _beyond(expr: sa.ColumnElement[Any], value: Any, desc: bool) -> sa.ColumnElement[bool]:
    if desc:  # NULLs first, then values going down
        return expr.is_not(None) if value is None else expr < value
    # NULLs last: after a value come greater values and then the NULLs
    return sa.false() if value is None else sa.or_(expr > value, expr.is_(None))


# --- cursors --------------------------------------------------------------------------
def encode_cursor(signature: str, values: list[Any]) -> str:
    payload = json.dumps({"s": signature, "v": [_tag(v) for v in values]}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(
    signature: str,
    cursor: Any,
    keys: list[tuple[str, Any, bool]] | None = None,
    plan: TablePlan | None = None,
) -> list[Any]:
    """The sort values a cursor carries; QueryError(``invalid_cursor``) for a cursor of
    another query, or one forged: wrong shape, values of the wrong type for their sort
    key (checked against ``plan``'s kinds when given), ids or numbers out of range."""
    try:
        if not isinstance(cursor, str) or len(cursor) > 4096:
            raise ValueError("not a cursor")
        padded = cursor + "=" * (-len(cursor) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(payload, dict) or payload.get("s") != signature:
            raise ValueError("cursor of another query")
        raw = payload["v"]
        if not isinstance(raw, list) or (keys is not None and len(raw) != len(keys)):
            raise ValueError("wrong number of sort values")
        values = [_untag(v) for v in raw]
        if keys is not None:
            for (name, _expr, _desc), value in zip(keys, values, strict=True):
                kind = None if plan is None else plan.kinds.get(name)
                if not _fits(name, kind, value):
                    raise ValueError(f"bad value for {name}")
                guard.check_query_value(value)
        return values
    except (ValueError, KeyError, TypeError, ArithmeticError, QueryError) as exc:
        raise QueryError("invalid_cursor") from exc


_CURSOR_TYPES: Mapping[Kind, tuple[type, ...]] = {
    Kind.DECIMAL: (Decimal, int),
    Kind.NUMBER: (int, float, Decimal),
    Kind.DURATION: (int,),
    Kind.DATETIME: (datetime,),
    Kind.TIME: (time,),
    Kind.TEXT: (str,),
    Kind.CHOICE: (str,),
    Kind.REF: (int,),
    Kind.BOOL: (bool,),
}


def _fits(name: str, kind: Kind | None, value: Any) -> bool:
    """Whether a cursor value can be a stored value of a sort key of ``kind``."""
    if name == "id":
        return guard.as_id(value) is not None and isinstance(value, int)
    if value is None:
        return True
    if isinstance(value, list | dict):
        return False
    if kind == Kind.DATE:
        return isinstance(value, date) and not isinstance(value, datetime)
    if kind == Kind.BOOL:
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    expected = _CURSOR_TYPES.get(kind) if kind is not None else None
    return expected is None or isinstance(value, expected)


def signature(table_key: str, keys: list[tuple[str, Any, bool]]) -> str:
    text = table_key + "|" + ",".join(f"{n}:{'d' if d else 'a'}" for n, _e, d in keys)
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def _tag(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if isinstance(value, time):
        return {"t": value.isoformat()}
    if isinstance(value, Decimal):
        return {"n": str(value)}
    if isinstance(value, list | dict):
        raise QueryError(detail="cannot page by a list value")
    return value


def _untag(value: Any) -> Any:
    if isinstance(value, Mapping):
        ((tag, text),) = value.items()
        if not isinstance(text, str):
            raise TypeError("tagged cursor values are text")
        return {
            "dt": datetime.fromisoformat,
            "d": date.fromisoformat,
            "t": time.fromisoformat,
            "n": Decimal,
        }[tag](text)
    return value


# --- aggregates -----------------------------------------------------------------------
def measure_item(item: Any) -> tuple[str, str | None]:
    """One measure: ``(function, field key or None)``."""
    if (
        isinstance(item, list | tuple)
        and len(item) == 2
        and isinstance(item[0], str)
        and (item[1] is None or isinstance(item[1], str))
    ):
        return item[0], item[1]
    raise QueryError(
        detail={
            "en": f'a measure is ("function", "field" or None), not {guard.shown(item)}',
            "zh-CN": f"统计项应为（函数, 字段或 None），收到 {guard.shown(item)}",
        }
    )


def measure_expression(
    plan: TablePlan, access: TableAccess, function: str, key: str | None
) -> sa.ColumnElement[Any]:
    """The SQL of one measure. ``sum`` and ``avg`` need a numeric field, ``min`` and
    ``max`` an ordered one (numbers, dates, times, text); counts take any field."""
    if function not in MEASURES:
        raise QueryError(detail=f"unknown measure {function!r}; use one of {', '.join(MEASURES)}")
    if function == "count" and key is None:
        return sa.func.count(plan.table.c.id)
    if key is None:
        raise QueryError(detail=f"{function} needs a field")
    try:
        expr = column(plan, access, key, "aggregate")
    except KeyError:
        raise QueryError("unknown_field", table=plan.label(), value=key) from None
    if function == "count":
        return sa.func.count(expr)
    if function == "count_distinct":
        return sa.func.count(sa.distinct(expr))
    kind = plan.kinds.get(key)
    field = plan.fields.get(key)
    allowed = NUMERIC_KINDS if function in ("sum", "avg") else ORDERED_KINDS
    if kind not in allowed or (field is not None and field.is_child_table):
        raise QueryError(
            detail={
                "en": f"{function} cannot be applied to {key}",
                "zh-CN": f"不能对 {key} 求{_MEASURE_NAMES_ZH[function]}",
            }
        )
    return getattr(sa.func, function)(expr)


_MEASURE_NAMES_ZH = {"sum": "和", "avg": "平均值", "min": "最小值", "max": "最大值"}


def measure_name(function: str, key: str | None) -> str:
    return function if key is None else f"{function}_{key}"


def clamp_limit(limit: int) -> int:
    if not isinstance(limit, int) or limit < 1:
        raise QueryError(detail=f"limit must be a positive whole number, not {limit!r}")
    return min(limit, MAX_LIMIT)
