"""Compile a condition to a SQLAlchemy boolean expression (filters, reports, row scopes).

The result selects exactly the records for which ``evaluate`` returns True, on SQLite and
PostgreSQL. Every comparison is made two-valued (NULL guards), so ``not`` never meets SQL's
unknown. Values known before the query runs ($user, $now, $today, $trigger, date-helper
boundaries) are computed in Python and bound as parameters; only field references stay
column expressions.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.sqltypes import NullType

from form_engine.conditions import _sql_dialect as dialect
from form_engine.conditions._coerce import coerce_options
from form_engine.conditions._dates import day_range
from form_engine.conditions._model import (
    AllOf,
    AnyOf,
    ConditionError,
    FieldRef,
    Leaf,
    Node,
    Not,
    Operand,
    TriggerRef,
    parse,
    walk_leaves,
)
from form_engine.conditions._operands import known_raw, known_value
from form_engine.conditions._operators import DATE_HELPERS
from form_engine.conditions._text import LIKE_ESCAPE, fold, like_pattern
from form_engine.conditions.context import ConditionContext
from form_engine.conditions.validate import check_condition
from form_engine.kinds import Kind

Resolver = Callable[[str], tuple[ColumnElement[Any], Kind]]

# Bind types for kinds whose expression has no usable type of its own.
_KIND_TYPES: dict[Kind, sa.types.TypeEngine[Any]] = {
    Kind.TEXT: sa.String(),
    Kind.CHOICE: sa.String(),
    Kind.CHOICES: sa.String(),
    Kind.NUMBER: sa.Numeric(),
    Kind.DECIMAL: sa.Numeric(),
    Kind.DURATION: sa.Integer(),
    Kind.REF: sa.Integer(),
    Kind.BOOL: sa.Boolean(),
    Kind.DATE: sa.Date(),
    Kind.DATETIME: sa.DateTime(timezone=True),
    Kind.TIME: sa.Time(),
}


def compile_condition(
    condition: Any, resolve: Resolver, *, context: ConditionContext
) -> ColumnElement[bool]:
    """A WHERE clause equivalent to ``evaluate(condition, ...)`` for each row.

    ``resolve(field_key)`` returns the SQL expression of a field and its Kind, and raises
    KeyError for a key that does not exist. Multi-select (CHOICES) expressions must be JSON
    arrays (an ``sa.JSON`` column). ``changed*`` operators are refused: they compare with a
    previous version of the record, which only exists in memory. Raises ConditionError
    listing every problem.
    """
    node, _ = parse(condition)
    resolved = _resolve_all(node, resolve) if node is not None else {}
    kinds = {key: kind for key, (_expr, kind) in resolved.items()}
    problems = check_condition(condition, kinds, allow_change_ops=False)
    if problems or node is None:
        raise ConditionError(problems)
    return _Compiler(resolved, context).node(node)


def _resolve_all(node: Node, resolve: Resolver) -> dict[str, tuple[ColumnElement[Any], Kind]]:
    resolved: dict[str, tuple[ColumnElement[Any], Kind]] = {}
    for leaf in walk_leaves(node):
        refs = [leaf.field, *(op.key for op in _operands(leaf.value))]
        for key in refs:
            if key in resolved:
                continue
            try:
                resolved[key] = resolve(key)
            except KeyError:
                # check_condition reports the unknown field with its path.
                continue
    return resolved


def _operands(value: Any) -> list[FieldRef | TriggerRef]:
    items = value if isinstance(value, tuple) else (value,)
    return [item for item in items if isinstance(item, FieldRef | TriggerRef)]


class _Compiler:
    def __init__(
        self, resolved: dict[str, tuple[ColumnElement[Any], Kind]], context: ConditionContext
    ) -> None:
        self.resolved = resolved
        self.context = context

    def node(self, node: Node) -> ColumnElement[bool]:
        # The leading constant makes empty groups true (all) / false (any); SQLAlchemy
        # drops it when there are items.
        if isinstance(node, AllOf):
            return sa.and_(sa.true(), *(self.node(item) for item in node.items))
        if isinstance(node, AnyOf):
            return sa.or_(sa.false(), *(self.node(item) for item in node.items))
        if isinstance(node, Not):
            return sa.not_(self.node(node.item))
        return self.leaf(node)

    # --- operands ---------------------------------------------------------------------
    def operand(
        self, operand: Operand, kind: Kind, column: ColumnElement[Any]
    ) -> tuple[ColumnElement[Any] | None, list[ColumnElement[bool]]]:
        """(SQL value, NULL guards). None means the value is known to be empty."""
        if isinstance(operand, FieldRef):
            other, _kind = self.resolved[operand.key]
            return other, [other.is_not(None)]
        value = known_value(operand, kind, self.context)
        if value is None:
            return None, []
        return self.bind(value, kind, column), []

    def bind(self, value: Any, kind: Kind, column: ColumnElement[Any]) -> ColumnElement[Any]:
        type_ = column.type
        if isinstance(type_, NullType | sa.JSON) or kind is Kind.CHOICES:
            type_ = _KIND_TYPES[kind]
        if isinstance(value, Decimal) and isinstance(type_, sa.Integer):
            # A number field stored as an integer column: drivers cannot bind Decimal there,
            # and a fraction must not be cast to the column's integer type.
            if value == value.to_integral_value():
                return sa.literal(int(value), type_=type_)
            return sa.literal(float(value), type_=sa.Float())
        return sa.literal(value, type_=type_)

    def options(self, value: Any, column: ColumnElement[Any]) -> list[ColumnElement[Any]]:
        """Option keys of a multi-select comparison; empty ones are left out."""
        items = value if isinstance(value, tuple) else (value,)
        out: list[ColumnElement[Any]] = []
        for item in items:
            expr, _guards = self.operand(item, Kind.CHOICE, column)
            if expr is not None:
                out.append(expr)
        return out

    # --- leaves -----------------------------------------------------------------------
    def leaf(self, leaf: Leaf) -> ColumnElement[bool]:
        column, kind = self.resolved[leaf.field]
        if leaf.op == "is_empty":
            return _is_empty(column, kind)
        if leaf.op == "is_not_empty":
            return sa.not_(_is_empty(column, kind))
        if kind is Kind.CHOICES:
            return self.choices(leaf, column)
        if leaf.op in DATE_HELPERS:
            low, high = day_range(leaf.op, leaf.value, kind, self.context)
            parts = [column.is_not(None), column < self.bind(high, kind, column)]
            if low is not None:
                parts.append(column >= self.bind(low, kind, column))
            return sa.and_(*parts)
        negated = {"ne": "eq", "not_in": "in", "not_contains": "contains"}.get(leaf.op)
        if negated == "eq":
            value, _guards = self.operand(leaf.value, kind, column)
            return column.is_not(None) if value is None else column.is_distinct_from(value)
        if negated:
            return sa.not_(self.leaf(Leaf(leaf.field, negated, leaf.value, leaf.path)))
        if leaf.op == "in":
            return sa.or_(sa.false(), *(self.compare("eq", column, kind, i) for i in leaf.value))
        if leaf.op == "between":
            low, high = leaf.value
            return sa.and_(
                self.compare("gte", column, kind, low), self.compare("lte", column, kind, high)
            )
        return self.compare(leaf.op, column, kind, leaf.value)

    def compare(
        self, op: str, column: ColumnElement[Any], kind: Kind, operand: Operand
    ) -> ColumnElement[bool]:
        value, guards = self.operand(operand, kind, column)
        if value is None:
            return sa.false()
        guards = [column.is_not(None), *guards]
        if op in ("contains", "starts_with", "ends_with"):
            return sa.and_(*guards, self.like(op, column, operand, value))
        left, right = column, value
        if kind is Kind.TEXT and op != "eq":
            left, right = dialect.binary_text(column), dialect.binary_text(value)
        return sa.and_(*guards, _COMPARE[op](left, right))

    def like(
        self, op: str, column: ColumnElement[Any], operand: Operand, value: ColumnElement[Any]
    ) -> ColumnElement[bool]:
        haystack = dialect.ascii_lower(column)
        if not isinstance(operand, FieldRef):
            needle = known_value(operand, Kind.TEXT, self.context)
            return haystack.like(like_pattern(op, fold(needle)), escape=LIKE_ESCAPE)
        escaped = dialect.ascii_lower(value)
        for char in (LIKE_ESCAPE, "%", "_"):
            escaped = sa.func.replace(escaped, char, LIKE_ESCAPE + char)
        before = sa.literal("%") if op in ("contains", "ends_with") else sa.literal("")
        after = sa.literal("%") if op in ("contains", "starts_with") else sa.literal("")
        return haystack.like(before + escaped + after, escape=LIKE_ESCAPE)

    def choices(self, leaf: Leaf, column: ColumnElement[Any]) -> ColumnElement[bool]:
        op = leaf.op
        if op in ("not_contains", "not_in", "ne"):
            positive = {"not_contains": "contains", "not_in": "in", "ne": "eq"}[op]
            return sa.not_(self.choices(Leaf(leaf.field, positive, leaf.value, leaf.path), column))
        if op == "eq":
            return dialect.choices_equal(column, *self.whole_value(leaf.value))
        options = self.options(leaf.value, column)
        return dialect.choices_has_any(column, *options) if options else sa.false()

    def whole_value(self, value: Any) -> list[ColumnElement[Any]]:
        if isinstance(value, TriggerRef):
            keys = coerce_options(known_raw(value, self.context))
        else:
            keys = frozenset(
                k
                for k in (known_value(i, Kind.CHOICE, self.context) for i in value)
                if k is not None
            )
        return [sa.literal(key, type_=sa.String()) for key in sorted(keys)]


def _is_empty(column: ColumnElement[Any], kind: Kind) -> ColumnElement[bool]:
    if kind is Kind.CHOICES:
        return dialect.choices_is_empty(column)
    if kind in (Kind.JSON, Kind.ROWS):
        if isinstance(column.type, sa.Integer):  # a child-row count
            return sa.func.coalesce(column, 0) == 0
        return dialect.json_is_empty(column)
    if kind in (Kind.TEXT, Kind.CHOICE):
        return sa.or_(column.is_(None), column == "")
    return column.is_(None)


_COMPARE: dict[str, Callable[[Any, Any], ColumnElement[bool]]] = {
    "eq": lambda a, b: a == b,
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
}
