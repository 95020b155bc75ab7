"""Duplicate rules in a definition: shape, field references, match vs field, thresholds."""

from __future__ import annotations

from typing import Any

from builder.model import diff, validate_document
from tests.builder.conftest import problems, table

Doc = dict[str, Any]


def _rule(*fields: dict[str, Any], action: str = "warn", key: str = "dup") -> dict[str, Any]:
    return {
        "key": key,
        "label": {"zh-CN": "重复", "en": "Dup"},
        "fields": list(fields),
        "action": action,
    }


def test_valid_rules_reach_the_spec(crm: Doc) -> None:
    table(crm, "customer")["duplicate_rules"] = [
        _rule({"field": "name", "match": "company_name", "threshold": 85}),
        _rule({"field": "region", "match": "exact"}, key="same_region", action="report"),
    ]
    result = validate_document(crm)
    assert result.problems == []
    rules = result.spec.table("customer").duplicate_rules
    assert [(r.key, r.action) for r in rules] == [("dup", "warn"), ("same_region", "report")]
    assert rules[0].fields[0].threshold == 85
    assert rules[1].fields[0].match == "exact"


def test_rules_are_optional_and_need_no_schema_bump(crm: Doc) -> None:
    assert crm["schema_version"] == 1
    assert validate_document(crm).spec.table("customer").duplicate_rules == ()


def test_unknown_field_and_bad_action(crm: Doc) -> None:
    table(crm, "customer")["duplicate_rules"] = [
        _rule({"field": "nmae", "match": "fuzzy"}, action="stop"),
    ]
    found = problems(crm)
    assert any("duplicate_rules[0].action" in p and '"stop"' in p for p in found)
    assert (
        'app.json: tables[0].duplicate_rules[0].fields[0].field: table "customer" has no field '
        '"nmae" (did you mean "name"?); allowed: name, open_amount, region'
    ) in found


def test_match_must_suit_the_field(crm: Doc) -> None:
    table(crm, "customer")["duplicate_rules"] = [
        _rule({"field": "region", "match": "fuzzy"}),
        _rule({"field": "name", "match": "phone"}, key="b"),
        _rule({"field": "open_amount", "match": "exact"}, key="c"),
    ]
    assert problems(crm) == [
        'app.json: tables[0].duplicate_rules[0].fields[0].match: match "fuzzy" does not suit '
        'field "region" of type single_select; allowed: text, long_text, email, phone, url',
        'app.json: tables[0].duplicate_rules[2].fields[0].match: field "open_amount" (rollup)'
        " is not stored, so it cannot be compared for duplicates",
    ]  # "phone" on a text field is fine: phone numbers are often kept in text fields


def test_phone_and_email_domain_need_their_field_types(crm: Doc) -> None:
    table(crm, "opportunity")["duplicate_rules"] = [
        _rule({"field": "amount", "match": "email_domain"}),
    ]
    assert problems(crm) == [
        'app.json: tables[1].duplicate_rules[0].fields[0].match: match "email_domain" does not '
        'suit field "amount" of type money; allowed: email, text'
    ]


def test_threshold_range_and_use(crm: Doc) -> None:
    table(crm, "customer")["duplicate_rules"] = [
        _rule({"field": "name", "match": "fuzzy", "threshold": 30}),
        _rule({"field": "name", "match": "exact", "threshold": 90}, key="b"),
    ]
    assert problems(crm) == [
        "app.json: tables[0].duplicate_rules[0].fields[0].threshold: threshold 30 is out of "
        "range; use 50–100 (percent similarity)",
        "app.json: tables[0].duplicate_rules[1].fields[0].threshold: threshold only applies to "
        'the matches "fuzzy" and "company_name", not "exact"',
    ]
    zh = [p.render("zh-CN") for p in validate_document(crm).problems]
    assert "相似度阈值 30 超出范围" in zh[0]


def test_duplicate_keys_and_child_tables(crm: Doc) -> None:
    table(crm, "customer")["duplicate_rules"] = [_rule({"field": "name"}), _rule({"field": "name"})]
    table(crm, "quote_line")["duplicate_rules"] = [_rule({"field": "product"})]
    found = problems(crm)
    assert any('duplicate duplicate rule "dup"' in p for p in found)
    assert any('child table "quote_line" cannot have duplicate rules' in p for p in found)


def test_diff_reports_changed_rules(crm: Doc) -> None:
    old = validate_document(crm).spec
    table(crm, "customer")["duplicate_rules"] = [_rule({"field": "name", "match": "normalized"})]
    new = validate_document(crm).spec
    changed = diff(old, new).table("customer")
    assert [c.attribute for c in changed.changes] == ["duplicate_rules"]


def test_a_field_twice_in_one_rule(crm: Doc) -> None:
    table(crm, "customer")["duplicate_rules"] = [
        _rule({"field": "name", "match": "fuzzy"}, {"field": "name", "match": "exact"})
    ]
    assert problems(crm) == [
        'app.json: tables[0].duplicate_rules[0].fields[1].field: duplicate field "name" '
        "(first at tables[0].duplicate_rules[0].fields[0].field)"
    ]
