"""Static type-check of a condition against the fields it may refer to.

``check_condition`` returns every problem, each with a JSON-path-like location and an
English message that says what was wrong and what is allowed. Analysts see it when they
publish; the evaluator and the SQL compiler refuse conditions that have problems.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping
from typing import Any

from form_engine.conditions._coerce import EXPECTED, CoerceError, coerce
from form_engine.conditions._model import (
    INVALID_VALUE,
    ConditionError,
    ConditionProblem,
    ContextRef,
    FieldRef,
    Leaf,
    Literal,
    Node,
    Operand,
    TriggerRef,
    join_path,
    parse,
    walk_leaves,
)
from form_engine.conditions._operators import CHANGE_OPERATORS, SHAPES, ValueShape
from form_engine.kinds import NUMERIC_KINDS, OPERATORS, Kind

# Kinds whose values may be compared with each other (field references, $trigger).
_COMPATIBLE = [NUMERIC_KINDS, frozenset({Kind.TEXT, Kind.CHOICE})]
_OPTION_KINDS = frozenset({Kind.CHOICE, Kind.TEXT})
_WHOLE_VALUE_OPS = frozenset({"eq", "ne", "changed_from", "changed_to"})


def check_condition(
    condition: Any,
    fields: Mapping[str, Kind],
    *,
    allow_change_ops: bool = True,
    allow_trigger: bool = True,
) -> list[ConditionProblem]:
    """Every problem of ``condition`` against ``fields`` (field key → Kind); [] when valid.

    ``fields`` must include the system columns the condition may use (``id``, ``owner_id``,
    ``created_by``, ``updated_by`` as REF; ``created_at``, ``updated_at`` as DATETIME).
    ``allow_change_ops`` is False where no previous version exists (report filters,
    row permissions); ``allow_trigger`` is False outside flows.
    """
    node, problems = parse(condition)
    if node is None:
        return problems
    checker = _Checker(fields, allow_change_ops, allow_trigger)
    for leaf in walk_leaves(node):
        problems.extend(checker.leaf(leaf))
    return sorted(problems, key=lambda problem: _document_order(problem.path))


def checked(condition: Any, kinds: Mapping[str, Kind], *, allow_change_ops: bool = True) -> Node:
    """The parsed tree of a valid condition; raises ConditionError listing every problem."""
    problems = check_condition(condition, kinds, allow_change_ops=allow_change_ops)
    if problems:
        raise ConditionError(problems)
    node, _ = parse(condition)
    assert node is not None  # no problems, so the tree is complete
    return node


class _Checker:
    def __init__(self, fields: Mapping[str, Kind], allow_change: bool, allow_trigger: bool):
        self.fields = fields
        self.allow_change = allow_change
        self.allow_trigger = allow_trigger

    def unknown_field(self, key: str, path: str) -> ConditionProblem:
        close = difflib.get_close_matches(key, list(self.fields), n=3, cutoff=0.6)
        hint = f"; did you mean {' or '.join(map(repr, close))}?" if close else ""
        return ConditionProblem(path, f"unknown field {key!r}{hint}")

    def leaf(self, leaf: Leaf) -> Iterator[ConditionProblem]:
        kind = self.fields.get(leaf.field)
        if kind is None:
            yield self.unknown_field(leaf.field, join_path(leaf.path, "field"))
            return
        allowed = OPERATORS[kind]
        op_path = join_path(leaf.path, "op")
        if leaf.op not in allowed:
            yield ConditionProblem(
                op_path,
                f"operator {leaf.op!r} does not apply to {leaf.field!r} ({kind.value}); "
                f"allowed: {', '.join(sorted(allowed))}",
            )
            return
        if leaf.op in CHANGE_OPERATORS and not self.allow_change:
            yield ConditionProblem(
                op_path,
                f"{leaf.op!r} compares with the previous version of the record, which does "
                f'not exist here (filters, permissions); use a comparison such as "eq"',
            )
        yield from self.value(leaf, kind, join_path(leaf.path, "value"))

    def value(self, leaf: Leaf, kind: Kind, path: str) -> Iterator[ConditionProblem]:
        shape = SHAPES[leaf.op]
        if leaf.value is INVALID_VALUE or shape in (ValueShape.NONE, ValueShape.DAYS):
            return  # fully checked by the parser
        if kind is Kind.CHOICES:
            yield from self.choices_value(leaf, path)
            return
        if isinstance(leaf.value, tuple) and shape is ValueShape.ONE:
            yield ConditionProblem(
                path,
                f'"{leaf.op}" takes one value for {leaf.field!r} ({kind.value}), not a list'
                + ('; use "in" to match any of several values' if leaf.op == "eq" else ""),
            )
            return
        if shape is ValueShape.ONE:
            yield from self.operand(leaf.value, kind, path)
        elif shape is ValueShape.PAIR:
            for i, bound in enumerate(leaf.value):
                yield from self.operand(bound, kind, join_path(path, i))
            yield from self.pair_order(leaf.value, kind, path)
        else:
            for i, item in enumerate(leaf.value):
                yield from self.operand(item, kind, join_path(path, i))

    def choices_value(self, leaf: Leaf, path: str) -> Iterator[ConditionProblem]:
        value = leaf.value
        if leaf.op in _WHOLE_VALUE_OPS:
            if isinstance(value, TriggerRef):
                yield from self.reference(value, Kind.CHOICES, path)
            elif isinstance(value, tuple):
                for i, item in enumerate(value):
                    yield from self.option(item, join_path(path, i), allow_field=False)
            else:
                yield ConditionProblem(
                    path,
                    f'"{leaf.op}" on the multi-select field {leaf.field!r} compares the whole '
                    f'selection: give a list of option keys such as ["a", "b"] ([] = nothing '
                    f'selected); to test one option use "contains"',
                )
        elif leaf.op in ("in", "not_in"):
            for i, item in enumerate(value):
                yield from self.option(item, join_path(path, i))
        else:
            yield from self.option(value, path)

    def option(
        self, operand: Operand, path: str, *, allow_field: bool = True
    ) -> Iterator[ConditionProblem]:
        if isinstance(operand, Literal):
            if not isinstance(operand.value, str):
                yield ConditionProblem(
                    path, f"expected an option key (text), got {operand.value!r}"
                )
        elif isinstance(operand, TriggerRef) or (allow_field and isinstance(operand, FieldRef)):
            yield from self.reference(operand, Kind.CHOICE, path)
        else:
            yield ConditionProblem(
                path,
                "a whole multi-select value is a list of option keys or $trigger.<field>"
                if isinstance(operand, FieldRef)
                else "only option keys can be compared with a multi-select field",
            )

    def operand(self, operand: Operand, kind: Kind, path: str) -> Iterator[ConditionProblem]:
        if isinstance(operand, Literal):
            yield from self.literal(operand.value, kind, path)
        elif isinstance(operand, ContextRef):
            yield from self.context_ref(operand, kind, path)
        else:
            yield from self.reference(operand, kind, path)

    def literal(self, value: Any, kind: Kind, path: str) -> Iterator[ConditionProblem]:
        if value is None:
            yield ConditionProblem(
                path, 'null is not a value to compare with; use "is_empty" or "is_not_empty"'
            )
            return
        try:
            coerce(value, kind)
        except CoerceError as exc:
            yield ConditionProblem(path, f"wrong value for a {kind.value} field: {exc}")

    def context_ref(self, ref: ContextRef, kind: Kind, path: str) -> Iterator[ConditionProblem]:
        fits = {
            "user": {Kind.REF},
            "now": {Kind.DATE, Kind.DATETIME},
            "today": {Kind.DATE, Kind.DATETIME},
        }[ref.name]
        if kind not in fits:
            yield ConditionProblem(
                path,
                f'"${ref.name}" cannot be compared with a {kind.value} field; it fits '
                f"{' or '.join(sorted(k.value for k in fits))} fields (expected "
                f"{EXPECTED[kind]})",
            )

    def reference(
        self, ref: FieldRef | TriggerRef, kind: Kind, path: str
    ) -> Iterator[ConditionProblem]:
        if isinstance(ref, TriggerRef) and not self.allow_trigger:
            yield ConditionProblem(
                path, f'"$trigger.{ref.key}" is only available in flow conditions'
            )
            return
        other = self.fields.get(ref.key)
        if other is None:
            yield self.unknown_field(ref.key, path)
            return
        if not _compatible(kind, other):
            what = f"$trigger.{ref.key}" if isinstance(ref, TriggerRef) else f"field {ref.key!r}"
            yield ConditionProblem(
                path,
                f"cannot compare a {kind.value} value with {what} ({other.value}); "
                f"compare with a field of the same kind",
            )

    def pair_order(
        self, pair: tuple[Operand, Operand], kind: Kind, path: str
    ) -> Iterator[ConditionProblem]:
        low, high = pair
        if not (isinstance(low, Literal) and isinstance(high, Literal)):
            return
        try:
            lo, hi = coerce(low.value, kind), coerce(high.value, kind)
            reversed_ = lo is not None and hi is not None and lo > hi
        except (CoerceError, TypeError):
            return  # already reported per bound
        if reversed_:
            yield ConditionProblem(
                path,
                f"between needs [low, high] with low ≤ high, got [{low.value!r}, {high.value!r}]",
            )


def _document_order(path: str) -> list[tuple[int, int | str]]:
    """Sort key putting problems in the order their places appear in the condition."""
    return [
        (0, int(token)) if token.isdigit() else (1, token)
        for token in re.findall(r"[^.\[\]]+", path)
    ]


def _compatible(kind: Kind, other: Kind) -> bool:
    if kind == other:
        return kind not in (Kind.JSON, Kind.ROWS)
    if kind is Kind.CHOICE and other in _OPTION_KINDS:
        return True
    return any(kind in group and other in group for group in _COMPATIBLE)
