"""Imports as background jobs: the handler through the real job runner."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from runtime.jobs import ensure_job_tables, get_job, job_file, run_pending
from runtime.records import Actor, RecordService
from runtime.transfer import ImportOptions
from runtime.transfer.jobs import stash_upload, submit_import
from tests.runtime.transfer.sheets import messy_customers


@pytest.fixture(autouse=True)
def _home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAIROS_HOME", str(tmp_path / "home"))


def test_import_job_reports_progress_counts_and_the_error_file(
    svc: RecordService, engine: sa.Engine, tmp_path: Path
) -> None:
    ensure_job_tables(engine)
    path = stash_upload(messy_customers(tmp_path / "c.xlsx").read_bytes(), "客户.xlsx")
    before = svc.count(Actor.system(), "customer")
    job_id = submit_import(
        engine, app_key="opportunity", user_id=None, table="customer", path=path, sheet="客户",
        options=ImportOptions(all_or_nothing=False, locale="zh-CN"),
    )  # fmt: skip
    assert run_pending(engine) == 1
    job = get_job(engine, job_id)
    assert job["status"] == "succeeded", job["error"]
    result = job["result"]
    assert (result["created"], result["failed"], result["error_file"]) == (2, 2, "导入错误.xlsx")
    assert job["done"] == job["total"] == 4
    stored = job_file(job_id, result["error_file"])
    assert stored is not None
    assert len(list(load_workbook(stored, read_only=True).active.iter_rows())) == 3
    assert svc.count(Actor.system(), "customer") == before + 2
    assert not path.exists()  # the upload is removed once imported


def test_a_bad_sheet_fails_the_job_with_a_localised_message(
    engine: sa.Engine, svc: RecordService, tmp_path: Path
) -> None:
    ensure_job_tables(engine)
    path = stash_upload(messy_customers(tmp_path / "c.xlsx").read_bytes(), "c.xlsx")
    job_id = submit_import(
        engine, app_key="opportunity", user_id=None, table="customer", path=path, sheet="无此表",
        options=ImportOptions(locale="zh-CN"),
    )  # fmt: skip
    run_pending(engine)
    job = get_job(engine, job_id)
    assert job["status"] == "failed" and job["error"].startswith("工作表“无此表”不存在")
