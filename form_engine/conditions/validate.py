"""Static type-check of a condition against the fields it may refer to.

``check_condition`` returns every problem, each with a JSON-path-like location and a
message (English ``message``, every locale in ``messages``) that says what was wrong and
what is allowed. Analysts see it when they publish; the evaluator and the SQL compiler
refuse conditions that have problems.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping
from typing import Any

from form_engine.conditions import _messages
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
        return ConditionProblem.of(
            path, "unknown_field", key=key, hint=_messages.did_you_mean(close)
        )

    def leaf(self, leaf: Leaf) -> Iterator[ConditionProblem]:
        kind = self.fields.get(leaf.field)
        if kind is None:
            yield self.unknown_field(leaf.field, join_path(leaf.path, "field"))
            return
        allowed = OPERATORS[kind]
        op_path = join_path(leaf.path, "op")
        if leaf.op not in allowed:
            yield ConditionProblem.of(
                op_path,
                "operator_not_for_kind",
                op=leaf.op,
                field=leaf.field,
                kind=_messages.kind_name(kind),
                allowed=_messages.names(sorted(allowed)),
            )
            return
        if leaf.op in CHANGE_OPERATORS and not self.allow_change:
            yield ConditionProblem.of(op_path, "no_previous_version", op=leaf.op)
        yield from self.value(leaf, kind, join_path(leaf.path, "value"))

    def value(self, leaf: Leaf, kind: Kind, path: str) -> Iterator[ConditionProblem]:
        shape = SHAPES[leaf.op]
        if leaf.value is INVALID_VALUE or shape in (ValueShape.NONE, ValueShape.DAYS):
            return  # fully checked by the parser
        if kind is Kind.CHOICES:
            yield from self.choices_value(leaf, path)
            return
        if isinstance(leaf.value, tuple) and shape is ValueShape.ONE:
            hint = _messages.localized("hint_use_in") if leaf.op == "eq" else ""
            yield ConditionProblem.of(
                path,
                "one_value_for_kind",
                op=leaf.op,
                field=leaf.field,
                kind=_messages.kind_name(kind),
                hint=hint,
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
                yield ConditionProblem.of(path, "whole_selection", op=leaf.op, field=leaf.field)
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
                yield ConditionProblem.of(
                    path, "option_key_expected", got=_messages.shown(operand.value)
                )
        elif isinstance(operand, TriggerRef) or (allow_field and isinstance(operand, FieldRef)):
            yield from self.reference(operand, Kind.CHOICE, path)
        else:
            code = "whole_value_is_list" if isinstance(operand, FieldRef) else "only_option_keys"
            yield ConditionProblem.of(path, code)

    def operand(self, operand: Operand, kind: Kind, path: str) -> Iterator[ConditionProblem]:
        if isinstance(operand, Literal):
            yield from self.literal(operand.value, kind, path)
        elif isinstance(operand, ContextRef):
            yield from self.context_ref(operand, kind, path)
        else:
            yield from self.reference(operand, kind, path)

    def literal(self, value: Any, kind: Kind, path: str) -> Iterator[ConditionProblem]:
        if value is None:
            yield ConditionProblem.of(path, "null_value")
            return
        try:
            coerce(value, kind)
        except CoerceError as exc:
            detail = _messages.localized(
                "expected_got",
                expected=_messages.expected(kind, EXPECTED[kind]),
                got=_messages.shown(value),
            )
            detail["en"] = str(exc)  # the coercer's own words, as before codes existed
            yield ConditionProblem.of(
                path, "wrong_value", kind=_messages.kind_name(kind), detail=detail
            )

    def context_ref(self, ref: ContextRef, kind: Kind, path: str) -> Iterator[ConditionProblem]:
        fits = {
            "user": {Kind.REF},
            "now": {Kind.DATE, Kind.DATETIME},
            "today": {Kind.DATE, Kind.DATETIME},
        }[ref.name]
        if kind not in fits:
            yield ConditionProblem.of(
                path,
                "context_mismatch",
                name=ref.name,
                kind=_messages.kind_name(kind),
                fits=_messages.kind_names(fits),
                expected=_messages.expected(kind, EXPECTED[kind]),
            )

    def reference(
        self, ref: FieldRef | TriggerRef, kind: Kind, path: str
    ) -> Iterator[ConditionProblem]:
        if isinstance(ref, TriggerRef) and not self.allow_trigger:
            yield ConditionProblem.of(path, "trigger_outside_flow", key=ref.key)
            return
        other = self.fields.get(ref.key)
        if other is None:
            yield self.unknown_field(ref.key, path)
            return
        if not _compatible(kind, other):
            yield ConditionProblem.of(
                path,
                "incompatible_reference",
                kind=_messages.kind_name(kind),
                what=_reference_name(ref),
                other=_messages.kind_name(other),
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
            yield ConditionProblem.of(
                path,
                "between_order",
                low=_messages.shown(low.value),
                high=_messages.shown(high.value),
            )


def _reference_name(ref: FieldRef | TriggerRef) -> dict[str, str]:
    """``$trigger.stage`` or ``field 'stage'`` / ``字段“stage”``."""
    if isinstance(ref, TriggerRef):
        return {"en": f"$trigger.{ref.key}", "zh-CN": f"“$trigger.{ref.key}”"}
    return {"en": f"field {ref.key!r}", "zh-CN": f"字段“{ref.key}”"}


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
