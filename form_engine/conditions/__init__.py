"""The Kairos condition language: one JSON condition tree for form logic, validation
rules, flow branches, assignment rules, report filters and row permissions.

``check_condition`` type-checks a condition against a table's fields, ``evaluate`` runs it
on a record in memory, ``compile_condition`` turns it into a SQLAlchemy WHERE clause. Both
implementations pass the vectors in ``conformance.json`` (see ``CONFORMANCE_PATH``), as
must the browser evaluator. Analysts' guide: ``docs/conditions.md``.
"""

from __future__ import annotations

from pathlib import Path

from form_engine.conditions._model import ConditionError, ConditionProblem
from form_engine.conditions._operators import SHAPES, ValueShape
from form_engine.conditions.context import ConditionContext
from form_engine.conditions.evaluate import evaluate
from form_engine.conditions.sql import compile_condition
from form_engine.conditions.validate import check_condition

CONFORMANCE_PATH = Path(__file__).with_name("conformance.json")

__all__ = [
    "CONFORMANCE_PATH",
    "SHAPES",
    "ConditionContext",
    "ConditionError",
    "ConditionProblem",
    "ValueShape",
    "check_condition",
    "compile_condition",
    "evaluate",
]
