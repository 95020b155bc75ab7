"""The import wizard in a real browser, in zh-CN: a small messy XLSX from upload to the
result page with its error file; screenshots of every step."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from runtime.jobs import run_pending
from tests.runtime.transfer.sheets import messy_customers
from tests.runtime.web.conftest import ARTIFACTS, sign_in

pytestmark = pytest.mark.browser


def test_import_a_messy_workbook(
    page: Any, engine: sa.Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KAIROS_HOME", str(tmp_path / "home"))
    ARTIFACTS.mkdir(exist_ok=True)
    sign_in(page, "lin.feng")
    page.goto("/t/customer/import")
    page.set_input_files("#import-file", str(messy_customers(tmp_path / "客户导入.xlsx")))
    page.screenshot(path=str(ARTIFACTS / "import-1-upload-zh.png"), full_page=True)
    page.click("[data-testid=import-upload-submit]")

    page.wait_for_selector("[data-testid=import-mapping]")
    assert page.locator("[data-testid=map-1]").input_value() == "region"
    assert page.locator("[data-testid=map-4]").input_value() == "industry"
    page.select_option("[data-testid=import-mode]", "upsert")
    assert page.locator("[data-testid=import-key]").is_visible()
    page.select_option("[data-testid=import-mode]", "insert")
    assert not page.locator("[data-testid=import-key]").is_visible()
    page.fill("#template-name", "客户月度导入")
    page.screenshot(path=str(ARTIFACTS / "import-2-mapping-zh.png"), full_page=True)
    page.click("[data-testid=import-preview-submit]")

    page.wait_for_selector("[data-testid=import-preview]")
    assert "2 行有错误" in page.inner_text("[data-testid=preview-failed]")
    errors = page.locator("[data-testid=cell-error]")
    assert errors.count() == 3
    assert "2023-07-16" in page.inner_text("[data-testid=import-preview]")  # Excel serial
    assert "找不到“不存在的行业”" in page.inner_text("[data-testid=import-preview]")
    page.screenshot(path=str(ARTIFACTS / "import-3-preview-zh.png"), full_page=True)
    page.check("[data-testid=on-error-skip]")
    page.click("[data-testid=import-run-submit]")

    page.wait_for_selector("[data-testid=import-status]")
    deadline = time.monotonic() + 20
    while page.get_attribute("[data-testid=import-status]", "data-status") != "succeeded":
        assert time.monotonic() < deadline, "the import job did not finish"
        run_pending(engine)  # no worker threads in tests; a worker would run it alike
        page.wait_for_timeout(300)
    assert "导入完成" in page.inner_text("[data-testid=import-done]")
    assert page.inner_text("[data-testid=count-2]") == "2"
    assert page.inner_text("[data-testid=count-4]") == "2"
    page.screenshot(path=str(ARTIFACTS / "import-4-result-zh.png"), full_page=True)
    with page.expect_download() as download:
        page.click("[data-testid=import-error-file]")
    assert download.value.suggested_filename.endswith("导入错误.xlsx")


def test_the_result_shows_possible_duplicates_with_links(
    page: Any, engine: sa.Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.runtime.transfer.sheets import xlsx

    monkeypatch.setenv("KAIROS_HOME", str(tmp_path / "home"))
    ARTIFACTS.mkdir(exist_ok=True)
    with engine.connect() as conn:
        record_id, name = conn.execute(
            sa.text("SELECT id, name FROM opportunity__customer ORDER BY id LIMIT 1")
        ).one()
    sheet = xlsx(
        tmp_path / "重复客户.xlsx",
        [
            ["客户名称", "销售大区"],
            [f"{name}（中国）", "华东"],
            ["浙江全新测试客户有限公司", "华北"],
        ],
    )
    sign_in(page, "admin")
    page.goto("/t/customer/import")
    page.set_input_files("#import-file", str(sheet))
    page.click("[data-testid=import-upload-submit]")
    page.wait_for_selector("[data-testid=import-mapping]")
    page.click("[data-testid=import-preview-submit]")
    page.wait_for_selector("[data-testid=import-preview]")
    page.check("[data-testid=on-error-skip]")
    page.click("[data-testid=import-run-submit]")
    page.wait_for_selector("[data-testid=import-status]")
    deadline = time.monotonic() + 20
    while page.get_attribute("[data-testid=import-status]", "data-status") != "succeeded":
        assert time.monotonic() < deadline, "the import job did not finish"
        run_pending(engine)
        page.wait_for_timeout(300)
    card = page.locator("[data-testid=import-duplicates]")
    assert "1 条可能与已有记录重复" in card.inner_text()
    assert card.locator("[data-testid=import-duplicate]").count() == 1
    link = card.locator(f'a[href="/t/customer/{record_id}"]')
    assert link.inner_text() == name
    page.screenshot(path=str(ARTIFACTS / "import-5-duplicates-zh.png"), full_page=True)
    link.click()
    page.wait_for_url(f"**/t/customer/{record_id}")
