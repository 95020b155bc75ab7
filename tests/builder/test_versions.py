"""diff(old, new): added, removed, renamed and changed tables, fields and constraints."""

from __future__ import annotations

import copy
from typing import Any

from builder.model import Change, Rename, diff, fingerprint, validate_document
from schemas.spec import AppSpec, IndexSpec
from tests.builder.conftest import field, table

Doc = dict[str, Any]


def _spec(doc: Doc) -> AppSpec:
    result = validate_document(doc)
    assert result.problems == []
    assert result.spec is not None
    return result.spec


def test_identical_versions_have_no_diff(crm: Doc) -> None:
    result = diff(_spec(crm), _spec(copy.deepcopy(crm)))
    assert result.is_empty
    assert result.describe() == "No changes"
    assert result.describe("zh-CN") == "没有变更"


def test_fields_added_removed_and_changed(crm: Doc) -> None:
    new = copy.deepcopy(crm)
    customer = table(new, "customer")
    customer["fields"].append({"key": "phone", "type": "phone", "label": {"en": "Phone"}})
    field(new, "opportunity", "amount")["config"]["precision"] = 4
    field(new, "opportunity", "amount")["required"] = True
    opp = table(new, "opportunity")
    opp["fields"] = [f for f in opp["fields"] if f["key"] != "cost"]
    opp["form"]["tabs"][0]["sections"][1]["fields"].remove("cost")
    crm["roles"][0]["permissions"]["opportunity"]["fields"].pop("cost")
    new["roles"][0]["permissions"]["opportunity"]["fields"].pop("cost")

    result = diff(_spec(crm), _spec(new))

    assert [t.key for t in result.tables_changed] == ["customer", "opportunity"]
    assert result.table("customer").fields_added == ("phone",)
    opp_diff = result.table("opportunity")
    assert opp_diff.fields_removed == ("cost",)
    assert opp_diff.fields_changed[0].key == "amount"
    assert opp_diff.fields_changed[0].changes == (
        Change("required", False, True),
        Change("config.precision", 2, 4),
    )
    assert result.describe().splitlines() == [
        'Table "customer": field "phone" added',
        # the rollup over opportunity.amount follows the precision change of its source
        'Table "customer": field "open_amount": config.result_config changed',
        'Table "opportunity": form changed',
        'Table "opportunity": field "cost" removed',
        'Table "opportunity": field "amount": required false → true; config.precision 2 → 4',
    ]
    assert result.describe("zh-CN").splitlines()[0] == "表“customer”：新增字段“phone”"


def test_field_rename_by_renamed_from_keeps_indexes(crm: Doc) -> None:
    new = copy.deepcopy(crm)
    stage = field(new, "opportunity", "stage")
    stage["key"], stage["renamed_from"] = "phase", "stage"
    _replace_stage(new)

    result = diff(_spec(crm), _spec(new))

    opp = result.table("opportunity")
    assert opp is not None
    assert opp.fields_renamed == (Rename("stage", "phase"),)
    assert opp.fields_added == () and opp.fields_removed == ()
    assert opp.indexes_added == () and opp.indexes_removed == ()
    assert 'Table "opportunity": field "stage" renamed to "phase"' in result.describe()


def _replace_stage(doc: Doc) -> None:
    """Point every reference to ``stage`` at ``phase`` so the new version is valid."""
    opp = table(doc, "opportunity")
    opp["indexes"] = [{"fields": ["phase", "expected_close_date"]}]
    opp["rules"][0]["when"]["field"] = "phase"
    field(doc, "opportunity", "lost_reason")["visible_when"]["field"] = "phase"
    field(doc, "opportunity", "lost_reason")["required_when"]["field"] = "phase"
    sections = opp["form"]["tabs"][0]["sections"]
    sections[0]["fields"][4] = "phase"
    field(doc, "customer", "open_amount")["config"]["filter"]["field"] = "phase"


def test_table_added_removed_and_renamed(crm: Doc) -> None:
    new = copy.deepcopy(crm)
    customer = table(new, "customer")
    customer["key"], customer["renamed_from"] = "account", "customer"
    field(new, "opportunity", "customer")["config"]["target"] = "account"
    new["navigation"][0]["tables"][0] = "account"
    perms = new["roles"][0]["permissions"]
    perms["account"] = perms.pop("customer")
    new["tables"].append(
        {"key": "lead", "label": {"en": "Lead"}, "fields": [{"key": "name", "type": "text"}]}
    )

    result = diff(_spec(crm), _spec(new))

    assert result.tables_added == ("lead",)
    assert result.tables_removed == ()
    assert result.tables_renamed == (Rename("customer", "account"),)
    assert result.roles_changed == ("sales_rep",)
    assert result.table("account") is None  # renamed, nothing else changed
    lines = result.describe().splitlines()
    assert lines == [
        "App navigation changed",
        'Table "lead" added',
        'Table "customer" renamed to "account"',
        'Table "opportunity": field "customer": config.target "customer" → "account"',
        'Role "sales_rep" permissions changed',
    ]


def test_table_removed_and_constraints(crm: Doc) -> None:
    new = copy.deepcopy(crm)
    opp = table(new, "opportunity")
    opp["indexes"] = [{"fields": ["expected_close_date"]}]
    opp["unique"] = []
    table(new, "customer")["unique"] = [["region", "name"]]

    result = diff(_spec(crm), _spec(new))

    opp_diff = result.table("opportunity")
    assert opp_diff.indexes_added == (IndexSpec(("expected_close_date",)),)
    assert opp_diff.indexes_removed == (IndexSpec(("stage", "expected_close_date")),)
    assert opp_diff.unique_removed == (("customer", "name"),)
    assert result.table("customer").unique_added == (("region", "name"),)
    assert 'Table "opportunity": index (stage, expected_close_date) removed' in result.describe()

    smaller = copy.deepcopy(crm)
    smaller["tables"] = [table(smaller, "customer")]
    del field(smaller, "customer", "open_amount")["config"]["filter"]
    smaller["tables"][0]["fields"].pop()
    smaller["navigation"][0]["tables"] = ["customer"]
    del smaller["roles"][0]["permissions"]["opportunity"]
    assert diff(_spec(crm), _spec(smaller)).tables_removed == ("opportunity", "quote_line")


def test_fingerprint_ignores_key_order() -> None:
    assert fingerprint({"a": 1, "b": [1, 2]}) == fingerprint({"b": [1, 2], "a": 1})
    assert fingerprint({"a": 1}) != fingerprint({"a": 2})
