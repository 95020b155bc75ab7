"""Write a syntax tree back as formula text, in a canonical spelling.

Used to show formulas normalised (upper-case function names, single spaces, only the
parentheses precedence needs) and, in tests, to check that parsing loses nothing:
``parse(unparse(tree)) == tree``.
"""

from __future__ import annotations

from decimal import Decimal

from form_engine.formula._parser import BINDING, COMPARISON, PREFIX
from form_engine.formula.ast import Binary, Call, ChildRef, FieldRef, Formula, Literal, Node, Unary


def unparse(formula: Formula | Node) -> str:
    """Canonical text of a formula or of one of its nodes."""
    node = formula.tree if isinstance(formula, Formula) else formula
    match node:
        case Literal(value=value):
            return _literal(value)
        case FieldRef(key=key):
            return key
        case ChildRef(table=table, column=column):
            return f"{table}.{column}"
        case Unary(operator=operator, operand=operand):
            return operator + _wrapped(operand, _binding(operand) < PREFIX)
        case Binary(operator=operator, left=left, right=right):
            binding = BINDING[operator]
            # Left operands of equal binding need no parentheses (left-associative), except
            # comparisons, which do not chain.
            left_wraps = _binding(left) < binding or (
                binding == COMPARISON and _binding(left) == COMPARISON
            )
            return (
                f"{_wrapped(left, left_wraps)} {operator} "
                f"{_wrapped(right, _binding(right) <= binding)}"
            )
        case Call(name=name, args=args):
            return f"{name}({', '.join(unparse(arg) for arg in args)})"
    raise TypeError(f"not a formula node: {node!r}")


def _binding(node: Node) -> int:
    if isinstance(node, Binary):
        return BINDING[node.operator]
    if isinstance(node, Unary):
        return PREFIX
    return PREFIX + 1  # atoms never need parentheses


def _wrapped(node: Node, wrap: bool) -> str:
    text = unparse(node)
    return f"({text})" if wrap else text


def _literal(value: Decimal | str | bool | None) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, Decimal):
        text = format(value, "f")
        return f"({text})" if value.is_signed() else text
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'
