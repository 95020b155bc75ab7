"""Static checks of a formula against the fields it reads: kinds, arity, references.

Run when a definition is validated, so an analyst sees every problem before publishing
instead of a failing save later. Problems are reported all at once; a sub-expression that
already has a problem counts as "any kind" so one mistake does not cascade into many.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Final

from form_engine.formula import _messages
from form_engine.formula._functions import AGGREGATES, DATEDIF_UNITS, FUNCTIONS
from form_engine.formula.ast import (
    ARITHMETIC_OPERATORS,
    COMPARISON_OPERATORS,
    Binary,
    Call,
    ChildRef,
    FieldRef,
    Formula,
    Literal,
    Node,
    Unary,
)
from form_engine.formula.errors import FormulaProblem
from form_engine.kinds import Kind


class _Unknown:
    """The kind of an expression that already has a problem: fits anywhere."""


UNKNOWN: Final = _Unknown()
Type = Kind | None | _Unknown  # None is the NULL literal, which also fits anywhere

NUMBER = (Kind.DECIMAL,)
TEXT = (Kind.TEXT,)
DATES = (Kind.DATE, Kind.DATETIME)
ORDERED = (Kind.DECIMAL, Kind.DATE, Kind.DATETIME, Kind.TIME, Kind.TEXT)
EXTREMES = (Kind.DECIMAL, Kind.DATE, Kind.DATETIME, Kind.TIME)
COLLECTIONS = (Kind.ROWS, Kind.CHOICES, Kind.JSON)
FIRST_ARGUMENT = "first"

SIGNATURES: dict[str, tuple[tuple[tuple[Kind, ...], ...], Kind | str]] = {
    "ROUND": ((NUMBER, NUMBER), Kind.DECIMAL),
    "ABS": ((NUMBER,), Kind.DECIMAL),
    "MOD": ((NUMBER, NUMBER), Kind.DECIMAL),
    "TODAY": ((), Kind.DATE),
    "NOW": ((), Kind.DATETIME),
    "DATE": ((NUMBER, NUMBER, NUMBER), Kind.DATE),
    "DATEDIF": ((DATES, DATES, TEXT), Kind.DECIMAL),
    "DAYS": ((DATES, DATES), Kind.DECIMAL),
    "ADDDAYS": ((DATES, NUMBER), FIRST_ARGUMENT),
    "YEAR": ((DATES,), Kind.DECIMAL),
    "MONTH": ((DATES,), Kind.DECIMAL),
    "DAY": ((DATES,), Kind.DECIMAL),
    "LEN": ((TEXT,), Kind.DECIMAL),
    "UPPER": ((TEXT,), Kind.TEXT),
    "LOWER": ((TEXT,), Kind.TEXT),
    "TRIM": ((TEXT,), Kind.TEXT),
    "LEFT": ((TEXT, NUMBER), Kind.TEXT),
    "RIGHT": ((TEXT, NUMBER), Kind.TEXT),
    "NOT": (((Kind.BOOL,),), Kind.BOOL),
}
"""Argument kinds and result of the functions whose typing is a fixed signature."""

_AS_FORMULA_KIND = {
    Kind.NUMBER: Kind.DECIMAL,
    Kind.DURATION: Kind.DECIMAL,  # seconds
    Kind.REF: Kind.DECIMAL,  # the id of the referenced record
    Kind.CHOICE: Kind.TEXT,  # the option key
}


def formula_kind(kind: Kind) -> Kind:
    """The kind a field's values have inside formulas (every number is a Decimal)."""
    return _AS_FORMULA_KIND.get(kind, kind)


def check_formula(
    formula: Formula,
    fields: Mapping[str, Kind],
    child_fields: Mapping[str, Mapping[str, Kind]] | None = None,
) -> tuple[Kind | None, list[str]]:
    """The kind of the formula's result and every problem found (empty when it is sound).

    ``fields`` maps the record's field keys to their kinds; ``child_fields`` maps each
    child-table field key to the kinds of the child table's fields. Problems are
    ``FormulaProblem`` strings (English text, with code, position and zh-CN rendering).
    The kind is None for a formula that is always NULL or whose kind is unclear; when
    there are problems it is a best guess.
    """
    checker = _Checker(fields, child_fields or {})
    result = checker.infer(formula.tree)
    return (None if isinstance(result, _Unknown) else result), list(checker.problems)


def _fits(kind: Type, allowed: Sequence[Kind]) -> bool:
    return kind is None or isinstance(kind, _Unknown) or kind in allowed


def _known(kind: Type) -> bool:
    return isinstance(kind, Kind)


