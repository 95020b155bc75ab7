"""A computed result becomes a stored value the same way on write and on recompute."""

from __future__ import annotations

from decimal import Decimal

from form_engine.fields import default_registry
from form_engine.fields.results import coerce_result
from schemas.spec import FieldSpec

REGISTRY = default_registry()
FORMULA = REGISTRY.get("formula")


def formula(result_type: str, **config: object) -> FieldSpec:
    return FieldSpec(
        "f",
        "formula",
        {"zh-CN": "结果", "en": "Result"},
        config={"expression": "1", "result_type": result_type, **config},
    )


def test_money_rounds_half_up_to_two_places_by_default() -> None:
    assert coerce_result(FORMULA, formula("money"), Decimal("2.345")) == (Decimal("2.35"), None)
    assert coerce_result(FORMULA, formula("money"), 0.125) == (Decimal("0.13"), None)


def test_a_number_keeps_its_configured_precision() -> None:
    value, error = coerce_result(FORMULA, formula("number", precision=1), Decimal("0.25"))
    assert error is None
    assert str(value) == "0.3"


def test_non_finite_and_non_numeric_results_are_empty_not_errors() -> None:
    assert coerce_result(FORMULA, formula("money"), float("inf")) == (None, None)
    assert coerce_result(FORMULA, formula("money"), Decimal("NaN")) == (None, None)
    assert coerce_result(FORMULA, formula("date"), Decimal(3)) == (None, None)


def test_a_result_the_column_cannot_hold_is_result_too_large() -> None:
    value, error = coerce_result(FORMULA, formula("money"), Decimal("1e17"))
    assert value is None
    assert error is not None and error.code == "result_too_large"
    assert error.field == "f"
    assert "结果" in error.message("zh-CN")


def test_text_results_are_stringified_but_numbers_are_not_text() -> None:
    assert coerce_result(FORMULA, formula("text"), Decimal(42)) == (None, None)
    assert coerce_result(FORMULA, formula("text"), True) == ("True", None)
    assert coerce_result(FORMULA, formula("text"), None) == (None, None)
