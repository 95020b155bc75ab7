"""Semantic config checks (``check_config``) and auto-number patterns."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from form_engine.fields import default_registry
from form_engine.fields.auto_number import format_auto_number, pattern_problems, period_key
from schemas.spec import FieldSpec

REGISTRY = default_registry()


def problems(type_name: str, config: dict[str, Any], **props: Any) -> list[str]:
    field = FieldSpec("f", type_name, {"en": "F"}, config=config, **props)
    return list(REGISTRY.get(type_name).check_config(field))


STAGE = {"key": "won", "label": "赢单"}


@pytest.mark.parametrize(
    ("type_name", "config", "fragment"),
    [
        ("number", {"min": 10, "max": 1}, "min (10) is greater than max (1)"),
        ("money", {"currency": "CNY", "currency_field": "cur"}, "either currency or"),
        ("text", {"min_length": 9, "max_length": 3}, "min_length (9)"),
        ("text", {"pattern": "(["}, "not a valid regular expression"),
        ("date", {"min": "2026-12-01", "max": "2026-01-01"}, "later than max"),
        ("date", {"min": "someday"}, "not a valid date"),
        ("time", {"min": "18:00", "max": "09:00"}, "later than max"),
        ("duration", {"min": 10, "max": 5}, "greater than max"),
        ("single_select", {"options": [STAGE, STAGE]}, "'won' is used twice"),
        ("single_select", {"options": [STAGE, {"key": "x", "label": "赢单"}]}, "share the label"),
        ("single_select", {"options": []}, "at least one option"),
        ("multi_select", {"options": [STAGE], "max_choices": 3}, "more than the number"),
        ("formula", {"expression": " ", "result_type": "number"}, "expression is empty"),
        ("formula", {"expression": "1", "result_type": "text", "precision": 2}, "precision only"),
        ("rollup", {"aggregate": "sum", "field": "x"}, "set either child"),
        ("rollup", {"aggregate": "sum", "child": "lines"}, "needs the field"),
        ("rollup", {"aggregate": "sum", "table": "t", "field": "x"}, "must be set together"),
        ("rollup", {"aggregate": "count", "child": "l", "result_type": "date"}, "a count is"),
        ("lookup", {"relation": "f", "field": "x", "result_type": "text"}, "itself"),
        ("lookup", {"relation": "r", "field": "x", "result_type": "child_table"}, "not a field"),
        ("lookup", {"relation": "r", "field": "x", "result_type": "nope"}, "not a field type"),
        (
            "lookup",
            {
                "relation": "r",
                "field": "x",
                "result_type": "number",
                "result_config": {"min": 5, "max": 1},
            },
            "greater than max",
        ),
        ("json", {"schema": {"type": "nonsense"}}, "not a valid JSON Schema"),
        ("auto_number", {"pattern": "OPP-{seq:5}", "reset": "yearly"}, "{YY} or {YYYY}"),
        ("auto_number", {"pattern": "OPP-{YYYY}"}, "exactly one {seq}"),
        ("auto_number", {"pattern": "{seq}{seq}"}, "exactly one {seq}"),
        ("auto_number", {"pattern": "{NAME}-{seq}"}, "{NAME} is not a token"),
        ("auto_number", {"pattern": "A{seq:20}"}, "width must be 1 to 12"),
        ("auto_number", {"pattern": "A}{seq}"}, "unmatched brace"),
        ("auto_number", {"pattern": "X" * 70 + "{seq}"}, "longer than 64"),
    ],
)
def test_semantic_config_problems_are_reported(type_name: str, config: dict, fragment: str) -> None:
    found = problems(type_name, config)
    assert any(fragment in p for p in found), found


def test_required_relation_cannot_be_cleared_on_delete() -> None:
    config = {"target": "customer", "on_delete": "set_null"}
    assert problems("relation", config, required=True)
    assert problems("relation", config) == []


def test_auto_number_formatting_and_periods() -> None:
    now = datetime(2026, 3, 1, 9, 0)
    assert format_auto_number("OPP-{YYYY}{MM}-{seq:5}", 42, now) == "OPP-202603-00042"
    assert format_auto_number("Q{YY}{MM}{DD}{seq}", 7, now) == "Q2603017"
    assert format_auto_number("{seq:3}", 12345, now) == "12345"  # never truncated
    assert [period_key(r, now) for r in ("never", "yearly", "monthly", "daily")] == [
        "",
        "2026",
        "2026-03",
        "2026-03-01",
    ]
    assert pattern_problems("OPP-{YYYY}{MM}-{seq:5}") == []
    with pytest.raises(ValueError):
        period_key("weekly", now)


def test_derived_types_take_kind_and_column_from_their_result() -> None:
    formula = FieldSpec(
        "w", "formula", {"en": "W"}, config={"expression": "1", "result_type": "date"}
    )
    assert REGISTRY.get("formula").kind_of(formula) == "date"
    assert "today" in REGISTRY.get("formula").operators_for(formula)
    unresolved = FieldSpec("l", "lookup", {"en": "L"}, config={"relation": "r", "field": "x"})
    with pytest.raises(ValueError, match="no result_type"):
        REGISTRY.get("lookup").columns(unresolved)
    count = FieldSpec("n", "rollup", {"en": "N"}, config={"aggregate": "count", "child": "l"})
    assert REGISTRY.get("rollup").parse("12", count) == 12
