"""Reference data of the opportunity app: seed files are well-formed, their values are valid
for their fields, references between them resolve, and the defaults match the domain."""

from __future__ import annotations

import json
from typing import Any

import pytest

from examples.opportunity import APP_DIR, SEED_DIR
from examples.opportunity.reference_data import (
    load_seeds,
    positional_ids,
    resolved_row,
    unresolved_references,
)
from form_engine.fields import default_registry
from schemas.spec import FieldSpec

SEEDS = load_seeds()


def _tables() -> dict[str, dict[str, Any]]:
    docs = (json.loads(p.read_text("utf-8")) for p in (APP_DIR / "tables").glob("*.json"))
    return {doc["key"]: doc for doc in docs}


def _rows_of(table: str) -> list[dict[str, Any]]:
    return [dict(row) for row in next(s for s in SEEDS if s.table == table).rows]


def test_seed_files_have_the_documented_shape() -> None:
    assert [s.file for s in SEEDS] == sorted(p.name for p in SEED_DIR.glob("*.json"))
    for path in SEED_DIR.glob("*.json"):
        doc = json.loads(path.read_text("utf-8"))
        assert set(doc) == {"table", "key_field", "rows"}, path.name
        assert doc["rows"], path.name


@pytest.mark.parametrize("seed", SEEDS, ids=lambda s: s.table)
def test_key_field_is_a_unique_field_with_unique_values(seed) -> None:
    field = next(f for f in _tables()[seed.table]["fields"] if f["key"] == seed.key_field)
    assert field.get("unique") and field.get("required")
    keys = seed.keys()
    assert len(keys) == len(set(keys))


def test_references_between_seed_rows_resolve() -> None:
    assert unresolved_references(SEEDS, _tables()) == []


def test_a_broken_reference_is_reported() -> None:
    broken = [s for s in SEEDS if s.table != "product"]
    problems = unresolved_references(broken, _tables())
    assert any("no 'product' seed row with key 'crm_std'" in p for p in problems)


def _check_values(row: dict[str, Any], table: str, tables, registry, where: str) -> list[str]:
    problems = []
    for doc in tables[table]["fields"]:
        if doc["key"] not in row or row[doc["key"]] is None:
            continue
        if doc["type"] == "relation":
            continue  # holds the target's key-field value, not an id
        if doc["type"] == "child_table":
            for index, child in enumerate(row[doc["key"]]):
                problems += _check_values(
                    child,
                    doc["config"]["table"],
                    tables,
                    registry,
                    f"{where}.{doc['key']}[{index}]",
                )
            continue
        spec = FieldSpec.from_dict(doc)
        field_type = registry.for_field(spec)
        assert not field_type.computed, f"{where}: computed field {doc['key']} in a seed"
        value = field_type.parse(row[doc["key"]], spec)
        problems += [f"{where}.{doc['key']}: {e}" for e in field_type.validate(value, spec)]
    return problems


@pytest.mark.parametrize("seed", SEEDS, ids=lambda s: s.table)
def test_seed_values_are_valid_for_their_fields(seed) -> None:
    tables, registry = _tables(), default_registry()
    problems = []
    for index, row in enumerate(seed.rows):
        problems += _check_values(dict(row), seed.table, tables, registry, f"rows[{index}]")
    assert problems == []


def test_default_stages_follow_the_domain_reference() -> None:
    stages = sorted(_rows_of("pipeline_stage"), key=lambda r: r["sequence"])
    assert [(s["code"], s["probability"], s["stage_type"]) for s in stages] == [
        ("initial_contact", 10, "open"),
        ("qualification", 20, "open"),
        ("solution_demo", 40, "open"),
        ("proposal", 60, "open"),
        ("negotiation", 80, "open"),
        ("won", 100, "won"),
        ("lost", 0, "lost"),
        ("invalid", 0, "invalid"),
    ]
    assert [s["forecast_category"] for s in stages] == [
        "pipeline",
        "pipeline",
        "pipeline",
        "best_case",
        "commit",
        "closed",
        "omitted",
        "omitted",
    ]
    assert [s["sla_days"] for s in stages[:5]] == [3, 7, 14, 14, 14]


def test_lost_reasons_and_contact_roles_cover_the_defaults() -> None:
    reasons = {r["name"] for r in _rows_of("lost_reason")}
    assert {"价格过高", "输给竞争对手", "功能/需求不满足", "预算取消/不足", "客户失联"} <= reasons
    roles = {r["code"] for r in _rows_of("contact_role")}
    assert {
        "decision_maker",
        "technical_contact",
        "end_user",
        "finance",
        "procurement",
        "evaluator",
        "influencer",
        "executive_sponsor",
        "other",
    } <= roles


def test_products_cost_less_than_their_price() -> None:
    for product in _rows_of("product"):
        assert float(product["cost"]) < float(product["list_price"]), product["code"]


def test_resolved_row_swaps_keys_for_ids_in_child_rows() -> None:
    tables, ids = _tables(), positional_ids(SEEDS)
    standard = _rows_of("price_list")[0]
    resolved = resolved_row(standard, "price_list", tables, ids)
    assert resolved["items"][0]["product"] == ids["product"][standard["items"][0]["product"]]
    assert standard["items"][0]["product"] == "crm_std"  # the seed row is left untouched
    with pytest.raises(KeyError, match="no id for 'product' row 'nope'"):
        resolved_row({"items": [{"product": "nope"}]}, "price_list", tables, ids)
