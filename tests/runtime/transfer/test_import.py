"""Imports through the record service: messy cells, relations, modes, all-or-nothing,
skipped rows with an error file, dry runs, previews, child rows and permissions."""

from __future__ import annotations

import io
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from runtime.records import Actor, PermissionDenied, RecordService
from runtime.transfer import (
    ImportOptions,
    TransferError,
    open_source,
    plan_import,
    preview_import,
    run_import,
)
from tests.runtime.transfer.conftest import count
from tests.runtime.transfer.sheets import messy_customers, xlsx

SYSTEM = Actor.system()
NAMES = {"field": "name", "op": "starts_with", "value": "导入测试"}


def imported(svc: RecordService) -> dict[str, dict]:
    rows = svc.query(SYSTEM, "customer", where=NAMES, limit=100).rows
    return {r["name"]: r for r in rows}


def test_messy_sheet_skipping_bad_rows(svc: RecordService, tmp_path: Path) -> None:
    plan = plan_import(svc, SYSTEM, "customer", open_source(messy_customers(tmp_path / "c.xlsx")))
    assert plan.header.row == 2  # title row and merged group row skipped
    assert set(plan.header.matched.values()) == {
        "name", "region", "established_on", "reg_capital", "industry"
    }  # fmt: skip
    result = run_import(svc, SYSTEM, plan, ImportOptions(all_or_nothing=False, locale="zh-CN"))
    assert (result.total, result.created, result.failed, result.written) == (4, 2, 2, True)
    rows = imported(svc)
    assert set(rows) == {"导入测试甲公司", "导入测试乙公司"}  # spaces trimmed
    first, second = rows["导入测试甲公司"], rows["导入测试乙公司"]
    assert (first["reg_capital"], first["established_on"]) == ("1234.50", "2020-01-02")
    assert first["region"] == "east" and second["region"] == "east"  # label and key
    assert second["reg_capital"] == "1234.00" and second["established_on"] == "2023-07-16"
    assert (
        first["industry"]
        == svc.query(
            SYSTEM, "industry", where={"field": "name", "op": "eq", "value": "制造业"}
        ).rows[0]["id"]
    )
    by_line = {p.lines[0]: dict(p.errors) for p in result.problems}
    assert by_line[6]["industry"] == "行业：找不到“不存在的行业”"
    assert "成立日期应为日期" in by_line[7]["established_on"]
    assert "注册资本应为数字" in by_line[7]["reg_capital"]

    book = load_workbook(io.BytesIO(result.error_file or b""), read_only=True)
    sheet = list(book.active.iter_rows(values_only=True))
    assert sheet[0][-2:] == ("原行号", "错误")
    assert [r[0] for r in sheet[1:]] == ["导入测试丙公司", "导入测试丁公司"]
    assert "找不到“不存在的行业”" in sheet[1][-1] and sheet[2][-2] == 7


def test_all_or_nothing_writes_nothing_and_dry_run_writes_nothing(
    svc: RecordService, tmp_path: Path
) -> None:
    before = count(svc, "customer")
    plan = plan_import(svc, SYSTEM, "customer", open_source(messy_customers(tmp_path / "c.xlsx")))
    result = run_import(svc, SYSTEM, plan, ImportOptions(locale="en"))
    assert (result.created, result.failed, result.written) == (0, 2, False)
    assert count(svc, "customer") == before
    assert dict(result.problems[0].errors)["industry"] == 'Industry: no record "不存在的行业" found'

    good = xlsx(tmp_path / "g.xlsx", [["客户名称", "销售大区"], ["导入测试戊", "华东"]])
    plan = plan_import(svc, SYSTEM, "customer", open_source(good))
    dry = run_import(svc, SYSTEM, plan, ImportOptions(dry_run=True))
    assert (dry.created, dry.failed, dry.written) == (1, 0, False)
    assert count(svc, "customer") == before
    done = run_import(svc, SYSTEM, plan, ImportOptions())
    assert (done.created, done.written) == (1, True)
    assert count(svc, "customer") == before + 1


def test_preview_shows_stored_values_and_errors_per_field(
    svc: RecordService, tmp_path: Path
) -> None:
    before = count(svc, "customer")
    plan = plan_import(svc, SYSTEM, "customer", open_source(messy_customers(tmp_path / "c.xlsx")))
    rows = preview_import(svc, SYSTEM, plan, ImportOptions(locale="zh-CN"), rows=3)
    assert [r["lines"] for r in rows] == [[4], [5], [6]]
    assert rows[0]["values"]["reg_capital"] == "1234.50" and not rows[0]["errors"]
    assert rows[2]["errors"] == {"industry": ["行业：找不到“不存在的行业”"]}
    assert rows[2]["cells"]["industry"] == "不存在的行业"
    assert count(svc, "customer") == before


