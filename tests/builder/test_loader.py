"""Reading definitions: folder and single file, JSON syntax errors, file attribution."""

from __future__ import annotations

import json
from pathlib import Path

from builder.model import load_app, load_definition
from tests.builder.conftest import CRM_FOLDER, CRM_SINGLE


def _copy_folder(src: Path, dst: Path) -> Path:
    for file in src.rglob("*.json"):
        target = dst / file.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(file.read_text("utf-8"), "utf-8")
    return dst


def test_folder_and_single_file_give_equal_specs() -> None:
    folder, single = load_app(CRM_FOLDER), load_app(CRM_SINGLE)
    assert folder.problems == []
    assert single.problems == []
    assert folder.spec is not None
    assert folder.spec == single.spec
    assert [t.key for t in folder.spec.tables] == ["customer", "opportunity", "quote_line"]


def test_each_table_remembers_its_file() -> None:
    raw = load_definition(CRM_FOLDER)
    assert raw.main_file == "app.json"
    assert raw.table_files == [
        "tables/customer.json",
        "tables/opportunity.json",
        "tables/quote_line.json",
    ]
    assert raw.locate(("tables", 1, "fields", 3, "type")) == (
        "tables/opportunity.json",
        ("fields", 3, "type"),
    )
    assert raw.locate(("roles", 0, "key")) == ("app.json", ("roles", 0, "key"))


def test_problem_names_table_file_and_path_inside_it(tmp_path: Path) -> None:
    root = _copy_folder(CRM_FOLDER, tmp_path / "crm")
    path = root / "tables" / "opportunity.json"
    doc = json.loads(path.read_text("utf-8"))
    doc["fields"][6]["type"] = "moneyy"
    path.write_text(json.dumps(doc), "utf-8")

    problems = load_app(root).problems

    assert len(problems) == 1
    problem = problems[0]
    assert (problem.file, problem.path, problem.suggestion) == (
        "tables/opportunity.json",
        "fields[6].type",
        "money",
    )
    assert str(problem).startswith(
        'tables/opportunity.json: fields[6].type: "moneyy" is not a field type '
        '(did you mean "money"?); allowed: '
    )
    assert "long_text, lookup, money, multi_select" in str(problem)


def test_json_syntax_error_has_file_line_and_column(tmp_path: Path) -> None:
    root = _copy_folder(CRM_FOLDER, tmp_path / "crm")
    (root / "tables" / "customer.json").write_text('{\n  "key": "customer",\n  "label" {}\n}')

    result = load_app(root)

    assert result.spec is None
    assert str(result.problems[0]) == (
        "tables/customer.json:3:11: invalid JSON: Expecting ':' delimiter"
    )


def test_broken_app_json_reports_only_the_syntax_error(tmp_path: Path) -> None:
    bad = tmp_path / "app.json"
    bad.write_text('{"key": "x",}')
    assert [str(p) for p in load_app(bad).problems] == [
        "app.json:1:13: invalid JSON: Expecting property name enclosed in double quotes"
    ]


def test_file_name_must_match_table_key(tmp_path: Path) -> None:
    root = _copy_folder(CRM_FOLDER, tmp_path / "crm")
    (root / "tables" / "customer.json").rename(root / "tables" / "client.json")
    messages = [str(p) for p in load_app(root).problems]
    assert messages == [
        'tables/client.json: key: the file name does not match the table key "customer"; '
        "allowed: customer.json"
    ]


def test_document_must_be_an_object(tmp_path: Path) -> None:
    bad = tmp_path / "app.json"
    bad.write_text("[1, 2]")
    assert [str(p) for p in load_app(bad).problems] == [
        "app.json: the document must be a JSON object"
    ]


def test_missing_path_is_reported(tmp_path: Path) -> None:
    result = load_app(tmp_path / "nothing")
    assert [str(p) for p in result.problems] == [
        "nothing: no app definition here: expected a folder with app.json or a .json file"
    ]


def test_each_table_file_needs_its_schema_version(tmp_path: Path) -> None:
    root = _copy_folder(CRM_FOLDER, tmp_path / "crm")
    path = root / "tables" / "quote_line.json"
    doc = json.loads(path.read_text("utf-8"))
    del doc["schema_version"]
    path.write_text(json.dumps(doc), "utf-8")

    problems = load_app(root).problems

    assert [str(p) for p in problems] == [
        "tables/quote_line.json: schema_version: schema_version is missing"
    ]


def test_problem_as_dict_carries_both_locales(tmp_path: Path) -> None:
    doc = json.loads(CRM_SINGLE.read_text("utf-8"))
    doc["tables"][0]["title_field"] = "nmae"
    path = tmp_path / "crm.json"
    path.write_text(json.dumps(doc), "utf-8")

    [problem] = load_app(path).problems

    assert problem.as_dict() == {
        "file": "crm.json",
        "path": "tables[0].title_field",
        "line": None,
        "column": None,
        "message": 'table "customer" has no field "nmae"',
        "messages": {
            "zh-CN": "表“customer”没有字段“nmae”",
            "en": 'table "customer" has no field "nmae"',
        },
        "allowed": "name, open_amount, region",
        "suggestion": "name",
    }
