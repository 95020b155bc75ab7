"""``kairos import`` / ``kairos export`` (runtime._cli_transfer)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import click
from click.testing import CliRunner
from openpyxl import load_workbook

from runtime._cli_transfer import export_command, import_command
from runtime.records import Actor, RecordService
from runtime.transfer.templates import save_template
from tests.runtime.transfer.sheets import messy_customers, xlsx


@click.group()
def kairos() -> None:
    """The two commands as ``runtime.cli.main`` registers them."""


kairos.add_command(import_command)
kairos.add_command(export_command)


def test_import_skip_bad_rows_dry_run_and_template(
    svc: RecordService, sample: str, tmp_path: Path
) -> None:
    runner = CliRunner()
    path = messy_customers(tmp_path / "c.xlsx")
    base = ["import", str(path), "--table", "customer", "--database", sample, "--locale", "zh-CN"]
    before = svc.count(Actor.system(), "customer")
    dry = runner.invoke(kairos, [*base, "--dry-run", "--skip-bad-rows"])
    assert dry.exit_code == 1 and "（试运行，未写入）" in dry.output
    assert svc.count(Actor.system(), "customer") == before
    atomic = runner.invoke(kairos, base)
    assert atomic.exit_code == 1 and "有错误，未写入任何数据" in atomic.output
    errors = tmp_path / "errors.xlsx"
    result = runner.invoke(kairos, [*base, "--skip-bad-rows", "--errors-out", str(errors)])
    assert result.exit_code == 1, result.output
    assert "4 条记录：新建 2，更新 0，失败 2" in result.output
    assert "行业：找不到“不存在的行业”" in result.output
    rows = list(load_workbook(errors, read_only=True).active.iter_rows(values_only=True))
    assert rows[0][-1] == "错误" and len(rows) == 3
    assert svc.count(Actor.system(), "customer") == before + 2

    odd = xlsx(tmp_path / "odd.xlsx", [["公司", "大区"], ["导入测试模板", "华东"]])
    save_template(svc.engine, "opportunity", "customer", "月报", {"公司": "name", "大区": "region"})
    used = runner.invoke(
        kairos, ["import", str(odd), "--table", "customer", "--template", "月报",
                 "--database", sample, "--as", "lin.feng"],
    )  # fmt: skip
    assert used.exit_code == 0, used.output
    assert "1 records: 1 created" in used.output
    missing = runner.invoke(
        kairos, ["import", str(odd), "--table", "customer", "--template", "无",
                 "--database", sample],
    )  # fmt: skip
    assert missing.exit_code == 1 and 'No import template named "无"' in missing.output


def test_export_csv_to_stdout_and_xlsx_file(sample: str, tmp_path: Path) -> None:
    runner = CliRunner()
    where = '{"field": "region", "op": "eq", "value": "east"}'
    out = runner.invoke(
        kairos, ["export", "--table", "customer", "--fields", "name,region", "--where", where,
                 "--database", sample, "--locale", "zh-CN"],
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    rows = list(csv.reader(io.StringIO(out.stdout.lstrip("\ufeff"))))
    assert rows[0] == ["客户名称", "销售大区"] and {r[1] for r in rows[1:]} == {"华东"}
    target = tmp_path / "o.xlsx"
    saved = runner.invoke(
        kairos, ["export", "--table", "opportunity", "--format", "xlsx", "--out", str(target),
                 "--database", sample, "--as", "sun.ming"],
    )  # fmt: skip
    assert saved.exit_code == 0, saved.output
    assert len(list(load_workbook(target, read_only=True).active.iter_rows())) > 1
    refused = runner.invoke(
        kairos, ["export", "--table", "opportunity", "--database", sample, "--as", "zhang.wei"]
    )
    assert refused.exit_code == 1 and "not allowed to export" in refused.output


def test_import_on_a_database_older_than_the_duplicate_index(
    svc: RecordService, sample: str, tmp_path: Path
) -> None:
    """An upgraded database meets ``kairos import`` before the web app: the index tables
    are created, the index is built from the stored customers, duplicates are still found."""
    import sqlalchemy as sa

    with svc.engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE kairos_dedupe_term"))
        conn.execute(sa.text("DROP TABLE kairos_dedupe_slot"))
    stored = svc.query(Actor.system(), "customer", fields=["name"], limit=1).rows[0]["name"]
    path = xlsx(tmp_path / "again.xlsx", [["客户名称", "销售大区"], [stored, "华东"]])
    result = CliRunner().invoke(
        kairos,
        ["import", str(path), "--table", "customer", "--database", sample, "--locale", "zh-CN"],
    )
    assert result.exit_code == 0, result.output
    assert "新建 1" in result.output, result.output
    assert "已导入，但可能与已有记录重复：1 条" in result.output
    tables = sa.inspect(svc.engine).get_table_names()
    assert "kairos_dedupe_term" in tables and "kairos_dedupe_slot" in tables
    with svc.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM kairos_dedupe_term")).scalar_one() > 0
