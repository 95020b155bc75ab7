"""What the visual filter builder offers, and reading its conditions back.

The builder (static/js/list.js) produces a condition of the condition language —
``{"all": [{"field": …, "op": …, "value": …}, …]}`` or ``{"any": […]}`` — which the list
passes to the record service as ``where``. Here: the fields one may filter by (never hidden
or masked ones: filtering would reveal them), each kind's operators with localised names
and the value input that fits them, and choices for option and reference fields.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from form_engine.kinds import Kind
from runtime import org
from runtime.records import PermissionDenied, QueryError, RecordService
from runtime.records.actor import Actor
from runtime.web.forms.options import choice_order
from runtime.web.i18n import gettext as _
from runtime.web.i18n import lazy_gettext as _l
from runtime.web.views._list_display import Column
from schemas.spec import localize

OPERATOR_LABELS = {
    "eq": _l("is"),
    "ne": _l("is not"),
    "contains": _l("contains"),
    "not_contains": _l("does not contain"),
    "starts_with": _l("starts with"),
    "ends_with": _l("ends with"),
    "gt": _l("greater than"),
    "gte": _l("at least"),
    "lt": _l("less than"),
    "lte": _l("at most"),
    "between": _l("between"),
    "in": _l("is any of"),
    "not_in": _l("is none of"),
    "is_empty": _l("is empty"),
    "is_not_empty": _l("is not empty"),
    "today": _l("is today"),
    "within_last_days": _l("within the last … days"),
    "within_next_days": _l("within the next … days"),
    "before_days_ago": _l("more than … days ago"),
}
DATE_LABELS = {
    "gt": _l("after"),
    "lt": _l("before"),
    "gte": _l("on or after"),
    "lte": _l("on or before"),
}

_EMPTY = ("is_empty", "is_not_empty")
_ORDER = ("gt", "gte", "lt", "lte", "between")
_DATES = ("eq", "ne", *_ORDER, "today", "within_last_days", "within_next_days", "before_days_ago")
BUILDER_OPERATORS: dict[Kind, tuple[str, ...]] = {
    Kind.TEXT: ("contains", "not_contains", "eq", "ne", "starts_with", "ends_with", *_EMPTY),
    Kind.NUMBER: ("eq", "ne", *_ORDER, *_EMPTY),
    Kind.DECIMAL: ("eq", "ne", *_ORDER, *_EMPTY),
    Kind.DURATION: ("eq", "ne", *_ORDER, *_EMPTY),
    Kind.DATE: (*_DATES, *_EMPTY),
    Kind.DATETIME: (*_DATES[2:], *_EMPTY),
    Kind.TIME: ("eq", "ne", *_ORDER, *_EMPTY),
    Kind.BOOL: ("eq", *_EMPTY),
    Kind.CHOICE: ("eq", "ne", "in", "not_in", *_EMPTY),
    Kind.CHOICES: ("contains", "not_contains", "in", *_EMPTY),
    Kind.REF: ("eq", "ne", "in", "not_in", *_EMPTY),
}
"""Operators the builder offers per kind: the kind's operators (form_engine.kinds) minus
the change operators, which only mean something inside rules and flows."""

INPUTS = {
    Kind.TEXT: "text",
    Kind.NUMBER: "number",
    Kind.DECIMAL: "number",
    Kind.DURATION: "number",
    Kind.DATE: "date",
    Kind.DATETIME: "date",
    Kind.TIME: "time",
    Kind.BOOL: "bool",
    Kind.CHOICE: "select",
    Kind.CHOICES: "select",
    Kind.REF: "select",
}
REFERENCE_CHOICES = 300
"""At most this many records are offered for a relation filter (by title)."""


def field_options(
    column: Column, svc: RecordService, actor: Actor, locale: str
) -> list[dict[str, Any]]:
    """``{"value", "label"}`` choices of an option, user, department or relation field, as
    the filter builder and the bulk bar offer them."""
    spec = column.spec
    if spec.type in ("single_select", "multi_select"):
        return [
            {"value": o["key"], "label": localize(o.get("label"), locale) or o["key"]}
            for o in spec.config.get("options") or ()
        ]
    if spec.type == "user":
        with svc.engine.connect() as conn:
            rows = conn.execute(
                sa.select(org.USER.c.id, org.USER.c.display_name)
                .where(org.USER.c.is_active.is_(True))
                .order_by(org.USER.c.display_name)
            ).all()
        me = {"value": "$user", "label": str(_l("Me (the signed-in user)"))}
        return [me] + [{"value": int(r.id), "label": r.display_name} for r in rows]
    if spec.type == "department":
        with svc.engine.connect() as conn:
            rows = conn.execute(
                sa.select(org.DEPARTMENT.c.id, org.DEPARTMENT.c.name).order_by(
                    org.DEPARTMENT.c.path
                )
            ).all()
        return [{"value": int(r.id), "label": r.name} for r in rows]
    if spec.type == "relation":
        return _record_choices(spec.config.get("target", ""), svc, actor, locale)
    return []


def _record_choices(
    target: str, svc: RecordService, actor: Actor, locale: str
) -> list[dict[str, Any]]:
    app = svc.tables.app
    if not app.has_table(target) or not app.table(target).title_field:
        return []
    title_key = app.table(target).title_field
    title_field = app.table(target).field(title_key)
    title_type = svc.plan(target).fields[title_key].type
    try:
        page = svc.query(
            actor,
            target,
            order_by=choice_order(svc, actor, target),
            fields=[title_key],
            limit=REFERENCE_CHOICES,
            as_json=False,
        )
    except PermissionDenied:
        return []
    return [
        {
            "value": int(r["id"]),
            "label": str(title_type.export(r[title_key], title_field, locale=locale)),
        }
        for r in page.rows
        if r.get(title_key) is not None
    ]


def filter_fields(
    columns: Mapping[str, Column], svc: RecordService, actor: Actor, table: str, locale: str
) -> list[dict[str, Any]]:
    """The builder's field list (JSON for the page): key, label, input, operators, options."""
    plan = svc.plan(table)
    out = []
    for key, column in columns.items():
        kind = plan.kinds.get(key)
        if column.masked or kind not in BUILDER_OPERATORS:
            continue
        labels = {**OPERATOR_LABELS, **(DATE_LABELS if kind in (Kind.DATE, Kind.DATETIME) else {})}
        out.append(
            {
                "key": key,
                "label": column.label,
                "kind": str(kind),
                "input": INPUTS[kind],
                "ops": [{"op": op, "label": str(labels[op])} for op in BUILDER_OPERATORS[kind]],
                "options": field_options(column, svc, actor, locale)
                if INPUTS[kind] == "select"
                else [],
            }
        )
    return out


