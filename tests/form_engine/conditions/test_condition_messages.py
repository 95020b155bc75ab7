"""Condition problems in zh-CN and en: codes, templates and the texts analysts read."""

from __future__ import annotations

import re
import string
from typing import Any

import pytest

from form_engine.conditions import ConditionProblem, ValueShape, check_condition
from form_engine.conditions import _messages as texts
from form_engine.kinds import Kind

FIELDS = {
    "name": Kind.TEXT,
    "stage": Kind.CHOICE,
    "tags": Kind.CHOICES,
    "amount": Kind.DECIMAL,
    "close_date": Kind.DATE,
    "owner_id": Kind.REF,
    "is_key": Kind.BOOL,
    "address": Kind.JSON,
}

BAD_CONDITIONS: list[Any] = [
    "stage = won",
    {"all": [], "any": []},
    {"all": {"field": "stage"}},
    {"field": "stage", "op": "eq", "value": "won", "extra": 1},
    {"field": 3, "op": "is_empty"},
    {"op": "is_empty"},
    {"field": "stage", "op": "like", "value": "x"},
    {"field": "stage"},
    {"field": "stage", "op": "is_empty", "value": 1},
    {"field": "stage", "op": "eq"},
    {"field": "stage", "op": "in", "value": "won"},
    {"field": "name", "op": "contains", "value": ["a"]},
    {"field": "amout", "op": "gt", "value": 1},
    {"field": "address", "op": "eq", "value": {}},
    {"field": "stage", "op": "eq", "value": ["won", "lost"]},
    {"field": "tags", "op": "eq", "value": "vip"},
    {"field": "tags", "op": "contains", "value": 3},
    {"field": "tags", "op": "eq", "value": [{"field": "stage"}]},
    {"field": "tags", "op": "in", "value": ["$user"]},
    {"field": "stage", "op": "eq", "value": None},
    {"field": "amount", "op": "gt", "value": "lots"},
    {"field": "owner_id", "op": "eq", "value": "$now"},
    {"field": "amount", "op": "eq", "value": {"field": "name"}},
    {"field": "amount", "op": "between", "value": [5, 1]},
]
NESTED_ONLY = {"hint_use_in", "expected_got"}  # parts of other messages
CJK = re.compile(r"[\u4e00-\u9fff]")


def found(condition: Any, **options: Any) -> list[ConditionProblem]:
    return check_condition(condition, FIELDS, **options)


def only(condition: Any, **options: Any) -> ConditionProblem:
    (problem,) = found(condition, **options)
    return problem


def test_unknown_field_in_both_languages() -> None:
    problem = only({"field": "amout", "op": "gt", "value": 0})
    assert problem.code == "unknown_field"
    assert problem.messages == {
        "en": "unknown field 'amout'; did you mean 'amount'?",
        "zh-CN": "字段“amout”不存在，你是不是想用“amount”？",
    }
    assert problem.message == problem.messages["en"]


def test_operator_for_the_wrong_kind_in_both_languages() -> None:
    problem = only({"field": "address", "op": "eq", "value": {}})
    assert problem.path == "op"
    assert problem.messages == {
        "en": "operator 'eq' does not apply to 'address' (json); "
        "allowed: changed, is_empty, is_not_empty",
        "zh-CN": "字段“address”（结构化）不能用运算符“eq”，可用：changed、is_empty、is_not_empty",
    }


def test_bad_value_in_both_languages() -> None:
    problem = only({"field": "close_date", "op": "eq", "value": "03/01/2026"})
    assert problem.messages == {
        "en": 'wrong value for a date field: expected a date such as "2026-03-01", '
        "got '03/01/2026'",
        "zh-CN": '日期字段的值不正确：应为日期（如 "2026-03-01"），实际为“03/01/2026”',
    }


def test_structural_problem_in_both_languages() -> None:
    problem = only({"field": "stage", "op": "in", "value": {"a": 1}})
    assert problem.messages == {
        "en": "\"in\" needs a list of values, got {'a': 1}",
        "zh-CN": '“in”需要一个值列表，实际为 {"a": 1}',
    }


def test_missing_operator_reads_as_missing_in_chinese() -> None:
    problem = only({"field": "stage"})
    assert problem.message.startswith("unknown operator nothing (null); operators are ")
    assert problem.messages["zh-CN"].startswith(
        "缺少“op”（运算符），可用的运算符：before_days_ago、"
    )


@pytest.mark.parametrize("condition", BAD_CONDITIONS, ids=repr)
def test_every_problem_has_a_chinese_text(condition: Any) -> None:
    problems = found(condition)
    assert problems
    for problem in problems:
        assert problem.code in texts.TEMPLATES
        assert problem.messages["en"] == problem.message
        assert CJK.search(problem.messages["zh-CN"]), problem.messages
        for template in texts.TEMPLATES[problem.code].values():  # rendering would not say
            assert _fields(template) <= set(problem.params), problem.code


def test_every_message_code_is_used() -> None:
    used = {p.code for condition in BAD_CONDITIONS for p in found(condition)}
    used |= {p.code for p in found({"field": "stage", "op": "changed"}, allow_change_ops=False)}
    trigger = {"field": "stage", "op": "eq", "value": "$trigger.stage"}
    used |= {p.code for p in found(trigger, allow_trigger=False)}
    assert used == set(texts.TEMPLATES) - NESTED_ONLY


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("code", sorted(texts.TEMPLATES))
def test_templates_exist_in_both_languages_with_the_same_parameters(code: str) -> None:
    template = texts.TEMPLATES[code]
    assert set(template) == {"en", "zh-CN"}
    assert _fields(template["en"]) == _fields(template["zh-CN"])


def test_problem_from_plain_text_stays_compatible() -> None:
    plain = ConditionProblem("all[0].op", "custom text")
    assert plain.code == "text"
    assert plain.messages == {"en": "custom text", "zh-CN": "custom text"}
    coded = ConditionProblem.of("all[0].op", "null_value")
    assert coded == ConditionProblem("all[0].op", coded.message)  # equality ignores the code
    assert str(coded).startswith("all[0].op: null is not a value")
    assert coded.localized_message("fr") == coded.message


@pytest.mark.parametrize("shape", list(ValueShape))
def test_shape_texts_match_the_operator_table(shape: ValueShape) -> None:
    assert texts.shape(shape.value)["en"] == shape.describe()
    assert CJK.search(texts.shape(shape.value)["zh-CN"])
