"""Parse formula text into a syntax tree: a Pratt parser over the lexer's tokens.

Precedence follows Excel, lowest first: comparisons, ``&``, ``+ -``, ``* /``, unary minus.
Comparisons do not chain (``a < b < c`` is an error with a hint, not Excel's surprise).
Nesting is bounded so hostile or generated input fails with a message, never with
RecursionError.
"""

from __future__ import annotations

import difflib

from form_engine.formula import _messages
from form_engine.formula._functions import FUNCTIONS
from form_engine.formula._lexer import Token, tokenize
from form_engine.formula.ast import (
    COMPARISON_OPERATORS,
    Binary,
    Call,
    ChildRef,
    FieldRef,
    Formula,
    Literal,
    Node,
    Unary,
    depth,
)
from form_engine.formula.errors import FormulaSyntaxError

MAX_DEPTH = 100
"""Deepest nesting of parentheses, calls and operators accepted."""

COMPARISON = 10
BINDING = {
    **dict.fromkeys(COMPARISON_OPERATORS, COMPARISON),
    "&": 20,
    "+": 30,
    "-": 30,
    "*": 40,
    "/": 40,
}
"""How tightly each infix operator binds; higher binds tighter."""
PREFIX = 50

KEYWORDS = {"TRUE": True, "FALSE": False}

_FUNCTION_ALIASES = {
    "AVERAGE": "AVG",
    "CONCATENATE": "CONCAT",
    "IFNULL": "COALESCE",
    "NVL": "COALESCE",
    "ISNULL": "ISBLANK",
    "ISEMPTY": "ISBLANK",
    "LENGTH": "LEN",
    "DATEDIFF": "DATEDIF",
    "COUNTA": "COUNT",
}
"""Names from other products (Excel, SQL) mapped to ours, for the did-you-mean hint."""


def parse_formula(text: str) -> Formula:
    """Parse ``text``; raises FormulaSyntaxError saying where and what was expected.

    A leading ``=`` (the Excel habit) is allowed and ignored.
    """
    return Formula(text=text, tree=_Parser(text).formula())


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0
        self.depth = 0

    def peek(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        if token.kind != "end":
            self.index += 1
        return token

    def error(self, code: str, position: int, **params: object) -> FormulaSyntaxError:
        return FormulaSyntaxError.at(code, position, self.text, **params)

    def formula(self) -> Node:
        first = self.peek()
        if first.kind == "op" and first.text == "=":
            self.advance()
        if self.peek().kind == "end":
            raise self.error("empty", self.peek().position)
        tree = self.expression(0)
        rest = self.peek()
        if rest.kind != "end":
            raise self.error("expected_operator", rest.position, found=rest.describe())
        if depth(tree) > MAX_DEPTH:  # long operator chains nest without parentheses
            raise self.error("too_deep", 0, limit=MAX_DEPTH)
        return tree

    def expression(self, min_binding: int) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error("too_deep", self.peek().position, limit=MAX_DEPTH)
        left = self.prefix()
        after_comparison = False
        while True:
            token = self.peek()
            binding = BINDING.get(token.text) if token.kind == "op" else None
            if binding is None or binding <= min_binding:
                break
            if binding == COMPARISON and after_comparison:
                raise self.error("chained_comparison", token.position)
            self.advance()
            right = self.expression(binding)
            left = Binary(token.text, left, right, token.position)
            after_comparison = binding == COMPARISON
        self.depth -= 1
        return left

    def prefix(self) -> Node:
        token = self.advance()
        if token.kind == "number" or token.kind == "string":
            return Literal(token.value, token.position)
        if token.kind == "op" and token.text == "-":
            return Unary("-", self.expression(PREFIX), token.position)
        if token.kind == "(":
            inner = self.expression(0)
            close = self.advance()
            if close.kind != ")":
                raise self.error(
                    "unclosed_paren",
                    close.position,
                    opened=token.position + 1,
                    found=close.describe(),
                )
            return inner
        if token.kind == "name":
            return self.name(token)
        raise self.error("expected_value", token.position, found=token.describe())

    def name(self, token: Token) -> Node:
        upper = token.text.upper()
        following = self.peek()
        if following.kind == "(":
            return self.call(token)
        if upper in KEYWORDS:
            return Literal(KEYWORDS[upper], token.position)
        if upper == "NULL":
            return Literal(None, token.position)
        if following.kind == ".":
            self.advance()
            column = self.advance()
            if column.kind != "name":
                raise self.error(
                    "expected_column",
                    column.position,
                    table=token.text,
                    found=column.describe(),
                )
            return ChildRef(token.text, column.text, token.position)
        return FieldRef(token.text, token.position)

    def call(self, token: Token) -> Call:
        name = token.text.upper()
        if name not in FUNCTIONS:
            raise self.error(
                "unknown_function",
                token.position,
                name=token.text,
                suggestion=_messages.suggestion(_closest_function(name)),
            )
        self.advance()  # the "("
        args: list[Node] = []
        if self.peek().kind == ")":
            self.advance()
            return Call(name, (), token.position)
        while True:
            args.append(self.expression(0))
            separator = self.advance()
            if separator.kind == ")":
                return Call(name, tuple(args), token.position)
            if separator.kind != ",":
                raise self.error(
                    "unclosed_call",
                    separator.position,
                    function=name,
                    found=separator.describe(),
                )


def _closest_function(name: str) -> str | None:
    if name in _FUNCTION_ALIASES:
        return _FUNCTION_ALIASES[name]
    matches = difflib.get_close_matches(name, list(FUNCTIONS), n=1, cutoff=0.6)
    return matches[0] if matches else None