def builder_rules(condition: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The builder's state for a condition it can edit: one ``all``/``any`` list of field
    conditions (or one field condition). None for anything else (shown as a custom filter
    that can only be cleared)."""
    if not condition:
        return {"match": "all", "rules": []}
    if "field" in condition:
        condition = {"all": [condition]}
    match = "all" if "all" in condition else "any" if "any" in condition else None
    if match is None or len(condition) != 1 or not isinstance(condition[match], list):
        return None
    rules = []
    for leaf in condition[match]:
        if not isinstance(leaf, Mapping) or not isinstance(leaf.get("field"), str):
            return None
        rules.append({"field": leaf["field"], "op": leaf.get("op"), "value": leaf.get("value")})
    return {"match": match, "rules": rules}


def search_condition(
    svc: RecordService, actor: Actor, table: str, text: str
) -> dict[str, Any] | None:
    """Quick search as a condition, the way the record service searches (its search
    fields, else the title field; those the reader may query), for ``aggregate``, which
    takes no ``search`` argument."""
    if not text:
        return None
    plan = svc.plan(table)
    access = svc.access(actor, plan)
    keys = list(plan.spec.search_fields) or (
        [plan.spec.title_field] if plan.spec.title_field else []
    )
    keys = [k for k in keys if k in plan.fields and access.usable_in_queries(k)]
    if not keys:
        return {"field": "id", "op": "is_empty"}
    return {"any": [{"field": k, "op": "contains", "value": text} for k in keys]}


def combine(*conditions: Mapping[str, Any] | None) -> dict[str, Any] | None:
    parts = [dict(c) for c in conditions if c]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else {"all": parts}


_PATH_STEP = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")


def query_problem(
    error: QueryError, condition: Any, columns: Mapping[str, Column], locale: str
) -> str:
    """The banner text for a filter the service refused, in the reader's language and
    naming the field: the condition problems behind the error, each tied to the field
    condition its path points at (``all[1].value`` → that rule's field)."""
    problems = getattr(error.__cause__, "problems", None)
    if not problems or not all(hasattr(p, "localized_message") for p in problems):
        return str(error.message(locale))
    separator = "；" if locale == "zh-CN" else "; "
    detail = separator.join(_problem_text(p, condition, columns, locale) for p in problems)
    return str(QueryError(detail=detail).message(locale))


def _problem_text(problem: Any, condition: Any, columns: Mapping[str, Column], locale: str) -> str:
    leaf, value = _leaf_at(condition, str(getattr(problem, "path", "")))
    column = columns.get(leaf.get("field")) if leaf else None
    if column is None:
        return str(problem.localized_message(locale))
    kind = problem.params.get("kind") if problem.code == "wrong_value" else None
    if kind is not None and isinstance(value, str | int | float):
        kind_text = localize(kind, locale) if isinstance(kind, Mapping) else str(kind)
        return _(
            "the value “%(value)s” of %(field)s is not a valid %(kind)s",
            value=value,
            field=column.label,
            kind=kind_text,
        )
    return _(
        "%(field)s: %(problem)s", field=column.label, problem=problem.localized_message(locale)
    )


def _leaf_at(condition: Any, path: str) -> tuple[Mapping[str, Any] | None, Any]:
    """The innermost field condition on ``path`` and the value the path ends at."""
    node, leaf = condition, None
    for name, index in _PATH_STEP.findall(path):
        if isinstance(node, Mapping) and "field" in node:
            leaf = node
        if name and isinstance(node, Mapping):
            node = node.get(name)
        elif index and isinstance(node, list) and int(index) < len(node):
            node = node[int(index)]
        else:
            return leaf, None
    if isinstance(node, Mapping) and "field" in node:
        leaf = node
    return leaf, node
