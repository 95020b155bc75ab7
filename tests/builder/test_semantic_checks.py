"""Each semantic check: a broken fixture and the exact message the analyst reads."""

from __future__ import annotations

from typing import Any

from tests.builder.conftest import field, problems, table

Doc = dict[str, Any]
OPP_FIELDS = (
    "amount, code, cost, customer, customer_region, expected_close_date, lines, lost_reason, "
    "name, probability, quoted_total, stage, weighted_amount"
)
TABLES = "customer, opportunity, quote_line"


def test_valid_fixture_has_no_problems(crm: Doc) -> None:
    assert problems(crm) == []


def test_duplicate_table_key(crm: Doc) -> None:
    crm["tables"].append({**table(crm, "customer")})
    assert problems(crm) == [
        'app.json: tables[3].key: duplicate table "customer" (first at tables[0].key)'
    ]


def test_duplicate_field_key(crm: Doc) -> None:
    table(crm, "customer")["fields"].append({"key": "name", "type": "text"})
    assert problems(crm) == [
        'app.json: tables[0].fields[3].key: duplicate field "name" '
        "(first at tables[0].fields[0].key)"
    ]


def test_duplicate_role_and_rule_keys(crm: Doc) -> None:
    crm["roles"].append({"key": "sales_rep", "label": {"en": "Again"}})
    opp = table(crm, "opportunity")
    opp["rules"].append({**opp["rules"][0]})
    assert problems(crm) == [
        'app.json: roles[1].key: duplicate role "sales_rep" (first at roles[0].key)',
        'app.json: tables[1].rules[1].key: duplicate rule "lost_needs_reason" '
        "(first at tables[1].rules[0].key)",
    ]


def test_reserved_field_key(crm: Doc) -> None:
    table(crm, "customer")["fields"].append({"key": "owner_id", "type": "user"})
    assert problems(crm) == [
        'app.json: tables[0].fields[3].key: "owner_id" is a system column and cannot be used '
        "as a field key; allowed: any other key; reserved: created_at, created_by, deleted_at, "
        "id, owner_id, parent_id, row_order, row_version, updated_at, updated_by"
    ]


def test_title_field_must_exist(crm: Doc) -> None:
    table(crm, "opportunity")["title_field"] = "nmae"
    assert problems(crm) == [
        'app.json: tables[1].title_field: table "opportunity" has no field "nmae" '
        f'(did you mean "name"?); allowed: {OPP_FIELDS}'
    ]


def test_relation_target_must_exist(crm: Doc) -> None:
    field(crm, "opportunity", "customer")["config"]["target"] = "custmer"
    assert problems(crm) == [
        'app.json: tables[1].fields[2].config.target: there is no table "custmer" '
        f'(did you mean "customer"?); allowed: {TABLES}'
    ]


def test_child_table_must_exist(crm: Doc) -> None:
    field(crm, "opportunity", "lines")["config"]["table"] = "quote_lines"
    found = problems(crm)
    assert found[0] == (
        'app.json: tables[1].fields[11].config.table: there is no table "quote_lines" '
        f'(did you mean "quote_line"?); allowed: {TABLES}'
    )
    assert found[1] == (
        'app.json: tables[2].parent: child table "quote_line" is not used by any child_table '
        'field of "opportunity"'
    )


def test_child_table_parent_must_be_this_table(crm: Doc) -> None:
    table(crm, "quote_line")["parent"] = "customer"
    assert problems(crm)[:2] == [
        'app.json: tables[1].fields[11].config.table: table "quote_line" is not a child table '
        'of "opportunity" (its parent is "customer")',
        'app.json: tables[2].parent: child table "quote_line" is not used by any child_table '
        'field of "customer"',
    ]


def test_parent_cannot_be_self_or_missing(crm: Doc) -> None:
    table(crm, "customer")["parent"] = "customer"
    table(crm, "quote_line")["parent"] = "oportunity"
    found = problems(crm)
    assert "app.json: tables[0].parent: a table cannot be its own parent" in found
    assert (
        'app.json: tables[2].parent: there is no table "oportunity" (did you mean '
        f'"opportunity"?); allowed: {TABLES}'
    ) in found


def test_lookup_relation_must_be_a_relation_field(crm: Doc) -> None:
    field(crm, "opportunity", "customer_region")["config"]["relation"] = "stage"
    assert problems(crm) == [
        'app.json: tables[1].fields[3].config.relation: field "stage" is of type single_select; '
        "expected a field of type relation; allowed: customer"
    ]


def test_lookup_field_must_exist_in_target(crm: Doc) -> None:
    field(crm, "opportunity", "customer_region")["config"]["field"] = "regoin"
    assert problems(crm) == [
        'app.json: tables[1].fields[3].config.field: table "customer" has no field "regoin" '
        '(did you mean "region"?); allowed: name, open_amount, region'
    ]


