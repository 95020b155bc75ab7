"""The webhook form's visual condition builder (static/js/condition_builder.js): what it
offers per table, and condition problems in words that name the field.

It reuses the list filter builder's vocabulary (``_list_filters``: operators per kind with
their localised names, the value input per kind, choices of option, user, department and
relation fields) and adds what only makes sense on a change: ``changed``, ``changed_from``
and ``changed_to``, plus "is empty"/"has changed" for structured fields (address, …).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from form_engine.conditions import ConditionProblem
from form_engine.kinds import OPERATORS, Kind
from runtime.records import RecordService
from runtime.records.actor import Actor
from runtime.web.i18n import gettext as _
from runtime.web.i18n import lazy_gettext as _l
from runtime.web.views._list_display import Column, available_columns
from runtime.web.views._list_filters import (
    BUILDER_OPERATORS,
    INPUTS,
    OPERATOR_LABELS,
    field_options,
    kind_operators,
    leaf_at,
    problem_text,
    searchable,
)
from runtime.webhooks.config import UnknownOption

CHANGE_LABELS = {
    "changed": _l("has changed"),
    "changed_from": _l("changed from"),
    "changed_to": _l("changed to"),
}
CHANGE_OPERATORS = tuple(CHANGE_LABELS)
STRUCTURED_OPERATORS = ("is_empty", "is_not_empty", "changed")
"""What the builder offers for structured (JSON) fields such as an address."""
OPTION_KINDS = (Kind.CHOICE, Kind.CHOICES)
ACTOR_VALUE = "$user"
"""In a webhook condition ``$user`` is the user who made the change."""

SearchUrl = Any  # Callable[[str, str], str | None]: (table, field) → picker search URL


def _operators(kind: Kind, locale: str) -> list[dict[str, str]]:
    if kind is Kind.JSON:
        return [
            {"op": op, "label": str(OPERATOR_LABELS.get(op) or CHANGE_LABELS[op])}
            for op in STRUCTURED_OPERATORS
        ]
    changes = [
        {"op": op, "label": str(CHANGE_LABELS[op])}
        for op in CHANGE_OPERATORS
        # a moment changes from or to one exact instant, which no date input can state
        if op in OPERATORS[kind] and (kind is not Kind.DATETIME or op == "changed")
    ]
    return [*kind_operators(locale)[kind], *changes]


def _entry(
    column: Column,
    kind: Kind,
    svc: RecordService,
    actor: Actor,
    table: str,
    locale: str,
    search_url: SearchUrl,
    cache: dict[str, Any],
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "key": column.key,
        "label": column.label,
        "kind": str(kind),
        "input": "none" if kind is Kind.JSON else INPUTS[kind],
        "options": [],
    }
    if entry["input"] != "select":
        return entry
    url = searchable(column, svc, table, lambda key: search_url(table, key))
    if url is not None:
        entry.update(input="search", search=url)
        return entry
    options = field_options(column, svc, actor, locale, cache)
    if column.spec.type in SHARED_CHOICES:
        entry["shared"] = column.spec.type  # one list in the page for every such field
    else:
        entry["options"] = options
    return entry


SHARED_CHOICES = ("user", "department")


def _shared(cache: dict[str, Any], locale: str) -> dict[str, Any]:
    choices = {
        kind: [
            {**o, "label": _("The user who made the change")} if o["value"] == ACTOR_VALUE else o
            for o in options
        ]
        for kind, options in cache.items()
        if kind in SHARED_CHOICES
    }
    ops = {str(kind): _operators(kind, locale) for kind in (*BUILDER_OPERATORS, Kind.JSON)}
    return {"choices": choices, "ops": ops}


def with_options(fields: list[dict[str, Any]], shared: dict[str, Any]) -> list[dict[str, Any]]:
    """The fields with their operators and shared choices (users, departments) filled in."""
    return [
        {
            **f,
            "ops": shared["ops"][f["kind"]],
            "options": shared["choices"].get(f.get("shared", ""), f["options"]),
        }
        for f in fields
    ]


def builder_tables(
    svc: RecordService,
    actor: Actor,
    locale: str,
    search_url: SearchUrl,
    only: str | None = None,
) -> tuple[dict[str, list[dict[str, Any]]], dict[str, Any]]:
    """Table key → the builder's fields of that table (key, label, kind, input, options,
    or a search URL, or the name of a ``shared`` choice list), in definition order, then
    the system columns; every table, or ``only`` that one. Second, what fields share,
    listed once for the page: ``ops`` (kind → ``{"op", "label"}``) and ``choices``
    (``user``, ``department`` → options; ``$user`` is the user who made the change)."""
    cache: dict[str, Any] = {}  # user and department lists, shared by every table
    tables: dict[str, list[dict[str, Any]]] = {}
    for table_spec in svc.tables.app.tables:
        table = table_spec.key
        if only is not None and table != only:
            continue
        kinds = svc.plan(table).kinds
        tables[table] = [
            _entry(column, kinds[key], svc, actor, table, locale, search_url, cache)
            for key, column in available_columns(svc, actor, table, locale).items()
            if not column.masked
            and (kinds.get(key) in BUILDER_OPERATORS or kinds.get(key) is Kind.JSON)
        ]
    return tables, _shared(cache, locale)


def option_keys(svc: RecordService, actor: Actor, locale: str) -> dict[str, dict[str, set[str]]]:
    """Table → select field → its option keys, for checking a condition's values."""
    out: dict[str, dict[str, set[str]]] = {}
    for table_spec in svc.tables.app.tables:
        table = table_spec.key
        kinds = svc.plan(table).kinds
        out[table] = {
            key: {str(o["key"]) for o in column.spec.config.get("options") or ()}
            for key, column in available_columns(svc, actor, table, locale).items()
            if kinds.get(key) in OPTION_KINDS and column.spec.config.get("options")
        }
    return out


