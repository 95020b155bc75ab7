"""The browser's condition evaluator (static/js/conditions.js) gives the answer the kernel
gives for every vector of form_engine/conditions/conformance.json, run in real Chromium."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "runtime" / "web" / "static" / "js" / "conditions.js"
VECTORS = ROOT / "form_engine" / "conditions" / "conformance.json"

pytestmark = pytest.mark.browser

RUN_ALL = """(doc) => doc.vectors.map((v) => {
  try {
    return KairosConditions.evaluate(v.condition, v.record, v.kinds,
      v.context || doc.default_context, v.previous);
  } catch (error) {
    return 'error: ' + error.message;
  }
})"""


@pytest.fixture
def evaluator(browser: Any) -> Any:
    context = browser.new_context()
    tab = context.new_page()
    tab.set_content("<!doctype html><html><body></body></html>")
    tab.add_script_tag(content=SCRIPT.read_text(encoding="utf-8"))
    yield tab
    context.close()


def test_every_conformance_vector_passes_in_the_browser(evaluator: Any) -> None:
    doc = json.loads(VECTORS.read_text(encoding="utf-8"))
    results = evaluator.evaluate(RUN_ALL, doc)
    failures = [
        f"{v['name']}: expected {v['expected']}, got {got}"
        for v, got in zip(doc["vectors"], results, strict=True)
        if got is not v["expected"]
    ]
    assert len(results) == len(doc["vectors"]) >= 300
    assert failures == []


def test_a_changed_vector_really_depends_on_the_previous_record(evaluator: Any) -> None:
    condition = {"field": "stage", "op": "changed_to", "value": "won"}
    kinds = {"stage": "choice"}
    context = {"now": "2026-03-10T02:00:00Z", "timezone": "Asia/Shanghai"}
    call = "([c, r, k, x, p]) => KairosConditions.evaluate(c, r, k, x, p)"
    won = {"stage": "won"}
    assert evaluator.evaluate(call, [condition, won, kinds, context, {"stage": "lost"}])
    assert not evaluator.evaluate(call, [condition, won, kinds, context, {"stage": "won"}])


def test_fields_of_lists_every_field_a_condition_reads(evaluator: Any) -> None:
    condition = {
        "all": [
            {"field": "status", "op": "eq", "value": "lost"},
            {"not": {"field": "amount", "op": "gt", "value": {"field": "budget"}}},
        ]
    }
    fields = evaluator.evaluate("(c) => KairosConditions.fieldsOf(c)", condition)
    assert sorted(fields) == ["amount", "budget", "status"]
