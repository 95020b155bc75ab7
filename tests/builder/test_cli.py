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


def test_condition_and_field_config_problems_in_chinese(tmp_path: Path) -> None:
    doc = json.loads(CRM_SINGLE.read_text("utf-8"))
    opportunity = doc["tables"][1]
    fields = {f["key"]: f for f in opportunity["fields"]}
    opportunity["rules"][0]["when"] = {
        "all": [
            {"field": "amout", "op": "gt", "value": 0},
            {"field": "stage", "op": "gt", "value": "won"},
            {"field": "amount", "op": "gt", "value": "lots"},
        ]
    }
    fields["probability"]["config"] = {"min": 100, "max": 0}
    fields["stage"]["config"]["options"].append({"key": "won", "label": "赢了"})
    fields["code"]["config"] = {"pattern": "OPP-{NAME}-{seq:5}"}
    path = tmp_path / "crm.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")

    result = CliRunner().invoke(app_group, ["validate", "--locale", "zh-CN", str(path)])

    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "crm.json: tables[1].fields[0].config: {NAME} 不是可用的占位符，"
        "可用：{YYYY} {YY} {MM} {DD} {seq} {seq:N}",
        "crm.json: tables[1].fields[4].config: 选项键“won”重复",
        "crm.json: tables[1].fields[8].config: 最小值 min（100）不能大于最大值 max（0）",
        "crm.json: tables[1].rules[0].when.all[0].field: 字段“amout”不存在，你是不是想用“amount”？",
        "crm.json: tables[1].rules[0].when.all[1].op: 字段“stage”（单选）不能用运算符“gt”，"
        "可用：changed、changed_from、changed_to、eq、in、is_empty、is_not_empty、ne、not_in",
        "crm.json: tables[1].rules[0].when.all[2].value: 数字字段的值不正确："
        '应为数字或数字文本（如 "12.50"），实际为“lots”',
        "Error: 发现 6 个问题",
    ]
