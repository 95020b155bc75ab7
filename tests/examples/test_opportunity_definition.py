"""The opportunity app definition: well-formed files, complete labels, sound references,
the expected roles, and a clean load through the definition validator."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from builder.model import load_app
from examples.opportunity import APP_DIR

TABLE_FILES = sorted((APP_DIR / "tables").glob("*.json"))
LABEL_KEYS = {
    "label",
    "name",
    "group",
    "message",
    "help",
    "placeholder",
    "description",
    "pattern_hint",
}
REQUIRED_TABLES = {
    "customer",
    "contact",
    "lead",
    "pipeline_stage",
    "opportunity",
    "opportunity_contact",
    "opportunity_line",
    "product",
    "price_list",
    "price_list_item",
    "follow_up",
    "task",
    "quote",
    "quote_line",
    "contract",
    "payment_plan",
    "stage_history",
    "lost_reason",
    "competitor",
    "win_loss_review",
    "sales_target",
    "contact_role",
    "industry",
}


def _read(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text("utf-8"))


def _tables() -> dict[str, dict[str, Any]]:
    return {doc["key"]: doc for doc in map(_read, TABLE_FILES)}


def _fields(table: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["key"]: f for f in table["fields"]}


def _labels(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every localised text in a document, with where it is."""
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{path}.{key}"
            if key in LABEL_KEYS and isinstance(value, dict):
                yield here, value
            else:
                yield from _labels(value, here)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _labels(item, f"{path}[{index}]")


@pytest.mark.parametrize("path", [APP_DIR / "app.json", *TABLE_FILES], ids=lambda p: p.name)
def test_file_is_json_of_schema_version_1(path: Path) -> None:
    doc = _read(path)
    assert doc["schema_version"] == 1
    if path.parent.name == "tables":
        assert doc["key"] == path.stem


@pytest.mark.parametrize("path", [APP_DIR / "app.json", *TABLE_FILES], ids=lambda p: p.name)
def test_every_label_has_zh_cn_and_en(path: Path) -> None:
    labels = list(_labels(_read(path)))
    assert labels, "a definition file without labels"
    missing = [
        where
        for where, label in labels
        if not (label.get("zh-CN", "").strip() and label.get("en", "").strip())
    ]
    assert missing == []


def test_every_field_has_a_label() -> None:
    unlabelled = [
        f"{t}.{f['key']}" for t, doc in _tables().items() for f in doc["fields"] if "label" not in f
    ]
    assert unlabelled == []


def test_the_whole_domain_is_modelled() -> None:
    assert set(_tables()) >= REQUIRED_TABLES


def test_relations_lookups_and_child_tables_point_at_existing_things() -> None:
    tables = _tables()
    problems = []
    for key, table in tables.items():
        fields = _fields(table)
        for field in table["fields"]:
            config = field.get("config", {})
            if field["type"] == "relation" and config["target"] not in tables:
                problems.append(f"{key}.{field['key']} → {config['target']}")
            if field["type"] == "child_table":
                child = tables.get(config["table"])
                if child is None or child.get("parent") != key:
                    problems.append(f"{key}.{field['key']} child {config['table']}")
            if field["type"] == "lookup":
                relation = fields.get(config["relation"])
                target = tables[relation["config"]["target"]] if relation else None
                if target is None or config["field"] not in _fields(target):
                    problems.append(f"{key}.{field['key']} lookup")
    assert problems == []


def test_navigation_reaches_every_table_but_child_tables() -> None:
    app, tables = _read(APP_DIR / "app.json"), _tables()
    listed = [t for group in app["navigation"] for t in group["tables"]]
    expected = {key for key, table in tables.items() if not table.get("parent")}
    assert sorted(listed) == sorted(expected)


def test_customer_uscc_is_unique_and_pattern_checked() -> None:
    uscc = _fields(_tables()["customer"])["uscc"]
    assert uscc["unique"] is True
    assert uscc["config"]["pattern"].startswith("^") and uscc["config"]["pattern"].endswith("$")


def test_opportunity_requires_a_lost_reason_when_lost() -> None:
    opportunity = _tables()["opportunity"]
    rule = next(r for r in opportunity["rules"] if r["key"] == "lost_needs_reason")
    assert rule["when"] == {"field": "status", "op": "eq", "value": "lost"}
    assert rule["condition"] == {"field": "lost_reason", "op": "is_not_empty"}
    fields = _fields(opportunity)
    assert fields["weighted_amount"]["config"]["expression"] == "amount * probability / 100"
    assert fields["code"]["config"]["pattern"] == "OPP-{YYYY}{MM}-{seq:5}"
    assert fields["stage"]["config"]["target"] == "pipeline_stage"


def test_roles_scope_rows_and_hide_cost_from_sales_reps() -> None:
    roles = {r["key"]: r for r in _read(APP_DIR / "app.json")["roles"]}
    assert set(roles) == {
        "admin",
        "sales_director",
        "sales_manager",
        "sales_rep",
        "readonly_viewer",
    }
    assert roles["sales_director"]["permissions"]["*"]["row_scope"] == "all"
    assert roles["sales_manager"]["permissions"]["opportunity"]["row_scope"] == "department_tree"
    rep = roles["sales_rep"]["permissions"]
    assert rep["opportunity"]["row_scope"] == "own"
    for table in ("product", "opportunity_line", "quote_line"):
        assert rep[table]["fields"]["cost"] == "hidden"
    viewer = roles["readonly_viewer"]["permissions"]
    assert viewer["contact"]["fields"]["mobile"] == "masked"
    assert all(p["actions"] == ["read"] for p in viewer.values())


def test_the_app_loads_without_problems() -> None:
    result = load_app(APP_DIR)
    assert [str(p) for p in result.problems] == []
    assert result.spec is not None
    assert {t.key for t in result.spec.tables} == set(_tables())