class _Checker:
    def __init__(
        self, fields: Mapping[str, Kind], child_fields: Mapping[str, Mapping[str, Kind]]
    ) -> None:
        self.fields = fields
        self.child_fields = child_fields
        self.problems: list[FormulaProblem] = []

    def problem(self, node: Node, code: str, **params: object) -> _Unknown:
        self.problems.append(FormulaProblem(code, params, node.position))
        return UNKNOWN

    def infer(self, node: Node, *, collection_ok: bool = False) -> Type:
        match node:
            case Literal(value=value):
                return _literal_kind(value)
            case FieldRef():
                return self.field(node, collection_ok)
            case ChildRef():
                if _known(self.child_column(node)):
                    self.problem(node, "child_outside_aggregate", ref=f"{node.table}.{node.column}")
                return UNKNOWN
            case Unary(operand=operand):
                self.operand(node, "-", self.infer(operand), "side_right")
                return Kind.DECIMAL
            case Binary(operator="&", left=left, right=right):
                self.infer(left)
                self.infer(right)
                return Kind.TEXT
            case Binary(operator=operator, left=left, right=right):
                left_kind, right_kind = self.infer(left), self.infer(right)
                if operator in ARITHMETIC_OPERATORS:
                    # One problem per operator is enough, even when both sides are wrong.
                    if self.operand(node, operator, left_kind, "side_left", right_kind):
                        self.operand(node, operator, right_kind, "side_right", left_kind)
                    return Kind.DECIMAL
                assert operator in COMPARISON_OPERATORS
                return self.comparison(node, left_kind, right_kind)
            case Call():
                return self.call(node)
        raise TypeError(f"not a formula node: {node!r}")

    def field(self, node: FieldRef, collection_ok: bool) -> Type:
        if node.key not in self.fields:
            if node.key.upper() in FUNCTIONS:
                return self.problem(node, "function_without_parentheses", name=node.key.upper())
            return self.problem(
                node,
                "unknown_field",
                name=node.key,
                suggestion=_messages.suggestion(_closest(node.key, self.fields)),
            )
        kind = formula_kind(self.fields[node.key])
        if kind in COLLECTIONS and not collection_ok:
            if kind is Kind.ROWS:
                return self.problem(node, "rows_outside_count", name=node.key)
            return self.problem(
                node, "unusable_kind", name=node.key, kind=_messages.kind_name(kind)
            )
        return kind

    def child_column(self, node: ChildRef) -> Type:
        """The kind of ``table.column``, reporting an unknown table or column."""
        table_kind = self.fields.get(node.table)
        if table_kind is None:
            return self.problem(
                node,
                "unknown_field",
                name=node.table,
                suggestion=_messages.suggestion(_closest(node.table, self.fields)),
            )
        columns = self.child_fields.get(node.table)
        if table_kind is not Kind.ROWS or columns is None:
            return self.problem(node, "not_a_child_table", table=node.table, column=node.column)
        if node.column not in columns:
            return self.problem(
                node,
                "unknown_child_field",
                table=node.table,
                column=node.column,
                suggestion=_messages.suggestion(_closest(node.column, columns)),
            )
        kind = formula_kind(columns[node.column])
        if kind in COLLECTIONS:
            return self.problem(
                node,
                "unusable_kind",
                name=f"{node.table}.{node.column}",
                kind=_messages.kind_name(kind),
            )
        return kind

    def operand(self, node: Node, operator: str, kind: Type, side: str, other: Type = None) -> bool:
        """True when ``kind`` is a number (or unknown); otherwise report and return False."""
        if _fits(kind, NUMBER):
            return True
        hint = {"en": "", "zh-CN": ""}
        if kind in DATES or other in DATES:
            hint = _messages.localized("hint_dates")
        elif operator == "+" and (kind is Kind.TEXT or other is Kind.TEXT):
            hint = _messages.localized("hint_concat")
        self.problem(
            node,
            "operand_type",
            operator=operator,
            expected=_messages.kind_name(Kind.DECIMAL),
            side=_messages.localized(side),
            actual=_messages.kind_name(kind),
            hint=hint,
        )
        return False

    def comparison(self, node: Binary, left: Type, right: Type) -> Type:
        if left is None or right is None:
            self.problem(node, "compare_null")
        elif not (_known(left) and _known(right)) or {left, right} <= set(DATES):
            pass  # unknown kinds were reported already; a date-time compares by its date
        elif left != right:
            hint = {"en": "", "zh-CN": ""}
            if {left, right} & set(DATES) and Kind.TEXT in {left, right}:
                hint = _messages.localized("hint_date_literal")
            self.problem(
                node,
                "incomparable",
                left=_messages.kind_name(left),
                right=_messages.kind_name(right),
                hint=hint,
            )
        elif node.operator not in ("=", "!=", "<>") and left not in ORDERED:
            self.problem(
                node, "not_orderable", operator=node.operator, kind=_messages.kind_name(left)
            )
        return Kind.BOOL

    def call(self, node: Call) -> Type:
        function = FUNCTIONS[node.name]
        if not function.accepts(len(node.args)):
            self.problem(
                node,
                "arity",
                function=node.name,
                expected=function.arity(),
                got=len(node.args),
            )
        if node.name in AGGREGATES:
            return self.aggregate(node)
        if node.name == "ISBLANK":
            for arg in node.args:
                self.infer(arg, collection_ok=True)
            return Kind.BOOL
        kinds = [self.infer(arg) for arg in node.args]
        if node.name in ("AND", "OR"):
            self.arguments(node, kinds, [(Kind.BOOL,)] * len(kinds))
            return Kind.BOOL
        if node.name == "IF":
            self.arguments(node, kinds[:1], [(Kind.BOOL,)])
            return self.common(node, kinds[1:])
        if node.name == "COALESCE":
            return self.common(node, kinds)
        if node.name == "CONCAT":
            return Kind.TEXT
        params, result = SIGNATURES[node.name]
        self.arguments(node, kinds, params)
        if node.name == "DATEDIF" and len(node.args) == 3:
            self.datedif_unit(node.args[2])
        if result == FIRST_ARGUMENT:
            return kinds[0] if kinds and _fits(kinds[0], DATES) else UNKNOWN
        return result

    def arguments(
        self, node: Call, kinds: Sequence[Type], params: Sequence[Sequence[Kind]]
    ) -> None:
        for index, (kind, allowed) in enumerate(zip(kinds, params, strict=False), start=1):
            if not _fits(kind, allowed):
                self.problem(
                    node.args[index - 1],
                    "argument_type",
                    index=index,
                    function=node.name,
                    expected=_or_names(allowed),
                    actual=_messages.kind_name(kind),
                )

    def common(self, node: Call, kinds: Sequence[Type]) -> Type:
        """The one kind all ``kinds`` share (IF branches, COALESCE, MIN/MAX arguments)."""
        found: Type = None
        for kind in kinds:
            if isinstance(kind, _Unknown):
                return UNKNOWN
            if kind is None:
                continue
            if found is None:
                found = kind
            elif kind != found:
                return self.problem(
                    node,
                    "mixed_types",
                    function=node.name,
                    first=_messages.kind_name(found),
                    second=_messages.kind_name(kind),
                )
        return found

    def aggregate(self, node: Call) -> Type:
        args = node.args
        if len(args) == 1 and isinstance(args[0], ChildRef):
            kinds = [self.child_column(args[0])]
        elif node.name == "COUNT":
            kinds = [self.infer(arg, collection_ok=len(args) == 1) for arg in args]
        else:
            kinds = [self.infer(arg) for arg in args]
        if node.name == "COUNT":
            return Kind.DECIMAL
        if node.name in ("SUM", "AVG"):
            self.arguments(node, kinds, [NUMBER] * len(kinds))
            return Kind.DECIMAL
        self.arguments(node, kinds, [EXTREMES] * len(kinds))
        if not all(_fits(kind, EXTREMES) for kind in kinds):
            return UNKNOWN
        return self.common(node, kinds)

    def datedif_unit(self, unit: Node) -> None:
        if (
            isinstance(unit, Literal)
            and isinstance(unit.value, str)
            and unit.value.lower() not in DATEDIF_UNITS
        ):
            self.problem(unit, "bad_datedif_unit", unit=unit.value)


def _literal_kind(value: Decimal | str | bool | None) -> Kind | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return Kind.BOOL
    return Kind.DECIMAL if isinstance(value, Decimal) else Kind.TEXT


def _closest(name: str, candidates: Mapping[str, object]) -> str | None:
    for key in candidates:
        if key.lower() == name.lower():
            return key
    matches = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return matches[0] if matches else None


def _or_names(kinds: Sequence[Kind]) -> dict[str, str]:
    names = [_messages.kind_name(kind) for kind in kinds]
    english = [name["en"] for name in names]
    chinese = [name["zh-CN"] for name in names]
    if len(names) == 1:
        return {"en": english[0], "zh-CN": chinese[0]}
    return {
        "en": ", ".join(english[:-1]) + " or " + english[-1],
        "zh-CN": "、".join(chinese[:-1]) + "或" + chinese[-1],
    }
