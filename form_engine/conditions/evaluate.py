"""Evaluate a condition against one record in memory (forms, rules, flow branches).

The rules here are the reference for the SQL compiler; ``conformance.json`` holds vectors
both must pass. In short: empty field values make comparisons false, except the negative
operators (``ne``, ``not_in``, ``not_contains``) which are then true; multi-select values
are sets, and an empty multi-select is the empty set.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from form_engine.conditions._coerce import coerce, coerce_options, is_empty_value
from form_engine.conditions._dates import day_range
from form_engine.conditions._model import AllOf, AnyOf, FieldRef, Leaf, Node, Not, Operand
from form_engine.conditions._operands import known_raw, known_value, present
from form_engine.conditions._operators import CHANGE_OPERATORS, DATE_HELPERS
from form_engine.conditions._text import fold, like_match
from form_engine.conditions.context import ConditionContext
from form_engine.conditions.validate import checked
from form_engine.kinds import Kind


def evaluate(
    condition: Any,
    record: Mapping[str, Any],
    kinds: Mapping[str, Kind],
    *,
    context: ConditionContext,
    previous: Mapping[str, Any] | None = None,
) -> bool:
    """True when ``record`` satisfies ``condition``.

    ``kinds`` maps every field the condition may use to its Kind (system columns too);
    fields missing from ``record`` count as empty. ``previous`` is the record before the
    change being evaluated, for ``changed*``; None means the record is new, so every field
    was empty before. Raises ConditionError when the condition does not type-check.
    """
    node = _checked_once(condition, kinds)
    return _Evaluation(record, kinds, context, previous or {}).node(node)


_CHECKED: dict[tuple[int, int], tuple[Any, Mapping[str, Kind], Node]] = {}


def _checked_once(condition: Any, kinds: Mapping[str, Kind]) -> Node:
    """Parse and type-check a condition once per (condition, kinds) pair.

    Definition conditions and table kinds are long-lived objects evaluated for every record
    written (a bulk import evaluates each rule thousands of times); checking them again
    each time dominated bulk writes. The identity checks guard against id() reuse.
    """
    key = (id(condition), id(kinds))
    cached = _CHECKED.get(key)
    if cached is not None and cached[0] is condition and cached[1] is kinds:
        return cached[2]
    node = checked(condition, kinds)
    if len(_CHECKED) > 4096:
        _CHECKED.clear()
    _CHECKED[key] = (condition, kinds, node)
    return node


class _Evaluation:
    def __init__(
        self,
        record: Mapping[str, Any],
        kinds: Mapping[str, Kind],
        context: ConditionContext,
        previous: Mapping[str, Any],
    ) -> None:
        self.record = record
        self.kinds = kinds
        self.context = context
        self.previous = previous

    def node(self, node: Node) -> bool:
        if isinstance(node, AllOf):
            return all(self.node(item) for item in node.items)
        if isinstance(node, AnyOf):
            return any(self.node(item) for item in node.items)
        if isinstance(node, Not):
            return not self.node(node.item)
        return self.leaf(node)

    # --- operands ---------------------------------------------------------------------
    def value(self, operand: Operand, kind: Kind) -> Any:
        """The operand as a value of the compared field's ``kind``; None when empty."""
        if isinstance(operand, FieldRef):
            return present(self.record.get(operand.key), kind, self.context)
        return known_value(operand, kind, self.context)

    def options(self, value: Any) -> frozenset[str]:
        if isinstance(value, tuple):
            items = (self.value(item, Kind.CHOICE) for item in value)
            return frozenset(item for item in items if item is not None)
        return coerce_options(known_raw(value, self.context))

    # --- comparisons ------------------------------------------------------------------
    def leaf(self, leaf: Leaf) -> bool:
        kind = self.kinds[leaf.field]
        current = self.record.get(leaf.field)
        if leaf.op == "is_empty":
            return _is_empty(current, kind)
        if leaf.op == "is_not_empty":
            return not _is_empty(current, kind)
        if leaf.op in CHANGE_OPERATORS:
            return self.change(leaf, kind, current)
        if kind is Kind.CHOICES:
            return self.choices(leaf.op, coerce_options(current), leaf.value)
        return self.compare(leaf, kind, current)

    def compare(self, leaf: Leaf, kind: Kind, current: Any) -> bool:
        field = present(current, kind, self.context)
        op = leaf.op
        if op in DATE_HELPERS:
            low, high = day_range(op, leaf.value, kind, self.context)
            return field is not None and (low is None or low <= field) and field < high
        if op == "ne":
            return field != self.value(leaf.value, kind)
        if op == "not_in":
            return not self.compare(Leaf(leaf.field, "in", leaf.value, leaf.path), kind, current)
        if op == "not_contains":
            return not self.compare(
                Leaf(leaf.field, "contains", leaf.value, leaf.path), kind, current
            )
        if field is None:
            return False
        if op == "in":
            return any(field == v for v in (self.value(item, kind) for item in leaf.value))
        if op == "between":
            low, high = (self.value(bound, kind) for bound in leaf.value)
            return low is not None and high is not None and low <= field <= high
        other = self.value(leaf.value, kind)
        if other is None:
            return False
        if op in ("contains", "starts_with", "ends_with"):
            return like_match(op, fold(field), fold(other))
        return _ORDER[op](field, other)

    def choices(self, op: str, selected: frozenset[str], value: Any) -> bool:
        if op == "contains":
            option = self.value(value, Kind.CHOICE)
            return option is not None and option in selected
        if op == "not_contains":
            return not self.choices("contains", selected, value)
        if op == "in":
            return bool(selected & self.options(value))
        if op == "not_in":
            return not selected & self.options(value)
        if op == "eq":
            return selected == self.options(value)
        if op == "ne":
            return selected != self.options(value)
        raise AssertionError(f"operator {op!r} on choices passed the type check")

    def change(self, leaf: Leaf, kind: Kind, current: Any) -> bool:
        before = self.previous.get(leaf.field)
        if not _changed(before, current, kind, self.context):
            return False
        if leaf.op == "changed":
            return True
        probe = Leaf(leaf.field, "eq", leaf.value, leaf.path)
        subject = before if leaf.op == "changed_from" else current
        if kind is Kind.CHOICES:
            return self.choices("eq", coerce_options(subject), leaf.value)
        return self.compare(probe, kind, subject)


def _is_empty(value: Any, kind: Kind) -> bool:
    if kind is Kind.ROWS and isinstance(value, int) and not isinstance(value, bool):
        return value == 0  # a row count, as the SQL side may resolve child rows
    if kind is Kind.CHOICES and isinstance(value, list | tuple):
        return len(value) == 0
    return is_empty_value(value)


def _changed(before: Any, after: Any, kind: Kind, context: ConditionContext) -> bool:
    """Whether a field's value differs between two versions; empty values are all alike."""
    if kind is Kind.CHOICES:
        return coerce_options(before) != coerce_options(after)
    if is_empty_value(before) or is_empty_value(after):
        return is_empty_value(before) != is_empty_value(after)
    if kind in (Kind.JSON, Kind.ROWS):
        return bool(before != after)
    return bool(coerce(before, kind, context.tz) != coerce(after, kind, context.tz))


_ORDER = {
    "eq": lambda a, b: a == b,
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
}
