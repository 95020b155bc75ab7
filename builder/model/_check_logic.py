"""Type checks of conditions and formulas against the fields they refer to.

Conditions (visible/required/readonly_when, rules, form tabs and sections, relation and
rollup filters, row scopes) go through ``form_engine.conditions.check_condition``; formulas
through ``form_engine.formula``. A field of unknown kind (wrong type, broken reference —
already reported) is *broken*: each condition or formula that reads one is skipped, so that
mistake is not echoed, while every other expression of the table is still checked — the
analyst sees all problems in one run, not a new batch after each fix.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Known:
    """What the checks know about one table's columns."""

    kinds: dict[str, Kind]
    """Kinds of the system columns and of every field whose kind is known."""
    broken: frozenset[str] = frozenset()
    """Fields whose kind is unknown; their own problem is reported elsewhere."""


def check_logic(ctx: AppContext) -> Iterator[Finding]:
    known: dict[str, Known] = {}
    for key, table in ctx.tables.items():
        kinds, _complete = ctx.field_kinds(table)
        known[key] = Known(kinds, frozenset(k for k in table.fields if k not in kinds))
    for key, table in ctx.tables.items():
        yield from _table_conditions(ctx, table, known[key])
        yield from _formulas(ctx, table, known[key], known)
        yield from _filters(ctx, table, known)
    yield from _row_scopes(ctx, known)


def _condition(
    ctx: AppContext, condition: Any, path: Path, known: Known, *, changes: bool = True
) -> Iterator[Finding]:
    if condition is None or ctx.has_shape_problem(path):
        return
    if known.broken and not known.broken.isdisjoint(_condition_fields(condition)):
        return
    for problem in check_condition(
        condition, known.kinds, allow_change_ops=changes, allow_trigger=False
    ):
        where = (*path, *_split_path(problem.path))
        yield Finding(where, "text", {"text": engine_text(problem.message, problem)})


def _condition_fields(condition: Any) -> Iterator[str]:
    """Field keys a condition tree names (its leaves and field operands)."""
    if isinstance(condition, Mapping):
        for key, value in condition.items():
            if key == "field" and isinstance(value, str):
                yield value
            else:
                yield from _condition_fields(value)
    elif isinstance(condition, list):
        for item in condition:
            yield from _condition_fields(item)


def _split_path(text: str) -> Path:
    """``all[0].op`` → ``("all", 0, "op")``."""
    return tuple(int(index) if index else name for index, name in _PATH_PART.findall(text or ""))


def _table_conditions(ctx: AppContext, table: TableInfo, kinds: Known) -> Iterator[Finding]:
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


def _filters(ctx: AppContext, table: TableInfo, known: Mapping[str, Known]) -> Iterator[Finding]:
    """Relation and rollup filters select rows of another table: check against that one."""
    for info in table.fields.values():
        if info.type == "relation":
            source = info.config.get("target")
            source = ctx.tables.get(source) if isinstance(source, str) else None
        elif info.type == "rollup":
            source = ctx.rollup_source(table, info.config)
        else:
            continue
        if source is not None:
            path = (*info.path, "config", "filter")
            filter_ = info.config.get("filter")
            yield from _condition(ctx, filter_, path, known[source.key], changes=False)


def _row_scopes(ctx: AppContext, known: Mapping[str, Known]) -> Iterator[Finding]:
    for ri, role in items(ctx.document, "roles"):
        permissions = role.get("permissions") if isinstance(role, Mapping) else None
        if not isinstance(permissions, Mapping):
            continue
        for table_key, permission in permissions.items():
            scope = permission.get("row_scope") if isinstance(permission, Mapping) else None
            if not isinstance(scope, Mapping):
                continue
            columns = Known(dict(SYSTEM_KINDS)) if table_key == "*" else known.get(table_key)
            if columns is not None:
                path = ("roles", ri, "permissions", table_key, "row_scope")
                yield from _condition(ctx, scope, path, columns, changes=False)


def _formulas(
    ctx: AppContext, table: TableInfo, own: Known, known: Mapping[str, Known]
) -> Iterator[Finding]:
    children: dict[str, Known] = {}
    for key in table.fields:
        child = ctx.child_table(table, key)
        if child is not None:
            children[key] = known[child.key]
    child_kinds = {key: child.kinds for key, child in children.items()}
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
            if not _reads_broken(formula, own, children):
                yield from _formula_types(ctx, formula, path, result_type, own.kinds, child_kinds)
    try:
        dependency_order(parsed)
    except FormulaCycleError as exc:
        cycle = " → ".join([*exc.cycle, exc.cycle[0]])
        yield Finding(paths.get(exc.cycle[0], table.path), "formula_cycle", {"cycle": cycle})


def _reads_broken(formula: Any, own: Known, children: Mapping[str, Known]) -> bool:
    """Whether the formula uses a field of unknown kind (of its table or a child table)."""
    for reference in formula.references:
        if isinstance(reference, str):
            if reference in own.broken:
                return True
        elif reference[0] in own.broken or (
            reference[0] in children and reference[1] in children[reference[0]].broken
        ):
            return True
    return False


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
