"""The Kairos formula language: computed fields, default values and flow values.

Excel-like expressions (``amount * probability / 100``, ``SUM(lines.subtotal)``,
``DATEDIF(created_at, TODAY(), "d")``) parsed by a hand-written parser into a syntax tree,
checked against field kinds, and evaluated with Decimal arithmetic — never with ``eval``.
See docs/formulas.md for the language and its NULL, division and rounding rules.
"""

from form_engine.formula._functions import FUNCTIONS
from form_engine.formula._lexer import MAX_LENGTH
from form_engine.formula._parser import MAX_DEPTH, parse_formula
from form_engine.formula._printer import unparse
from form_engine.formula.ast import ChildReference, Formula
from form_engine.formula.dependencies import dependency_order
from form_engine.formula.errors import (
    FormulaCycleError,
    FormulaError,
    FormulaEvaluationError,
    FormulaProblem,
    FormulaSyntaxError,
)
from form_engine.formula.evaluate import evaluate_formula
from form_engine.formula.typecheck import check_formula, formula_kind

FUNCTION_NAMES = frozenset(FUNCTIONS)
"""Every function a formula may call."""

__all__ = [
    "FUNCTION_NAMES",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "ChildReference",
    "Formula",
    "FormulaCycleError",
    "FormulaError",
    "FormulaEvaluationError",
    "FormulaProblem",
    "FormulaSyntaxError",
    "check_formula",
    "dependency_order",
    "evaluate_formula",
    "formula_kind",
    "parse_formula",
    "unparse",
]
