"""What the visual filter builder offers, and reading its conditions back.

The builder (static/js/list.js) produces a condition of the condition language —
``{"all": [{"field": …, "op": …, "value": …}, …]}`` or ``{"any": […]}`` — which the list
passes to the record service as ``where``. Here: the fields one may filter by (never hidden
or masked ones: filtering would reveal them), each kind's operators with localised names
and the value input that fits them, and choices for option and reference fields.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import sqlalchemy as sa
from flask import current_app

from form_engine.kinds import Kind
from runtime import org
from runtime.records import PermissionDenied, QueryError, RecordService
from runtime.records.actor import Actor
from runtime.web.forms.options import choice_order
from runtime.web.i18n import gettext as _
from runtime.web.i18n import lazy_gettext as _l
from runtime.web.views._list_display import Column, References
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
    column: Column,
    svc: RecordService,
    actor: Actor,
    locale: str,
    cache: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """``{"value", "label"}`` choices of an option, user, department or relation field, as
    the filter builder and the bulk bar offer them. ``cache`` (one per page) keeps the
    user and department lists, which every such field of the page shares."""
    spec = column.spec
    if cache is not None and spec.type in ("user", "department"):
        if spec.type not in cache:
            cache[spec.type] = _field_options(column, svc, actor, locale)
        return list(cache[spec.type])
    return _field_options(column, svc, actor, locale)


def _field_options(
    column: Column, svc: RecordService, actor: Actor, locale: str
) -> list[dict[str, Any]]:
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


SearchUrl = Callable[[str], str | None]
"""The relation-picker search URL of a field of the table (``?q=`` appended by the page),
or None where there is none; the builder then offers preloaded choices instead."""


def searchable(column: Column, svc: RecordService, table: str, search_url: SearchUrl) -> str | None:
    """The search URL for a relation field whose choices are looked up as the user types
    (a lookup that shows a relation has no picker of its own, so it keeps preloaded ones)."""
    field = svc.plan(table).fields.get(column.key)
    if field is None or field.spec.type != "relation" or column.masked:
        return None
    return search_url(column.key)


def kind_operators(locale: str) -> dict[Kind, list[dict[str, str]]]:
    """``{"op", "label"}`` per operator the builder offers, per kind, in ``locale``.
    Translated once per locale and kept on the app (the catalogs are loaded at start-up),
    so a page does not translate every operator of every field again."""
    cache = current_app.extensions.setdefault("kairos_list_operators", {})
    if locale not in cache:
        plain = {op: str(label) for op, label in OPERATOR_LABELS.items()}
        dated = {**plain, **{op: str(label) for op, label in DATE_LABELS.items()}}
        cache[locale] = {
            kind: [
                {"op": op, "label": (dated if kind in (Kind.DATE, Kind.DATETIME) else plain)[op]}
                for op in operators
            ]
            for kind, operators in BUILDER_OPERATORS.items()
        }
    return cache[locale]  # type: ignore[no-any-return]


def filter_fields(
    columns: Mapping[str, Column],
    svc: RecordService,
    actor: Actor,
    table: str,
    locale: str,
    search_url: SearchUrl = lambda _key: None,
    cache: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """The builder's field list (JSON for the page): key, label, input, operators, options.
    Relation fields with a search URL get ``input: "search"`` and no options: their
    records are searched as the user types, not loaded with the page."""
    plan = svc.plan(table)
    ops = kind_operators(locale)
    out = []
    for key, column in columns.items():
        kind = plan.kinds.get(key)
        if column.masked or kind not in BUILDER_OPERATORS:
            continue
        entry = {
            "key": key,
            "label": column.label,
            "kind": str(kind),
            "input": INPUTS[kind],
            "ops": ops[kind],
            "options": [],
        }
        url = searchable(column, svc, table, search_url) if INPUTS[kind] == "select" else None
        if url is not None:
            entry.update(input="search", search=url)
        elif INPUTS[kind] == "select":
            entry["options"] = field_options(column, svc, actor, locale, cache)
        out.append(entry)
    return out


def chosen_titles(
    state: Mapping[str, Any] | None,
    columns: Mapping[str, Column],
    fields: list[dict[str, Any]],
    refs: References,
) -> dict[str, dict[str, str]]:
    """``{field: {id: title}}`` for the records an existing filter chose in its searched
    relation fields, so the builder shows titles without loading every choice. Only the
    chosen ids are resolved, through the service (a title the reader may not see stays
    out, and the builder shows the id)."""
    searched = {f["key"] for f in fields if f["input"] == "search"}
    out: dict[str, dict[str, str]] = {}
    for rule in (state or {}).get("rules", ()):
        key = rule.get("field")
        if key not in searched:
            continue
        value = rule.get("value")
        values = value if isinstance(value, list) else [value]
        ids = {int(v) for v in values if isinstance(v, int | str) and str(v).isdigit()}
        target = columns[key].spec.config.get("target", "")
        refs.load_records(target, ids)
        titles = out.setdefault(key, {})
        for record_id in ids:
            title = refs.title(target, record_id)
            if title is not None:
                titles[str(record_id)] = title
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
    detail = separator.join(problem_text(p, condition, columns, locale) for p in problems)
    return str(QueryError(detail=detail).message(locale))


def problem_text(problem: Any, condition: Any, columns: Mapping[str, Column], locale: str) -> str:
    """One condition problem in the reader's language, naming the field its path points
    at by its label; the problem's own message when the path names no known field."""
    leaf, value = leaf_at(condition, str(getattr(problem, "path", "")))
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


def leaf_at(condition: Any, path: str) -> tuple[Mapping[str, Any] | None, Any]:
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
