"""The syntax tree of a formula, and the parsed ``Formula`` itself.

Nodes are immutable and compare without their positions, so two spellings of the same
formula (``a+b`` and ``a + b``) give equal trees.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

COMPARISON_OPERATORS = frozenset({"=", "!=", "<>", "<", "<=", ">", ">="})
ARITHMETIC_OPERATORS = frozenset({"+", "-", "*", "/"})
CONCAT_OPERATOR = "&"

ChildReference = tuple[str, str]
"""``("lines", "subtotal")`` for ``lines.subtotal``."""


@dataclass(frozen=True)
class Literal:
    """A number (Decimal), text, TRUE/FALSE or NULL written in the formula."""

    value: Decimal | str | bool | None
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class FieldRef:
    """A field of the current record, by key: ``amount``."""

    key: str
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class ChildRef:
    """A field of every row of a child table: ``lines.subtotal``."""

    table: str
    column: str
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Unary:
    """Negation: ``-amount``."""

    operator: str
    operand: Node
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Binary:
    """An infix operation: arithmetic, comparison or ``&``."""

    operator: str
    left: Node
    right: Node
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Call:
    """A function call; ``name`` is upper case whatever the spelling in the text."""

    name: str
    args: tuple[Node, ...]
    position: int = field(default=0, compare=False)


Node = Literal | FieldRef | ChildRef | Unary | Binary | Call


def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-expressions of ``node``."""
    match node:
        case Unary(operand=operand):
            return (operand,)
        case Binary(left=left, right=right):
            return (left, right)
        case Call(args=args):
            return args
        case _:
            return ()


def walk(node: Node) -> Iterator[Node]:
    """Every node of the tree, parents before children (iterative: no recursion limit)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))


def depth(node: Node) -> int:
    """The number of levels of the tree (a lone literal is 1)."""
    deepest = 0
    stack = [(node, 1)]
    while stack:
        current, level = stack.pop()
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children(current))
    return deepest


@dataclass(frozen=True)
class Formula:
    """A parsed formula: its source ``text`` and syntax ``tree``. Build with parse_formula."""

    text: str = field(compare=False)
    tree: Node

    @cached_property
    def references(self) -> frozenset[str | ChildReference]:
        """Field keys of the record used, plus ``(child_table, field)`` pairs for child refs."""
        found: set[str | ChildReference] = set()
        for node in walk(self.tree):
            if isinstance(node, FieldRef):
                found.add(node.key)
            elif isinstance(node, ChildRef):
                found.add((node.table, node.column))
        return frozenset(found)

    @cached_property
    def field_keys(self) -> frozenset[str]:
        """Keys of the record's own fields the formula reads (a child ref reads its table)."""
        return frozenset(ref if isinstance(ref, str) else ref[0] for ref in self.references)

    def __str__(self) -> str:
        return self.text
