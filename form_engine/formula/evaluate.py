"""Evaluate a parsed formula against one record (and its child rows).

The rules users rely on (docs/formulas.md): numbers are Decimal; NULL propagates through
arithmetic, comparisons and most functions; aggregates skip NULLs and SUM of nothing is 0;
division by zero is NULL; IF takes a NULL condition as false; ``&``/CONCAT write NULL as "";
AND/OR use three-valued logic. A formula that passed ``check_formula`` never raises here
for records whose values match their fields' kinds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import (
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DecimalException,
    DivisionByZero,
    InvalidOperation,
    Overflow,
)
from typing import Any

from form_engine.formula._functions import AGGREGATES, FUNCTIONS, NUMBER, Function, Scope
from form_engine.formula._values import (
    coerce,
    kind_of,
    local_date,
    require,
    to_text,
    type_error,
)
from form_engine.formula.ast import (
    ARITHMETIC_OPERATORS,
    Binary,
    Call,
    ChildRef,
    FieldRef,
    Formula,
    Literal,
    Node,
    Unary,
)
from form_engine.formula.errors import FormulaEvaluationError
from form_engine.kinds import Kind

COMPARABLE = frozenset({Kind.DECIMAL, Kind.TEXT, Kind.BOOL, Kind.DATE, Kind.DATETIME, Kind.TIME})
ORDERED = COMPARABLE - {Kind.BOOL}
DECIMAL_PRECISION = 28
"""Significant digits of intermediate results (1/3 = 0.3333333333333333333333333333)."""


def evaluate_formula(
    formula: Formula,
    record: Mapping[str, Any],
    *,
    children: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
    today: date | None = None,
    now: datetime | None = None,
) -> Any:
    """The value of ``formula`` for ``record``.

    ``children`` holds the rows of each child table by its field key (``{"lines": [...]}``);
    rows may also come as the record's own value of that field. ``now`` sets both the clock
    and the time zone in which date-times are turned into dates (pass the app's time zone);
    ``today`` defaults to the date of ``now``.
    """
    clock = coerce(now) if now is not None else datetime.now(UTC)
    zone = clock.tzinfo or UTC
    scope = Scope(
        today=today if today is not None else clock.astimezone(zone).date(),
        now=clock,
        zone=zone,
        decimal=Context(
            prec=DECIMAL_PRECISION,
            rounding=ROUND_HALF_EVEN,
            traps=[InvalidOperation, DivisionByZero, Overflow],
        ),
    )
    return _Evaluator(record, children or {}, scope).value(formula.tree)


def _unsigned_zero(value: Decimal) -> Decimal:
    return value.copy_abs() if value.is_zero() else value


class _Evaluator:
    def __init__(
        self,
        record: Mapping[str, Any],
        children: Mapping[str, Sequence[Mapping[str, Any]]],
        scope: Scope,
    ) -> None:
        self.record = record
        self.children = children
        self.scope = scope

    def value(self, node: Node) -> Any:
        match node:
            case Literal(value=value):
                return value
            case FieldRef(key=key):
                if key in self.children:
                    return list(self.children[key])
                return coerce(self.record.get(key))
            case ChildRef(table=table, column=column):
                raise FormulaEvaluationError(
                    "child_outside_aggregate", {"ref": f"{table}.{column}"}
                )
            case Unary(operand=operand):
                number = require(self.value(operand), NUMBER, "-")
                return None if number is None else _unsigned_zero(self.scope.decimal.minus(number))
            case Binary(operator="&", left=left, right=right):
                zone = self.scope.zone
                return to_text(self.value(left), zone) + to_text(self.value(right), zone)
            case Binary(operator=operator, left=left, right=right) if (
                operator in ARITHMETIC_OPERATORS
            ):
                return self.arithmetic(operator, self.value(left), self.value(right))
            case Binary(operator=operator, left=left, right=right):
                return self.compare(operator, self.value(left), self.value(right))
            case Call():
                return self.call(node)
        raise TypeError(f"not a formula node: {node!r}")

    def arithmetic(self, operator: str, left: Any, right: Any) -> Decimal | None:
        require(left, NUMBER, operator)
        require(right, NUMBER, operator)
        if left is None or right is None or (operator == "/" and right == 0):
            return None
        operation = {
            "+": self.scope.decimal.add,
            "-": self.scope.decimal.subtract,
            "*": self.scope.decimal.multiply,
            "/": self.scope.decimal.divide,
        }[operator]
        try:
            return _unsigned_zero(operation(left, right))
        except DecimalException:  # beyond the decimal range: no meaningful value
            return None

    def compare(self, operator: str, left: Any, right: Any) -> bool | None:
        if left is None or right is None:
            return None
        kinds = {kind_of(left), kind_of(right)}
        if kinds == {Kind.DATE, Kind.DATETIME}:  # a date-time is compared by its date
            left = local_date(left, self.scope.zone)
            right = local_date(right, self.scope.zone)
        elif len(kinds) != 1 or not kinds <= COMPARABLE:
            raise type_error(right if kind_of(left) in COMPARABLE else left, operator)
        if operator == "=":
            return bool(left == right)
        if operator in ("!=", "<>"):
            return bool(left != right)
        require(left, ORDERED, operator)
        return {
            "<": left < right,
            "<=": left <= right,
            ">": left > right,
            ">=": left >= right,
        }[operator]

    def call(self, node: Call) -> Any:
        function = FUNCTIONS[node.name]
        if not function.accepts(len(node.args)):
            raise FormulaEvaluationError(
                "arity",
                {"function": node.name, "expected": function.arity(), "got": len(node.args)},
            )
        if node.name in AGGREGATES:
            return self.aggregate(node.name, self.aggregated_values(node))
        if function.call is None:
            return self.logical(node)
        return self.eager(function, [self.value(arg) for arg in node.args])

    def eager(self, function: Function, args: list[Any]) -> Any:
        assert function.call is not None
        if function.propagates_null and any(arg is None for arg in args):
            return None
        return function.call(self.scope, *args)

    def logical(self, node: Call) -> Any:
        """IF, AND, OR and COALESCE: they evaluate only the arguments they need."""
        args = node.args
        if node.name == "IF":
            condition = require(self.value(args[0]), (Kind.BOOL,), "IF")
            if condition is True:
                return self.value(args[1])
            return self.value(args[2]) if len(args) == 3 else None
        if node.name == "COALESCE":
            for arg in args:
                value = self.value(arg)
                if value is not None:
                    return value
            return None
        decisive = node.name == "OR"  # AND stops at FALSE, OR at TRUE
        unknown = False
        for arg in args:
            value = require(self.value(arg), (Kind.BOOL,), node.name)
            if value is decisive:
                return decisive
            unknown = unknown or value is None
        return None if unknown else not decisive

    def aggregated_values(self, node: Call) -> list[Any]:
        """The values an aggregate runs over: a child column, a child table's rows (COUNT
        of a table counts rows) or simply the arguments."""
        if len(node.args) == 1:
            only = node.args[0]
            if isinstance(only, ChildRef):
                return [coerce(row.get(only.column)) for row in self.rows(only.table)]
            value = self.value(only)
            if isinstance(value, list | tuple):  # rows of a child table, or chosen options
                return [coerce(item) for item in value]
            return [value]
        return [self.value(arg) for arg in node.args]

    def rows(self, table: str) -> Sequence[Mapping[str, Any]]:
        if table in self.children:
            return self.children[table]
        rows = self.record.get(table)
        return rows if isinstance(rows, list | tuple) else []

    def aggregate(self, name: str, values: list[Any]) -> Any:
        present = [value for value in values if value is not None]
        if name == "COUNT":
            return Decimal(len(present))
        if name in ("SUM", "AVG"):
            total = Decimal(0)
            for value in present:
                total = self.arithmetic("+", total, require(value, NUMBER, name))
                if total is None:
                    return None
            if name == "SUM":
                return total
            return self.arithmetic("/", total, Decimal(len(present))) if present else None
        if not present:
            return None
        kinds = {kind_of(value) for value in present}
        if len(kinds) != 1 or not kinds <= ORDERED - {Kind.TEXT}:
            raise type_error(present[-1], name)
        return min(present) if name == "MIN" else max(present)
