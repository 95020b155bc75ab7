"""Type checks of conditions and formulas against the fields they refer to.

Conditions (visible/required/readonly_when, rules, form tabs and sections, relation and
rollup filters, row scopes) go through ``form_engine.conditions.check_condition``; formulas
through ``form_engine.formula``. A table with a field of unknown kind (wrong type, broken
reference — already reported) is skipped, so one mistake is not echoed by every condition.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from builder.model.context import SYSTEM_KINDS, AppContext, TableInfo, items
from builder.model.problems import Finding, Path, engine_text
from form_engine.conditions import check_condition
from form_engine.formula import (
    FormulaCycleError,
    FormulaSyntaxError,
    check_formula,
    dependency_order,
    parse_formula,
)
from form_engine.kinds import NUMERIC_KINDS, Kind

_FIELD_CONDITIONS = ("visible_when", "required_when", "readonly_when")
_PATH_PART = re.compile(r"\[(\d+)\]|([^.\[\]]+)")


def check_logic(ctx: AppContext) -> Iterator[Finding]:
    kinds_of: dict[str, dict[str, Kind] | None] = {}
    for key, table in ctx.tables.items():
        kinds, complete = ctx.field_kinds(table)
        kinds_of[key] = kinds if complete else None
    for key, table in ctx.tables.items():
        kinds = kinds_of[key]
        if kinds is not None:
            yield from _table_conditions(ctx, table, kinds)
            yield from _formulas(ctx, table, kinds, kinds_of)
        yield from _filters(ctx, table, kinds_of)
    yield from _row_scopes(ctx, kinds_of)


def _condition(
    ctx: AppContext, condition: Any, path: Path, kinds: Mapping[str, Kind], *, changes: bool = True
) -> Iterator[Finding]:
    if condition is None or ctx.has_shape_problem(path):
        return
    for problem in check_condition(condition, kinds, allow_change_ops=changes, allow_trigger=False):
        where = (*path, *_split_path(problem.path))
        yield Finding(where, "text", {"text": engine_text(problem.message, problem)})


def _split_path(text: str) -> Path:
    """``all[0].op`` → ``("all", 0, "op")``."""
    return tuple(int(index) if index else name for index, name in _PATH_PART.findall(text or ""))


def _table_conditions(
    ctx: AppContext, table: TableInfo, kinds: Mapping[str, Kind]
) -> Iterator[Finding]:
    for info in table.fields.values():
        for key in _FIELD_CONDITIONS:
            yield from _condition(ctx, info.doc.get(key), (*info.path, key), kinds)
    for i, rule in items(table.doc, "rules"):
        if isinstance(rule, Mapping):
            for key in ("when", "condition"):
                yield from _condition(ctx, rule.get(key), (*table.path, "rules", i, key), kinds)
    form = table.doc.get("form")
    if isinstance(form, Mapping):
        for ti, tab in items(form, "tabs"):
            if not isinstance(tab, Mapping):
                continue
            tab_path = (*table.path, "form", "tabs", ti)
            yield from _condition(ctx, tab.get("visible_when"), (*tab_path, "visible_when"), kinds)
            for si, section in items(tab, "sections"):
                if isinstance(section, Mapping):
                    path = (*tab_path, "sections", si, "visible_when")
                    yield from _condition(ctx, section.get("visible_when"), path, kinds)


def _filters(
    ctx: AppContext, table: TableInfo, kinds_of: Mapping[str, dict[str, Kind] | None]
) -> Iterator[Finding]:
    """Relation and rollup filters select rows of another table: check against that one."""
    for info in table.fields.values():
        if info.type == "relation":
            source = info.config.get("target")
            source = ctx.tables.get(source) if isinstance(source, str) else None
        elif info.type == "rollup":
            source = ctx.rollup_source(table, info.config)
        else:
            continue
        kinds = kinds_of.get(source.key) if source is not None else None
        if kinds is not None:
            path = (*info.path, "config", "filter")
            yield from _condition(ctx, info.config.get("filter"), path, kinds, changes=False)


def _row_scopes(
    ctx: AppContext, kinds_of: Mapping[str, dict[str, Kind] | None]
) -> Iterator[Finding]:
    for ri, role in items(ctx.document, "roles"):
        permissions = role.get("permissions") if isinstance(role, Mapping) else None
        if not isinstance(permissions, Mapping):
            continue
        for table_key, permission in permissions.items():
            scope = permission.get("row_scope") if isinstance(permission, Mapping) else None
            if not isinstance(scope, Mapping):
                continue
            kinds = dict(SYSTEM_KINDS) if table_key == "*" else kinds_of.get(table_key)
            if kinds is not None:
                path = ("roles", ri, "permissions", table_key, "row_scope")
                yield from _condition(ctx, scope, path, kinds, changes=False)


def _formulas(
    ctx: AppContext,
    table: TableInfo,
    kinds: Mapping[str, Kind],
    kinds_of: Mapping[str, dict[str, Kind] | None],
) -> Iterator[Finding]:
    child_kinds: dict[str, Mapping[str, Kind]] = {}
    for key in table.fields:
        child = ctx.child_table(table, key)
        if child is not None and kinds_of.get(child.key) is not None:
            child_kinds[key] = kinds_of[child.key] or {}
    parsed: dict[str, Any] = {}
    paths: dict[str, Path] = {}
    for info in table.fields.values():
        sources = [(info.doc.get("default_formula"), (*info.path, "default_formula"), None)]
        if info.type == "formula":
            result_type = info.config.get("result_type")
            sources.append(
                (info.config.get("expression"), (*info.path, "config", "expression"), result_type)
            )
        for text, path, result_type in sources:
            if not isinstance(text, str) or ctx.has_shape_problem(path):
                continue
            try:
                formula = parse_formula(text)
            except FormulaSyntaxError as exc:
                yield _syntax_finding(path, exc)
                continue
            if path[-1] == "expression":
                parsed[info.key], paths[info.key] = formula, path
            yield from _formula_types(ctx, formula, path, result_type, kinds, child_kinds)
    try:
        dependency_order(parsed)
    except FormulaCycleError as exc:
        cycle = " → ".join([*exc.cycle, exc.cycle[0]])
        yield Finding(paths.get(exc.cycle[0], table.path), "formula_cycle", {"cycle": cycle})


def _syntax_finding(path: Path, exc: FormulaSyntaxError) -> Finding:
    return Finding(path, "formula_syntax", {"position": exc.position + 1, "detail": exc.messages})


def _formula_types(
    ctx: AppContext,
    formula: Any,
    path: Path,
    result_type: Any,
    kinds: Mapping[str, Kind],
    child_kinds: Mapping[str, Mapping[str, Kind]],
) -> Iterator[Finding]:
    kind, problems = check_formula(formula, kinds, child_kinds)
    for problem in problems:
        yield Finding(path, "text", {"text": engine_text(str(problem), problem)})
    if problems or kind is None or not isinstance(result_type, str):
        return
    if result_type not in ctx.field_types:
        return
    expected: Kind = ctx.field_types.get(result_type).kind
    if not _fits(kind, expected):
        yield Finding(path, "formula_result", {"actual": kind.value, "expected": result_type})


def _fits(actual: Kind, expected: Kind) -> bool:
    if actual == expected:
        return True
    if actual in NUMERIC_KINDS and expected in NUMERIC_KINDS:
        return True
    # A text result may fill a choice; a date may fill a datetime.
    return (actual, expected) in {(Kind.TEXT, Kind.CHOICE), (Kind.DATE, Kind.DATETIME)}