_RULE = re.compile(r"^(?:all|any)\[(\d+)\]")


def problem_texts(
    problems: list[ConditionProblem | UnknownOption],
    condition: Any,
    columns: Mapping[str, Column],
    locale: str,
) -> list[dict[str, Any]]:
    """Each problem of a webhook's condition in the reader's language, naming the field
    it concerns by its label (``等级：“zz”不是该字段的选项。``), with the index of the
    builder row it is in (``rule``; None when the condition is not a flat list)."""
    out = []
    for problem in problems:
        found = _RULE.match(problem.path)
        rule = int(found.group(1)) if found else None
        if isinstance(problem, UnknownOption):
            column = columns.get(problem.field)
            text = _(
                "%(field)s: “%(value)s” is not an option of this field.",
                field=column.label if column else problem.field,
                value=problem.value,
            )
        else:
            leaf, _value = leaf_at(condition, problem.path)
            text = problem_text(problem, condition, columns, locale)
            if (leaf is None or leaf.get("field") not in columns) and rule is not None:
                text = _("Condition %(number)s: %(problem)s", number=rule + 1, problem=text)
        out.append({"rule": rule, "text": text})
    return out


def describe(
    condition: Any,
    fields: list[dict[str, Any]],
    locale: str,
    titles: Mapping[str, Mapping[str, str]] | None = None,
) -> str | None:
    """A condition the builder can show, in words with the builder's labels
    (``等级 变更为 A 重点客户 且 区域 等于 华东``); None for any other condition.
    ``titles``: field → record id → title, for relation values."""
    if not isinstance(condition, Mapping):
        return None
    if "field" in condition:
        condition = {"all": [condition]}
    match = "all" if "all" in condition else "any" if "any" in condition else None
    if match is None or len(condition) != 1 or not isinstance(condition[match], list):
        return None
    by_key = {f["key"]: f for f in fields}
    parts = []
    for leaf in condition[match]:
        field = by_key.get(leaf.get("field")) if isinstance(leaf, Mapping) else None
        if field is None:
            return None
        ops = {o["op"]: o["label"] for o in field["ops"]}
        if leaf.get("op") not in ops:
            return None
        words = [field["label"], ops[leaf["op"]]]
        if "value" in leaf:
            found = (titles or {}).get(field["key"], {})
            words.append(_value_text(leaf["value"], field, leaf["op"], locale, found))
        parts.append(" ".join(words))
    return (_(" and ") if match == "all" else _(" or ")).join(parts)


def _value_text(
    value: Any, field: Mapping[str, Any], op: str, locale: str, titles: Mapping[str, str]
) -> str:
    labels = {str(o["value"]): str(o["label"]) for o in field.get("options") or ()}
    items = value if isinstance(value, list) else [value]
    texts = []
    for item in items:
        if isinstance(item, bool):
            texts.append(_("Yes") if item else _("No"))
        elif field.get("input") == "search":
            texts.append(titles.get(str(item)) or f"#{item}")
        else:
            texts.append(labels.get(str(item), str(item)))
    joiner = " – " if op == "between" else "、" if locale == "zh-CN" else ", "
    return joiner.join(texts) if isinstance(value, list) else texts[0]
