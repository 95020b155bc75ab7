"""Conditions and formulas are type-checked against the fields they name."""

from __future__ import annotations

from typing import Any

from builder.model import validate_document
from tests.builder.conftest import field, problems, table

Doc = dict[str, Any]


def test_field_condition_operator_must_suit_the_kind(crm: Doc) -> None:
    field(crm, "opportunity", "lost_reason")["visible_when"] = {
        "field": "stage",
        "op": "gt",
        "value": "lost",
    }
    assert len(found := problems(crm)) == 1
    assert found[0].startswith(
        "app.json: tables[1].fields[5].visible_when.op: operator 'gt' does not apply to "
        "'stage' (choice); allowed: "
    )


def test_condition_field_must_exist_with_path_inside_the_tree(crm: Doc) -> None:
    table(crm, "opportunity")["rules"][0]["when"] = {
        "all": [
            {"field": "stage", "op": "eq", "value": "lost"},
            {"field": "amout", "op": "gt", "value": 0},
        ]
    }
    assert problems(crm) == [
        "app.json: tables[1].rules[0].when.all[1].field: unknown field 'amout'; "
        "did you mean 'amount'?"
    ]


def test_condition_shape_is_reported_once_by_the_schema(crm: Doc) -> None:
    field(crm, "opportunity", "lost_reason")["required_when"] = {
        "field": "stage",
        "opp": "eq",
        "value": "lost",
    }
    assert problems(crm) == [
        'app.json: tables[1].fields[5].required_when: missing required property "op"',
        'app.json: tables[1].fields[5].required_when.opp: "opp" is not a known property '
        '(did you mean "op"?); allowed: field, op, value',
    ]


def test_relation_filter_is_checked_against_the_target_table(crm: Doc) -> None:
    field(crm, "opportunity", "customer")["config"]["filter"] = {
        "field": "stage",
        "op": "eq",
        "value": "won",
    }
    assert problems(crm) == [
        "app.json: tables[1].fields[2].config.filter.field: unknown field 'stage'"
    ]


def test_rollup_filter_may_not_use_change_operators(crm: Doc) -> None:
    field(crm, "customer", "open_amount")["config"]["filter"] = {"field": "stage", "op": "changed"}
    assert problems(crm)[0].startswith(
        "app.json: tables[0].fields[2].config.filter.op: 'changed' compares with the previous "
        "version of the record"
    )


def test_row_scope_condition_is_checked_against_its_table(crm: Doc) -> None:
    crm["roles"][0]["permissions"]["customer"]["row_scope"] = {
        "field": "regin",
        "op": "eq",
        "value": "east",
    }
    crm["roles"][0]["permissions"]["*"]["row_scope"] = {
        "field": "owner_id",
        "op": "eq",
        "value": "$user",
    }
    assert problems(crm) == [
        "app.json: roles[0].permissions.customer.row_scope.field: unknown field 'regin'; "
        "did you mean 'region'?"
    ]


def test_row_scope_word_must_be_known(crm: Doc) -> None:
    crm["roles"][0]["permissions"]["customer"]["row_scope"] = "departmnet"
    assert problems(crm) == [
        'app.json: roles[0].permissions.customer.row_scope: "departmnet" is not a row scope '
        '(did you mean "department"?); allowed: own, department, department_tree, all'
    ]


def test_form_section_condition_is_checked(crm: Doc) -> None:
    tab = table(crm, "opportunity")["form"]["tabs"][1]
    tab["sections"][0]["visible_when"] = {"field": "lines", "op": "eq", "value": 1}
    assert problems(crm)[0].startswith(
        "app.json: tables[1].form.tabs[1].sections[0].visible_when.op: operator 'eq' does not "
        "apply to 'lines' (rows)"
    )


def test_formula_syntax_error_has_position(crm: Doc) -> None:
    field(crm, "opportunity", "weighted_amount")["config"]["expression"] = "amount * (probability"
    found = problems(crm)
    assert len(found) == 1
    assert found[0].startswith(
        "app.json: tables[1].fields[9].config.expression: formula error at position "
    )


def test_formula_references_must_exist(crm: Doc) -> None:
    field(crm, "opportunity", "weighted_amount")["config"]["expression"] = "amont * probability"
    found = problems(crm)
    assert len(found) == 1
    assert found[0].startswith("app.json: tables[1].fields[9].config.expression: ")
    assert "amont" in found[0] and "amount" in found[0]