def test_update_and_upsert_by_key(svc: RecordService, tmp_path: Path) -> None:
    product = svc.query(SYSTEM, "product", fields=["code", "name"], limit=1).rows[0]
    sheet = xlsx(
        tmp_path / "p.xlsx",
        [
            ["产品编码", "产品名称", "产品类别", "单位", "标准价", "成本价", "启用"],
            [product["code"], "改名后的产品", "hardware", "台", "¥9,999", "100", "否"],
            ["new_code_1", "新产品", "hardware", "个", "10", "5", "是"],
            ["new_code_1", "重复的新产品", "hardware", "个", "10", "5", "是"],
        ],
    )
    plan = plan_import(svc, SYSTEM, "product", open_source(sheet))
    update = run_import(
        svc, SYSTEM, plan,
        ImportOptions(mode="update", key=("code",), all_or_nothing=False, locale="en"),
    )  # fmt: skip
    assert (update.updated, update.created, update.failed) == (1, 0, 2)
    assert "No record with Product code" in update.problems[0].errors[0][1]
    changed = svc.get(SYSTEM, "product", product["id"])
    assert (changed["name"], changed["list_price"], changed["active"]) == (
        "改名后的产品", "9999.00", False
    )  # fmt: skip
    upsert = run_import(
        svc, SYSTEM, plan,
        ImportOptions(mode="upsert", key=("code",), all_or_nothing=False, locale="en"),
    )  # fmt: skip
    assert (upsert.updated, upsert.created, upsert.failed) == (1, 1, 1)
    assert "appears more than once" in upsert.problems[0].errors[0][1]
    with pytest.raises(TransferError) as error:
        run_import(svc, SYSTEM, plan, ImportOptions(mode="update"))
    assert "key field" in error.value.message("en")


def test_child_rows_and_relations_by_name_and_code(svc: RecordService, tmp_path: Path) -> None:
    customer = svc.query(SYSTEM, "customer", fields=["name"], limit=1).rows[0]["name"]
    stage = svc.query(SYSTEM, "pipeline_stage", fields=["name"], limit=1).rows[0]["name"]
    products = svc.query(SYSTEM, "product", fields=["code", "name"], limit=2).rows
    sheet = xlsx(
        tmp_path / "o.xlsx",
        [
            ["商机名称", "客户", "销售阶段", "预计金额", "币种", "赢单率", "预计成交日期",
             "产品明细.产品", "产品明细.数量", "产品明细.成交单价"],
            ["导入商机一", customer, stage, "12万", "CNY", "30%", "2026-12-31",
             products[0]["name"], 2, "¥100"],
            [None, None, None, None, None, None, None, products[1]["code"], "３", 50],
            ["导入商机二", customer, stage, 1000, "CNY", 10, 46387, products[0]["code"], 1, 1],
        ],
    )  # fmt: skip
    plan = plan_import(svc, SYSTEM, "opportunity", open_source(sheet))
    assert plan.header.matched[7] == "lines.product"
    result = run_import(svc, SYSTEM, plan, ImportOptions(locale="zh-CN"))
    assert (result.created, result.failed) == (2, 0), result.problems
    rows = svc.query(
        SYSTEM, "opportunity", where={"field": "name", "op": "starts_with", "value": "导入商机"},
        fields=["name", "amount", "lines"], order_by=[("name", "asc")],
    ).rows  # fmt: skip
    assert [len(r["lines"]) for r in rows] == [2, 1]
    assert rows[0]["amount"] == "120000.00"
    assert [line["product"] for line in rows[0]["lines"]] == [p["id"] for p in products]
    assert Decimal(rows[0]["lines"][1]["quantity"]) == 3


def test_import_needs_the_import_right_and_writes_on_the_import_channel(
    svc: RecordService, tmp_path: Path, actor_of: Callable[[str], Actor], engine: sa.Engine
) -> None:
    sheet = xlsx(tmp_path / "c.xlsx", [["客户名称", "销售大区"], ["导入测试权限", "华东"]])
    with pytest.raises(PermissionDenied):
        plan_import(svc, actor_of("zhang.wei"), "customer", open_source(sheet))
    manager = actor_of("lin.feng")
    plan = plan_import(svc, manager, "customer", open_source(sheet))
    assert run_import(svc, manager, plan, ImportOptions()).created == 1
    record = imported(svc)["导入测试权限"]
    assert [e.channel for e in svc.history(SYSTEM, "customer", record["id"])] == ["import"]


def test_update_by_id_without_a_key_option(svc: RecordService, tmp_path: Path) -> None:
    customer = svc.query(SYSTEM, "customer", fields=["name"], limit=1).rows[0]
    sheet = xlsx(
        tmp_path / "id.xlsx", [["编号", "备注"], [customer["id"], "按编号更新"], [999999, "x"]]
    )
    plan = plan_import(svc, SYSTEM, "customer", open_source(sheet))
    result = run_import(
        svc, SYSTEM, plan, ImportOptions(mode="update", all_or_nothing=False, locale="zh-CN")
    )
    assert (result.updated, result.failed) == (1, 1)
    assert result.problems[0].errors == [("id", "没有编号为“999999”的记录")]
    assert svc.get(SYSTEM, "customer", customer["id"])["notes"] == "按编号更新"


def test_rows_a_warn_rule_flags_are_imported_and_reported(
    svc: RecordService, tmp_path: Path
) -> None:
    existing = svc.query(SYSTEM, "customer", fields=["name"], limit=1).rows[0]
    sheet = xlsx(
        tmp_path / "dupes.xlsx",
        [
            ["客户名称", "销售大区"],
            ["导入测试全新客户", "华东"],
            [existing["name"] + "（中国）", "华东"],
            ["导入测试全新客户", "华北"],  # an earlier row of the same import
        ],
    )
    plan = plan_import(svc, SYSTEM, "customer", open_source(sheet))
    result = run_import(svc, SYSTEM, plan, ImportOptions(all_or_nothing=False, locale="en"))
    assert (result.created, result.failed, result.possible_duplicates) == (3, 0, 2)
    first, second = result.duplicates
    assert first.lines == [3] and first.title == existing["name"] + "（中国）"
    assert [m["id"] for m in first.warnings[0]["matches"]] == [existing["id"]]
    assert first.warnings[0]["message"].startswith("Similar customer name")
    assert second.lines == [4] and second.warnings[0]["matches"][0]["id"] is None
    summary = result.as_dict()
    assert summary["possible_duplicates"] == 2 and len(summary["duplicates"]) == 2
