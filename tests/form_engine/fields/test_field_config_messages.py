"""``check_config`` problems are ``str`` (English) that also carry zh-CN texts."""

from __future__ import annotations

import copy
import pickle
import re
import string
from typing import Any

import pytest

from form_engine.fields import FieldType, FieldTypeRegistry, default_registry, load_field_types
from form_engine.fields import _config_messages as texts
from form_engine.fields._config_messages import ConfigProblem
from form_engine.kinds import Kind
from schemas.spec import FieldSpec

REGISTRY = default_registry()
STAGE = {"key": "won", "label": "赢单"}
CJK = re.compile(r"[\u4e00-\u9fff]")

BAD_CONFIGS: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("number", {"min": 10, "max": 1}, {}),
    ("duration", {"min": 10, "max": 5}, {}),
    ("date", {"min": "2026-12-01", "max": "2026-01-01"}, {}),
    ("date", {"min": "someday"}, {}),
    ("text", {"min_length": 9, "max_length": 3}, {}),
    ("text", {"pattern": "(["}, {}),
    ("money", {"currency": "CNY", "currency_field": "cur"}, {}),
    ("datetime", {"timezone": "Mars/Base"}, {}),
    ("json", {"schema": {"type": "nonsense"}}, {}),
    ("single_select", {"options": []}, {}),
    ("single_select", {"options": [STAGE, STAGE]}, {}),
    ("single_select", {"options": [STAGE, {"key": "x", "label": "赢单"}]}, {}),
    ("multi_select", {"options": [STAGE], "max_choices": 3}, {}),
    ("relation", {"target": "customer", "on_delete": "set_null"}, {"required": True}),
    ("formula", {"expression": " ", "result_type": "number"}, {}),
    ("formula", {"expression": "1", "result_type": "text", "precision": 2}, {}),
    ("formula", {"expression": "1", "result_type": "money", "precision": 8}, {}),
    ("lookup", {"relation": "f", "field": "x", "result_type": "text"}, {}),
    ("lookup", {"relation": "r", "field": "x", "result_type": "nope"}, {}),
    ("rollup", {"aggregate": "sum", "field": "x"}, {}),
    ("rollup", {"aggregate": "sum", "table": "t", "field": "x"}, {}),
    ("rollup", {"aggregate": "sum", "child": "lines"}, {}),
    ("rollup", {"aggregate": "count", "child": "l", "result_type": "date"}, {}),
    ("auto_number", {"pattern": "A}{seq}"}, {}),
    ("auto_number", {"pattern": "A{seq:20}"}, {}),
    ("auto_number", {"pattern": "{NAME}-{seq}"}, {}),
    ("auto_number", {"pattern": "OPP-{YYYY}"}, {}),
    ("auto_number", {"pattern": "X" * 70 + "{seq}"}, {}),
    ("auto_number", {"pattern": "OPP-{seq:5}", "reset": "monthly"}, {}),
]


def problems(type_name: str, config: dict[str, Any], **props: Any) -> list[str]:
    field = FieldSpec("f", type_name, {"en": "F"}, config=config, **props)
    return list(REGISTRY.get(type_name).check_config(field))


def only(type_name: str, config: dict[str, Any]) -> ConfigProblem:
    (problem,) = problems(type_name, config)
    assert isinstance(problem, ConfigProblem)
    return problem


def test_min_greater_than_max_in_both_languages() -> None:
    problem = only("number", {"min": 10, "max": 1})
    assert problem == "min (10) is greater than max (1)"
    assert problem.messages == {
        "en": "min (10) is greater than max (1)",
        "zh-CN": "最小值 min（10）不能大于最大值 max（1）",
    }


def test_duplicate_option_key_in_both_languages() -> None:
    problem = only("single_select", {"options": [STAGE, STAGE]})
    assert problem.code == "duplicate_option"
    assert problem.messages == {
        "en": "option key 'won' is used twice",
        "zh-CN": "选项键“won”重复",
    }


def test_auto_number_pattern_in_both_languages() -> None:
    problem = only("auto_number", {"pattern": "{NAME}-{seq}"})
    assert problem.message("en") == (
        "{NAME} is not a token; use {YYYY} {YY} {MM} {DD} {seq} {seq:N}"
    )
    assert problem.message("zh-CN") == (
        "{NAME} 不是可用的占位符，可用：{YYYY} {YY} {MM} {DD} {seq} {seq:N}"
    )
    reset = only("auto_number", {"pattern": "OPP-{MM}-{seq:5}", "reset": "yearly"})
    assert reset.messages["zh-CN"] == (
        "计数每年重置（reset: yearly）时，编号规则必须包含 {YY} 或 {YYYY}，否则编号会重复"
    )


def test_bad_date_bound_names_the_type_in_each_language() -> None:
    problem = only("date", {"min": "someday"})
    assert problem.messages == {
        "en": "min 'someday' is not a valid date",
        "zh-CN": "min 的值“someday”不是有效的日期",
    }


@pytest.mark.parametrize(("type_name", "config", "props"), BAD_CONFIGS)
def test_every_config_problem_has_a_chinese_text(
    type_name: str, config: dict[str, Any], props: dict[str, Any]
) -> None:
    found = problems(type_name, config, **props)
    assert found
    for problem in found:
        assert isinstance(problem, ConfigProblem), problem
        assert problem.messages["en"] == str(problem)
        assert CJK.search(problem.messages["zh-CN"]), problem.messages
        for template in texts.TEMPLATES[problem.code].values():  # rendering would not say
            assert _fields(template) <= set(problem.params), problem.code


class _Unstored(FieldType):
    """A plugin type without a column of its own, which no computed value can have."""

    name = "pin_board"
    kind = Kind.JSON
    stored = False


def test_result_type_without_a_column() -> None:
    registry = FieldTypeRegistry()
    load_field_types(registry, plugins=[])
    registry.register(_Unstored)
    config = {"relation": "r", "field": "x", "result_type": "pin_board"}
    field = FieldSpec("f", "lookup", {"en": "F"}, config=config)
    (problem,) = registry.get("lookup").check_config(field)
    assert problem.messages == {  # type: ignore[attr-defined]
        "en": "result_type 'pin_board' has no column",
        "zh-CN": "result_type“pin_board”没有存储列，不能作为结果类型",
    }


def test_every_message_code_is_used() -> None:
    used = {
        problem.code  # type: ignore[attr-defined]
        for type_name, config, props in BAD_CONFIGS
        for problem in problems(type_name, config, **props)
    }
    assert used | {"result_type_no_column"} == set(texts.TEMPLATES)


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("code", sorted(texts.TEMPLATES))
def test_templates_exist_in_both_languages(code: str) -> None:
    template = texts.TEMPLATES[code]
    assert set(template) == {"en", "zh-CN"}
    # zh-CN may say more (e.g. how many options there are), never less.
    assert _fields(template["en"]) <= _fields(template["zh-CN"])


def test_problems_survive_copy_and_pickle() -> None:
    problem = only("single_select", {"options": [STAGE, STAGE]})
    for clone in (copy.deepcopy(problem), pickle.loads(pickle.dumps(problem))):
        assert isinstance(clone, ConfigProblem)
        assert clone == problem
        assert clone.messages == problem.messages