def test_formula_result_must_fit_result_type(crm: Doc) -> None:
    field(crm, "opportunity", "weighted_amount")["config"]["expression"] = "expected_close_date"
    assert problems(crm) == [
        "app.json: tables[1].fields[9].config.expression: the formula gives a date value but "
        "result_type is money"
    ]


def test_formula_over_child_rows(crm: Doc) -> None:
    field(crm, "opportunity", "weighted_amount")["config"]["expression"] = "SUM(lines.subtotal)"
    assert problems(crm) == []


def test_formula_cycle_is_reported(crm: Doc) -> None:
    fields = table(crm, "opportunity")["fields"]
    fields.append(
        {"key": "a", "type": "formula", "config": {"expression": "b + 1", "result_type": "number"}}
    )
    fields.append(
        {"key": "b", "type": "formula", "config": {"expression": "a + 1", "result_type": "number"}}
    )
    assert problems(crm) == [
        "app.json: tables[1].fields[13].config.expression: formulas depend on each other in a "
        "cycle: a → b → a"
    ]


def test_default_formula_is_checked(crm: Doc) -> None:
    field(crm, "opportunity", "expected_close_date")["default_formula"] = "TODAY( + 30"
    found = problems(crm)
    assert len(found) == 1
    assert found[0].startswith(
        "app.json: tables[1].fields[10].default_formula: formula error at position "
    )


def test_field_type_config_checks_run(crm: Doc) -> None:
    field(crm, "opportunity", "code")["config"]["pattern"] = "OPP-{YYYY}"
    found = problems(crm)
    assert len(found) == 1
    assert found[0].startswith("app.json: tables[1].fields[0].config: ")
    assert "seq" in found[0]


def test_type_errors_are_not_echoed_by_conditions(crm: Doc) -> None:
    field(crm, "opportunity", "stage")["type"] = "single_selct"
    assert problems(crm) == [
        'app.json: tables[1].fields[4].type: "single_selct" is not a field type (did you mean '
        '"single_select"?); allowed: ' + ", ".join(_type_names())
    ]


def _type_names() -> list[str]:
    from form_engine.fields import default_registry

    return default_registry().names()


def test_condition_and_config_problems_carry_both_languages(crm: Doc) -> None:
    field(crm, "opportunity", "lost_reason")["visible_when"] = {
        "field": "stag",
        "op": "eq",
        "value": "lost",
    }
    field(crm, "quote_line", "quantity")["config"] = {"min": 5, "max": 1}
    found = [p.as_dict() for p in validate_document(crm).problems]
    assert [(p["path"], p["messages"]) for p in found] == [
        (
            "tables[2].fields[1].config",
            {
                "zh-CN": "最小值 min（5）不能大于最大值 max（1）",
                "en": "min (5) is greater than max (1)",
            },
        ),
        (
            "tables[1].fields[5].visible_when.field",
            {
                "zh-CN": "字段“stag”不存在，你是不是想用“stage”？",
                "en": "unknown field 'stag'; did you mean 'stage'?",
            },
        ),
    ]


def _formula(key: str, expression: str, result_type: str = "money") -> Doc:
    return {
        "key": key,
        "type": "formula",
        "label": {"zh-CN": key, "en": key},
        "config": {"expression": expression, "result_type": result_type},
    }


def test_a_broken_field_does_not_hide_the_other_logic_problems(crm: Doc) -> None:
    field(crm, "opportunity", "cost")["type"] = "moneyy"
    table(crm, "opportunity")["fields"] += [
        _formula("typo", "amount * * 2"),
        _formula("loop_a", "loop_b + 1"),
        _formula("loop_b", "loop_a + 1"),
        _formula("mixed", "name + amount"),
        _formula("margin", "amount - cost"),  # reads the broken field: not echoed
    ]
    table(crm, "opportunity")["rules"].append(
        {
            "key": "unknown",
            "condition": {"field": "amout", "op": "gt", "value": 0},
            "message": {"zh-CN": "x", "en": "x"},
        }
    )
    field(crm, "opportunity", "expected_close_date")["visible_when"] = {
        "field": "cost",
        "op": "gt",
        "value": 0,
    }  # also reads the broken field: not echoed
    found = problems(crm)
    assert [p.split(": ")[1] for p in found] == [
        "tables[1].fields[7].type",
        "tables[1].rules[1].condition.field",
        "tables[1].fields[13].config.expression",
        "tables[1].fields[16].config.expression",
        "tables[1].fields[14].config.expression",
    ], found
    assert 'did you mean "money"' in found[0]
    assert "'amout'" in found[1]
    assert 'found "*"' in found[2]
    assert "left side is text" in found[3]
    assert "loop_a → loop_b → loop_a" in found[4]
