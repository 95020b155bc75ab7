"""``kairos app validate PATH``."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from builder.model.cli import app_group
from tests.builder.conftest import CRM_FOLDER, CRM_SINGLE


def test_valid_definition_exits_0() -> None:
    result = CliRunner().invoke(app_group, ["validate", str(CRM_FOLDER)])
    assert result.exit_code == 0, result.output
    assert result.output == "crm: OK (3 tables)\n"


def test_problems_are_printed_and_exit_1(tmp_path: Path) -> None:
    doc = json.loads(CRM_SINGLE.read_text("utf-8"))
    doc["tables"][0]["title_field"] = "nmae"
    doc["tables"][0]["fields"][0]["type"] = "txet"
    path = tmp_path / "crm.json"
    path.write_text(json.dumps(doc), "utf-8")

    result = CliRunner().invoke(app_group, ["validate", str(path)])

    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith(
        'crm.json: tables[0].fields[0].type: "txet" is not a field type (did you mean "text"?)'
    )
    assert lines[1].startswith('crm.json: tables[0].title_field: table "customer" has no field')
    assert lines[-1] == "Error: 2 problems found"


def test_messages_in_chinese(tmp_path: Path) -> None:
    doc = json.loads(CRM_SINGLE.read_text("utf-8"))
    doc["tables"][0]["title_field"] = "nmae"
    path = tmp_path / "crm.json"
    path.write_text(json.dumps(doc), "utf-8")

    result = CliRunner().invoke(app_group, ["validate", "--locale", "zh-CN", str(path)])

    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        "crm.json: tables[0].title_field: 表“customer”没有字段“nmae”（是否想用“name”？）；"
        "可选：name, open_amount, region"
    )
    assert result.output.splitlines()[-1] == "Error: 发现 1 个问题"
