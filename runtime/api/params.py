"""Query parameters of the REST API, parsed strictly in one place.

The OpenAPI generator documents exactly these conventions (names, operators, limits), so
they live here as constants next to the parsers. Every problem is a 400 ``Problem``
naming the parameter — an unknown field also lists the allowed ones — before anything
reaches the record service, which checks values again (sizes, ranges, NUL).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from werkzeug.datastructures import MultiDict

from form_engine.kinds import Kind
from runtime.api._json import strict_loads
from runtime.api.problems import Problem

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_WHERE_CHARS = 20_000
MAX_CURSOR_CHARS = 2_000
MAX_PARAM_CHARS = 5_000
LIST_PARAMS = ("fields", "sort", "limit", "cursor", "count", "q", "where")
"""Reserved names of ``GET …/records``; any other name is a field filter."""
RECORD_PARAMS = ("fields",)
AGGREGATE_PARAMS = ("group_by", "measures", "where")
SIMPLE_OPERATORS = ("ne", "gt", "gte", "lt", "lte", "contains", "starts_with", "in")
"""``<field>__<op>=value``; ``<field>=value`` is ``eq``; ``in`` takes comma-separated values."""
OPERATOR_SEPARATOR = "__"
MEASURE_FUNCTIONS = ("count", "count_distinct", "sum", "avg", "min", "max")
"""``measures=count,sum:amount``: ``count`` alone, or ``<function>:<field>``."""
SYSTEM_FIELDS = (
    "id",
    "row_version",
    "owner_id",
    "created_at",
    "created_by",
    "updated_at",
    "updated_by",
)
TRUE_FALSE = {"true": True, "false": False}


@dataclass(frozen=True)
class ListQuery:
    """``GET …/records`` as RecordService.query arguments."""

    fields: list[str] | None
    order_by: list[tuple[str, str]] | None
    limit: int
    cursor: str | None
    with_count: bool
    search: str | None
    where: dict[str, Any] | None


@dataclass(frozen=True)
class AggregateQuery:
    """``GET …/aggregate`` as RecordService.aggregate arguments."""

    group_by: list[str]
    measures: list[tuple[str, str | None]]
    where: dict[str, Any] | None


def bad(name: str, zh: str, en: str, **extra: Any) -> Problem:
    return Problem(
        400,
        "bad_parameter",
        # Built whole, never str.format-ed: the texts may quote the caller's input.
        {"zh-CN": f"参数 {name}：{zh}", "en": f"Parameter {name}: {en}"},
        parameter=name,
        **extra,
    )


def unknown_field(name: str, key: str, allowed: Sequence[str]) -> Problem:
    shown = key if len(key) <= 60 else key[:59] + "…"
    return bad(
        name,
        f"没有字段“{shown}”；可用字段：{', '.join(allowed)}",
        f"there is no field {shown!r}; allowed fields: {', '.join(allowed)}",
        field=shown,
        allowed=list(allowed),
    )


def single(args: MultiDict[str, str], allowed_names: Sequence[str]) -> dict[str, str]:
    """Each parameter once, no NUL, not oversized; ``allowed_names`` None allows any."""
    out: dict[str, str] = {}
    for name in args:
        values = args.getlist(name)
        if len(values) > 1:
            raise bad(name, "只能给出一次", "may be given only once")
        value = values[0]
        limit = MAX_WHERE_CHARS if name == "where" else MAX_PARAM_CHARS
        if len(value) > limit:
            raise bad(name, f"超过 {limit} 个字符", f"is longer than {limit} characters")
        if "\x00" in name or "\x00" in value:
            raise bad(name.replace("\x00", "\\0"), "不能包含 NUL 字符", "must not contain NUL")
        out[name] = value
    if allowed_names is not None:
        for name in out:
            if name not in allowed_names:
                raise bad(
                    name,
                    f"不支持；可用参数：{', '.join(allowed_names) or '无'}",
                    f"is not supported; allowed: {', '.join(allowed_names) or 'none'}",
                )
    return out


def key_list(name: str, raw: str, allowed: Sequence[str]) -> list[str]:
    """``a,b,c``: known, distinct keys."""
    keys = [k.strip() for k in raw.split(",")]
    if not raw.strip() or any(not k for k in keys):
        raise bad(name, "应为逗号分隔的字段名", "must be comma-separated field keys")
    for key in keys:
        if key not in allowed:
            raise unknown_field(name, key, allowed)
    if len(set(keys)) != len(keys):
        raise bad(name, "字段重复", "names a field twice")
    return keys


def parse_limit(raw: str | None) -> int:
    if raw is None:
        return DEFAULT_LIMIT
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_LIMIT:
        raise bad(
            "limit",
            f"应为 1 到 {MAX_LIMIT} 的整数",
            f"must be a whole number from 1 to {MAX_LIMIT}",
        )
    return int(raw)


def parse_bool(name: str, raw: str | None) -> bool:
    if raw is None:
        return False
    if raw not in TRUE_FALSE:
        raise bad(name, "应为 true 或 false", "must be true or false")
    return TRUE_FALSE[raw]


def parse_sort(raw: str, allowed: Sequence[str]) -> list[tuple[str, str]]:
    """``-amount,name``: descending with a leading minus."""
    items = [k.strip() for k in raw.split(",")]
    if not raw.strip() or any(not k or k == "-" for k in items):
        raise bad("sort", "应为逗号分隔的字段名，降序加 -", "must be field keys, - for descending")
    order = [(k[1:], "desc") if k.startswith("-") else (k, "asc") for k in items]
    for key, _direction in order:
        if key not in allowed:
            raise unknown_field("sort", key, allowed)
    if len({k for k, _d in order}) != len(order):
        raise bad("sort", "字段重复", "names a field twice")
    return order


def parse_where(raw: str | None) -> dict[str, Any] | None:
    """A JSON condition object (docs/conditions.md)."""
    if raw is None:
        return None

    try:
        value = strict_loads(raw)
    except (ValueError, RecursionError):
        raise bad("where", "不是有效的 JSON", "is not valid JSON") from None
    if not isinstance(value, dict) or not value:
        raise bad("where", "应为 JSON 条件对象", "must be a JSON condition object")
    return value


def parse_cursor(raw: str | None) -> str | None:
    if raw is None:
        return None
    if not raw or len(raw) > MAX_CURSOR_CHARS or not raw.isascii() or not raw.isprintable():
        raise bad("cursor", "无效", "is not valid")
    return raw


def simple_filters(
    params: Mapping[str, str], reserved: Sequence[str], kinds: Mapping[str, Kind]
) -> list[dict[str, Any]]:
    """``<field>=v`` / ``<field>__<op>=v`` as condition leaves."""
    allowed = list(kinds)
    leaves = []
    for name, raw in params.items():
        if name in reserved:
            continue
        key, op = name, "eq"
        if OPERATOR_SEPARATOR in name and name not in kinds:
            key, _, op = name.rpartition(OPERATOR_SEPARATOR)
            if op not in SIMPLE_OPERATORS:
                raise bad(
                    name,
                    f"不支持运算符“{op}”；可用：{', '.join(SIMPLE_OPERATORS)}",
                    f"unknown operator {op!r}; use one of {', '.join(SIMPLE_OPERATORS)}",
                )
        if key not in kinds:
            raise unknown_field(name, key, allowed)
        kind = kinds[key]
        if op == "in":
            value: Any = [_simple_value(name, item, kind) for item in raw.split(",")]
        else:
            value = _simple_value(name, raw, kind)
        leaves.append({"field": key, "op": op, "value": value})
    return leaves


def _simple_value(name: str, raw: str, kind: Kind) -> Any:
    """Query strings are text; only true/false needs turning into JSON (the condition
    language coerces numeric, date and id strings itself)."""
    if kind == Kind.BOOL:
        if raw not in TRUE_FALSE:
            raise bad(name, "应为 true 或 false", "must be true or false")
        return TRUE_FALSE[raw]
    return raw


def combine(where: dict[str, Any] | None, leaves: list[dict[str, Any]]) -> dict[str, Any] | None:
    parts = ([where] if where else []) + leaves
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else {"all": parts}


def parse_list_query(
    args: MultiDict[str, str],
    kinds: Mapping[str, Kind],
    output_fields: Sequence[str],
    default_sort: Sequence[tuple[str, str]] = (),
) -> ListQuery:
    """``GET …/records``. ``kinds``: the fields the caller may filter and sort by (with
    their kind); ``output_fields``: those ``fields=`` may name."""
    params = single(args, None)
    fields = key_list("fields", params["fields"], output_fields) if "fields" in params else None
    order = parse_sort(params["sort"], list(kinds)) if "sort" in params else None
    where = combine(parse_where(params.get("where")), simple_filters(params, LIST_PARAMS, kinds))
    return ListQuery(
        fields=fields,
        order_by=order or (list(default_sort) or None),
        limit=parse_limit(params.get("limit")),
        cursor=parse_cursor(params.get("cursor")),
        with_count=parse_bool("count", params.get("count")),
        search=params.get("q"),
        where=where,
    )


def parse_record_fields(
    args: MultiDict[str, str], output_fields: Sequence[str]
) -> list[str] | None:
    """``GET …/records/{id}``: only ``fields=``."""
    params = single(args, RECORD_PARAMS)
    return key_list("fields", params["fields"], output_fields) if "fields" in params else None


def parse_measures(raw: str | None, allowed: Sequence[str]) -> list[tuple[str, str | None]]:
    if raw is None:
        return [("count", None)]
    items = [m.strip() for m in raw.split(",")]
    if not raw.strip() or any(not m for m in items):
        raise bad("measures", "应为逗号分隔的统计项", "must be comma-separated measures")
    out: list[tuple[str, str | None]] = []
    for item in items:
        function, _, key = item.partition(":")
        if function not in MEASURE_FUNCTIONS:
            raise bad(
                "measures",
                f"不支持“{function[:40]}”；可用：{', '.join(MEASURE_FUNCTIONS)}",
                f"unknown function {function[:40]!r}; use one of {', '.join(MEASURE_FUNCTIONS)}",
            )
        if not key and function != "count":
            raise bad(
                "measures",
                f"{function} 需要字段，如 {function}:amount",
                f"{function} needs a field, e.g. {function}:amount",
            )
        if key and key not in allowed:
            raise unknown_field("measures", key, allowed)
        out.append((function, key or None))
    if len(set(out)) != len(out):
        raise bad("measures", "统计项重复", "names a measure twice")
    return out


def parse_aggregate_query(args: MultiDict[str, str], kinds: Mapping[str, Kind]) -> AggregateQuery:
    """``GET …/aggregate``: group_by, measures, where and the simple filters."""
    params = single(args, None)
    allowed = list(kinds)
    group_by = key_list("group_by", params["group_by"], allowed) if "group_by" in params else []
    measures = parse_measures(params.get("measures"), allowed)
    where = combine(
        parse_where(params.get("where")), simple_filters(params, AGGREGATE_PARAMS, kinds)
    )
    return AggregateQuery(group_by, measures, where)
