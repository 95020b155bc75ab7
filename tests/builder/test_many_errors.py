"""A definition with many mistakes reports all of them at once, each in its own file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from builder.model import load_app
from tests.builder.conftest import CRM_FOLDER


def _edit(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    doc = json.loads(path.read_text("utf-8"))
    change(doc)
    path.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")


def test_every_problem_is_reported_with_its_file(tmp_path: Path) -> None:
    root = shutil.copytree(CRM_FOLDER, tmp_path / "crm")

    def app(doc):  # type: ignore[no-untyped-def]
        doc["key"] = "C"
        doc["roles"][0]["permissions"]["opportunity"]["actions"].append("fly")

    def opportunity(doc):  # type: ignore[no-untyped-def]
        doc["fields"][6]["type"] = "moneyy"
        doc["fields"][1]["requried"] = True
        doc["fields"][2]["config"]["target"] = "custmer"
        doc["title_field"] = "nmae"
        doc["form"]["tabs"][0]["sections"][1]["fields"].append("name")

    def customer(doc):  # type: ignore[no-untyped-def]
        doc["fields"].append({"key": "created_at", "type": "date"})
        doc["fields"][1]["visible_when"] = {"field": "name", "op": "gt", "value": 1, "extra": True}

    _edit(root / "app.json", app)
    _edit(root / "tables" / "opportunity.json", opportunity)
    _edit(root / "tables" / "customer.json", customer)

    result = load_app(root)

    assert result.spec is None
    where = [(p.file, p.path) for p in result.problems]
    assert where == [
        ("app.json", "key"),
        ("app.json", "roles[0].permissions.opportunity.actions[4]"),
        ("tables/customer.json", "fields[1].visible_when.extra"),
        ("tables/customer.json", "fields[3].key"),
        ("tables/opportunity.json", "fields[1].requried"),
        ("tables/opportunity.json", "fields[6].type"),
        ("tables/opportunity.json", "title_field"),
        ("tables/opportunity.json", "fields[2].config.target"),
        ("tables/opportunity.json", "form.tabs[0].sections[1].fields[5]"),
    ]
    suggestions = {p.path: p.suggestion for p in result.problems if p.suggestion}
    assert suggestions == {
        "fields[1].requried": "required",
        "fields[6].type": "money",
        "title_field": "name",
        "fields[2].config.target": "customer",
    }
    assert all(p.message for p in result.problems)
    assert all(p.render("zh-CN") != str(p) for p in result.problems if p.code != "text")
