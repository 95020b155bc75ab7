"""docs/formulas.md documents every function, and its examples are sound formulas."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from form_engine.formula import FUNCTION_NAMES, check_formula, evaluate_formula, parse_formula
from form_engine.kinds import Kind

DOC = (Path(__file__).resolve().parents[3] / "docs" / "formulas.md").read_text(encoding="utf-8")

OPPORTUNITY = {
    "amount": Kind.DECIMAL,
    "probability": Kind.NUMBER,
    "created_at": Kind.DATETIME,
    "expected_close_date": Kind.DATE,
    "stage": Kind.CHOICE,
    "name": Kind.TEXT,
    "customer_name": Kind.TEXT,
    "last_name": Kind.TEXT,
    "first_name": Kind.TEXT,
    "serial": Kind.NUMBER,
    "quantity": Kind.NUMBER,
    "unit_price": Kind.DECIMAL,
    "discount": Kind.NUMBER,
    "lines": Kind.ROWS,
}
QUOTE_LINES = {"lines": {"subtotal": Kind.DECIMAL, "product": Kind.REF}}


def _examples() -> list[tuple[str, str]]:
    section = DOC.split("## Examples", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| [^|]+ \| `(.+)` \| (\S+)", section, flags=re.MULTILINE)
    assert len(rows) >= 10
    return rows


@pytest.mark.parametrize("name", sorted(FUNCTION_NAMES))
def test_every_function_is_documented(name):
    assert f"`{name}(" in DOC


@pytest.mark.parametrize(("text", "result"), _examples())
def test_examples_are_sound(text, result):
    kind, problems = check_formula(parse_formula(text), OPPORTUNITY, QUOTE_LINES)
    assert problems == []
    expected = {"number": Kind.DECIMAL, "text": Kind.TEXT, "TRUE/FALSE": Kind.BOOL}
    assert kind == expected.get(result, Kind.DATE)


def test_display_title_example_evaluates():
    text = next(text for text, _ in _examples() if text.startswith("customer_name"))
    record = {"customer_name": "华为", "name": "云服务采购", "amount": Decimal("1234567.00")}
    assert evaluate_formula(parse_formula(text), record, today=date(2026, 3, 1)) == (
        "华为 - 云服务采购（123.5 万元）"
    )
