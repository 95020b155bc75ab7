"""``kairos app publish`` and ``versions`` as an operator runs them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import sqlalchemy as sa
from click.testing import CliRunner

from runtime._cli_common import SAMPLE_APP
from runtime.cli import main


def test_dry_run_prints_the_plan_and_changes_nothing(database_url: str, engine: sa.Engine) -> None:
    result = CliRunner().invoke(
        main, ["app", "publish", str(SAMPLE_APP), "--dry-run", "--database", database_url]
    )
    assert result.exit_code == 0, result.output
    assert 'Create table "opportunity"' in result.output
    assert "would create version 1" in result.output
    assert "opportunity__opportunity" not in sa.inspect(engine).get_table_names()


def test_publish_creates_tables_then_is_a_no_op(database_url: str, engine: sa.Engine) -> None:
    runner = CliRunner()
    first = runner.invoke(main, ["app", "publish", str(SAMPLE_APP), "--database", database_url])
    assert first.exit_code == 0, first.output
    assert "published version 1" in first.output
    assert "opportunity__opportunity" in sa.inspect(engine).get_table_names()
    again = runner.invoke(main, ["app", "publish", str(SAMPLE_APP), "--database", database_url])
    assert "identical to version 1" in again.output
    versions = runner.invoke(main, ["app", "versions", "opportunity", "--database", database_url])
    assert versions.output.startswith("v1 ")


def test_a_broken_definition_is_not_published(
    database_url: str, engine: sa.Engine, tmp_path: Path
) -> None:
    broken = tmp_path / "app"
    shutil.copytree(SAMPLE_APP, broken)
    table_file = broken / "tables" / "opportunity.json"
    table = json.loads(table_file.read_text(encoding="utf-8"))
    table["fields"][0]["type"] = "textt"
    table_file.write_text(json.dumps(table, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(
        main, ["app", "publish", str(broken), "--database", database_url, "--locale", "zh-CN"]
    )
    assert result.exit_code == 1
    assert 'did you mean "text"' in result.output or "text" in result.output
    assert "未发布" in result.output
    assert sa.inspect(engine).get_table_names() == []


def test_versions_of_an_unpublished_app_is_a_clear_error(database_url: str) -> None:
    runner = CliRunner()
    runner.invoke(main, ["app", "publish", str(SAMPLE_APP), "--database", database_url])
    result = runner.invoke(main, ["app", "versions", "nope", "--database", database_url])
    assert result.exit_code == 1
    assert "has not been published" in result.output


def test_a_label_change_is_a_new_version_without_schema_steps(
    database_url: str, tmp_path: Path
) -> None:
    """A dry run of a label-only change used to say "identical; nothing to publish", and
    the real publish counted the "no changes" line as a step."""
    runner = CliRunner()
    runner.invoke(main, ["app", "publish", str(SAMPLE_APP), "--database", database_url])
    changed = tmp_path / "app"
    shutil.copytree(SAMPLE_APP, changed)
    lead = changed / "tables" / "lead.json"
    doc = json.loads(lead.read_text(encoding="utf-8"))
    doc["label"]["zh-CN"] = "销售线索"
    lead.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    dry = runner.invoke(
        main, ["app", "publish", str(changed), "--dry-run", "--database", database_url]
    )
    assert dry.exit_code == 0, dry.output
    assert "would create version 2 (0 steps)" in dry.output
    real = runner.invoke(main, ["app", "publish", str(changed), "--database", database_url])
    assert "published version 2 (0 steps)" in real.output