def test_rollup_child_and_field_must_exist(crm: Doc) -> None:
    field(crm, "opportunity", "quoted_total")["config"]["field"] = "subtotl"
    assert problems(crm) == [
        'app.json: tables[1].fields[12].config.field: table "quote_line" has no field '
        '"subtotl" (did you mean "subtotal"?); allowed: product, quantity, subtotal, unit_price'
    ]
    field(crm, "opportunity", "quoted_total")["config"]["child"] = "customer"
    assert problems(crm) == [
        'app.json: tables[1].fields[12].config.child: field "customer" is of type relation; '
        "expected a field of type child_table; allowed: lines"
    ]


def test_rollup_back_link_must_be_a_relation_pointing_here(crm: Doc) -> None:
    field(crm, "customer", "open_amount")["config"]["via"] = "name"
    assert problems(crm) == [
        'app.json: tables[0].fields[2].config.via: field "name" is of type text; expected a '
        "field of type relation; allowed: customer"
    ]
    table(crm, "opportunity")["fields"].append(
        {"key": "partner", "type": "relation", "config": {"target": "opportunity"}}
    )
    field(crm, "customer", "open_amount")["config"]["via"] = "partner"
    assert problems(crm) == [
        'app.json: tables[0].fields[2].config.via: relation "partner" of table "opportunity" '
        'does not point at "customer"'
    ]


def test_indexes_unique_search_and_sort_fields_must_exist(crm: Doc) -> None:
    opp = table(crm, "opportunity")
    opp["indexes"] = [{"fields": ["stage", "closing_date"]}]
    opp["unique"] = [["customer", "nam"]]
    opp["search_fields"] = ["titel"]
    opp["default_sort"] = [{"field": "updatd_at", "direction": "desc"}]
    found = problems(crm)
    assert [p.split(":")[1].strip() for p in found] == [
        "tables[1].indexes[0].fields[1]",
        "tables[1].unique[0][1]",
        "tables[1].search_fields[0]",
        "tables[1].default_sort[0].field",
    ]
    assert found[1].startswith(
        'app.json: tables[1].unique[0][1]: table "opportunity" has no field "nam" '
        '(did you mean "name"?); allowed: amount, code, cost, created_at, created_by, '
    )
    assert '"updatd_at" (did you mean "updated_at"?)' in found[3]


def test_system_columns_may_be_indexed_and_sorted(crm: Doc) -> None:
    table(crm, "quote_line")["indexes"] = [{"fields": ["parent_id", "row_order"]}]
    table(crm, "customer")["default_sort"] = [{"field": "created_at"}]
    assert problems(crm) == []


def test_renamed_from_must_be_sane(crm: Doc) -> None:
    field(crm, "customer", "name")["renamed_from"] = "name"
    field(crm, "customer", "region")["renamed_from"] = "open_amount"
    table(crm, "customer")["renamed_from"] = "opportunity"
    assert problems(crm) == [
        'app.json: tables[0].renamed_from: "opportunity" is still the key of another table, so '
        "this cannot be renamed from it",
        "app.json: tables[0].fields[0].renamed_from: renamed_from must name the previous key, "
        "not the current one",
        'app.json: tables[0].fields[1].renamed_from: "open_amount" is still the key of another '
        "field, so this cannot be renamed from it",
    ]


def test_form_fields_exist_and_are_placed_once(crm: Doc) -> None:
    sections = table(crm, "opportunity")["form"]["tabs"][0]["sections"]
    sections[1]["fields"] += ["name", "amout"]
    sections[1]["key"] = "basics"
    found = problems(crm)
    assert found == [
        'app.json: tables[1].form.tabs[0].sections[1].key: duplicate section "basics" '
        "(first at tables[1].form.tabs[0].sections[0].key)",
        'app.json: tables[1].form.tabs[0].sections[1].fields[5]: field "name" is placed twice '
        "in the form (first at tables[1].form.tabs[0].sections[0].fields[1])",
        'app.json: tables[1].form.tabs[0].sections[1].fields[6]: table "opportunity" has no '
        f'field "amout" (did you mean "amount"?); allowed: {OPP_FIELDS}',
    ]


def test_role_tables_and_fields_must_exist(crm: Doc) -> None:
    permissions = crm["roles"][0]["permissions"]
    permissions["opportunity"]["fields"]["costs"] = "hidden"
    permissions["oportunity"] = {"actions": ["read"]}
    permissions["*"]["fields"] = {"name": "read"}
    assert problems(crm) == [
        'app.json: roles[0].permissions.opportunity.fields.costs: table "opportunity" has no '
        f'field "costs" (did you mean "cost"?); allowed: {OPP_FIELDS}',
        'app.json: roles[0].permissions["*"].fields: field access needs a specific table; "*" '
        "applies to tables with different fields",
        'app.json: roles[0].permissions.oportunity: there is no table "oportunity" (did you '
        f'mean "opportunity"?); allowed: {TABLES}',
    ]


def test_navigation_tables_must_exist(crm: Doc) -> None:
    crm["navigation"][0]["tables"].append("quotes")
    assert problems(crm) == [
        'app.json: navigation[0].tables[2]: there is no table "quotes"; allowed: ' + TABLES
    ]
