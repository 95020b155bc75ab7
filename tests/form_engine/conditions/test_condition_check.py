"""check_condition: every problem, with its path and a message saying what is allowed."""

from __future__ import annotations

from typing import Any

import pytest

from form_engine.conditions import ConditionProblem, check_condition
from form_engine.kinds import Kind

FIELDS = {
    "name": Kind.TEXT,
    "stage": Kind.CHOICE,
    "tags": Kind.CHOICES,
    "amount": Kind.DECIMAL,
    "probability": Kind.NUMBER,
    "close_date": Kind.DATE,
    "created_at": Kind.DATETIME,
    "start_time": Kind.TIME,
    "owner_id": Kind.REF,
    "is_key": Kind.BOOL,
    "address": Kind.JSON,
    "lines": Kind.ROWS,
}


def problems(condition: Any, **options: Any) -> dict[str, str]:
    found = check_condition(condition, FIELDS, **options)
    assert all(isinstance(p, ConditionProblem) for p in found)
    return {p.path: p.message for p in found}


@pytest.mark.parametrize(
    "condition",
    [
        {"all": []},
        {"any": []},
        {"not": {"field": "stage", "op": "eq", "value": "won"}},
        {"field": "name", "op": "contains", "value": "acme"},
        {"field": "amount", "op": "between", "value": ["100", 200.5]},
        {"field": "tags", "op": "eq", "value": []},
        {"field": "tags", "op": "in", "value": ["vip", {"field": "stage"}]},
        {"field": "owner_id", "op": "in", "value": ["$user", 3]},
        {"field": "created_at", "op": "within_last_days", "value": 0},
        {"field": "close_date", "op": "lt", "value": "$now"},
        {"field": "stage", "op": "eq", "value": "$trigger.stage"},
        {"field": "amount", "op": "gt", "value": {"field": "probability"}},
        {"field": "lines", "op": "is_not_empty"},
        {"field": "stage", "op": "changed_to", "value": "won"},
    ],
)
def test_valid_conditions_have_no_problems(condition: Any) -> None:
    assert problems(condition) == {}


def test_unknown_field_suggests_close_names() -> None:
    found = problems({"field": "stag", "op": "eq", "value": "won"})
    assert found == {"field": "unknown field 'stag'; did you mean 'stage' or 'tags'?"}


def test_unknown_field_without_close_names() -> None:
    assert problems({"field": "zzz", "op": "is_empty"}) == {"field": "unknown field 'zzz'"}


def test_operator_not_for_kind_lists_allowed() -> None:
    message = problems({"field": "amount", "op": "contains", "value": "1"})["op"]
    assert message.startswith("operator 'contains' does not apply to 'amount' (decimal)")
    assert "allowed: between, changed" in message and "gt" in message


def test_reports_every_problem_with_paths() -> None:
    condition = {
        "any": [
            {"field": "stage", "op": "eq", "value": "won"},
            {"field": "amount", "op": "gt", "value": "lots"},
            {"all": [{"field": "amount", "op": "between", "value": [1]}, {"field": "x"}]},
            {"not": {"field": "close_date", "op": "within_last_days", "value": -1}},
            {"field": "owner_id", "op": "eq", "value": "$now"},
        ]
    }
    found = problems(condition)
    assert set(found) == {
        "any[1].value",
        "any[2].all[0].value",
        "any[2].all[1].op",
        "any[3].not.value",
        "any[4].value",
    }
    assert "expected a number" in found["any[1].value"]
    assert found["any[2].all[0].value"].startswith('"between" needs two values [low, high]')
    assert "a whole number of days" in found["any[3].not.value"]
    assert found["any[4].value"].startswith('"$now" cannot be compared with a ref field')


@pytest.mark.parametrize(
    ("condition", "path", "fragment"),
    [
        ("stage = won", "", "a condition must be an object"),
        ({"all": {"field": "stage"}}, "all", '"all" takes a list of conditions'),
        ({"all": [], "any": []}, "", "a group has exactly one key"),
        ({"field": "stage", "op": "eq", "value": 1, "extra": 1}, "", "unknown key(s) 'extra'"),
        ({"op": "is_empty"}, "field", "a field key (text) is required"),
        ({"field": "stage", "op": "like", "value": "x"}, "op", "unknown operator 'like'"),
        ({"field": "stage", "op": "eq"}, "value", '"eq" needs a value (one value)'),
        ({"field": "stage", "op": "is_empty", "value": 1}, "value", '"is_empty" takes no value'),
        ({"field": "stage", "op": "in", "value": "won"}, "value", '"in" needs a list of values'),
        ({"field": "name", "op": "contains", "value": ["a"]}, "value", "takes one value"),
        ({"field": "stage", "op": "eq", "value": ["a", "b"]}, "value", 'use "in"'),
        ({"field": "stage", "op": "eq", "value": None}, "value", 'use "is_empty"'),
        ({"field": "amount", "op": "between", "value": [5, 1]}, "value", "low ≤ high"),
        ({"field": "tags", "op": "eq", "value": "vip"}, "value", "compares the whole selection"),
        ({"field": "tags", "op": "contains", "value": 3}, "value", "an option key"),
        (
            {"field": "tags", "op": "contains", "value": ["a"]},
            "value",
            "takes one value, not a list",
        ),
        ({"field": "tags", "op": "eq", "value": [{"field": "stage"}]}, "value[0]", "a list of"),
        ({"field": "tags", "op": "in", "value": ["$user"]}, "value[0]", "option keys"),
        ({"field": "is_key", "op": "eq", "value": "yes"}, "value", "expected true or false"),
        ({"field": "close_date", "op": "eq", "value": "03/01/2026"}, "value", "2026-03-01"),
        ({"field": "start_time", "op": "lt", "value": "noon"}, "value", "a time such as"),
        ({"field": "owner_id", "op": "eq", "value": 1.5}, "value", "a record id"),
        ({"field": "amount", "op": "eq", "value": {"field": "name"}}, "value", "cannot compare"),
        ({"field": "amount", "op": "eq", "value": {"field": "nme"}}, "value", "did you mean"),
        ({"field": "stage", "op": "eq", "value": "$trigger.stag"}, "value", "unknown field"),
        ({"field": "address", "op": "eq", "value": {}}, "op", "allowed: changed, is_empty"),
    ],
)
def test_problem_messages(condition: Any, path: str, fragment: str) -> None:
    found = problems(condition)
    assert path in found, found
    assert fragment in found[path]


def test_change_operators_can_be_refused() -> None:
    condition = {"field": "stage", "op": "changed"}
    assert problems(condition) == {}
    assert "previous version" in problems(condition, allow_change_ops=False)["op"]


def test_trigger_references_can_be_refused() -> None:
    condition = {"field": "stage", "op": "eq", "value": "$trigger.stage"}
    assert "only available in flow conditions" in problems(condition, allow_trigger=False)["value"]


def test_problem_renders_with_path() -> None:
    (problem,) = check_condition({"field": "nope", "op": "is_empty"}, FIELDS)
    assert str(problem) == "field: unknown field 'nope'"
    (root,) = check_condition([], FIELDS)
    assert str(root).startswith("(root): a condition must be an object")
