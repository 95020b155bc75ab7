"""The import wizard: upload, mapping, preview with per-cell errors, run as a job, result,
error file, templates and the import right."""

from __future__ import annotations

import html
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from openpyxl import load_workbook

from runtime.jobs import run_pending
from runtime.records import Actor
from tests.runtime.transfer.sheets import messy_customers


@pytest.fixture(autouse=True)
def _home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAIROS_HOME", str(tmp_path / "home"))


def upload(client: Any, path: Path, **data: Any) -> Any:
    with path.open("rb") as handle:
        return client.post(
            "/t/customer/import",
            data={"file": (io.BytesIO(handle.read()), path.name), **data},
            content_type="multipart/form-data",
        )


def test_wizard_from_upload_to_error_file(login: Any, web_app: Flask, tmp_path: Path) -> None:
    client = login("lin.feng")  # a sales manager: may import customers
    response = upload(client, messy_customers(tmp_path / "客户.xlsx"))
    assert response.status_code == 302
    mapping_url = response.location
    token = mapping_url.split("/import/")[1].split("?")[0]
    page = client.get(mapping_url).text
    assert "在第 3 行找到表头" in page and 'value="说明"' in page
    assert re.search(r'name="map-1".*?<option value="region" selected', page, re.S)

    form = {f"map-{c}": k for c, k in enumerate(
        ["name", "region", "established_on", "reg_capital", "industry"])}  # fmt: skip
    form |= {"columns": "5", "sheet": "客户", "mode": "insert", "template_name": "每月客户"}
    preview = client.post(f"/t/customer/import/{token}/preview", data=form)
    assert preview.status_code == 200
    assert "2 行有错误" in preview.text
    assert preview.text.count('data-testid="cell-error"') == 3
    assert "行业：找不到“不存在的行业”" in preview.text
    assert "模板“每月客户”已保存" in preview.text

    svc = web_app.extensions["kairos"].service()
    before = svc.count(Actor.system(), "customer")
    mapping = re.search(r'name="mapping" value="([^"]*)"', preview.text)
    assert mapping is not None
    run = client.post(
        f"/t/customer/import/{token}/run",
        data={"mapping": html.unescape(mapping.group(1)), "sheet": "客户", "mode": "insert",
              "on_error": "skip"},
    )  # fmt: skip
    assert json.loads(html.unescape(mapping.group(1)))["4"] == "industry"
    assert run.status_code == 302
    queued = client.get(run.location).text
    assert 'hx-trigger="every 1s"' in queued
    run_pending(svc.engine)
    status = client.get(run.location + "/status").text
    assert "导入完成" in status and 'data-status="succeeded"' in status
    assert svc.count(Actor.system(), "customer") == before + 2
    errors = client.get(run.location + "/errors")
    assert errors.status_code == 200
    data = errors.data
    errors.close()
    rows = list(load_workbook(io.BytesIO(data), read_only=True).active.iter_rows(
        values_only=True))  # fmt: skip
    assert rows[0][-1] == "错误" and len(rows) == 3
    assert login("guo.hui").get(run.location).status_code == 404  # someone else's job

    again = upload(client, messy_customers(tmp_path / "c2.xlsx"), template="每月客户")
    assert "selected" in client.get(again.location).text
    assert "每月客户" in client.get("/t/customer/import").text


def test_import_needs_the_right_and_a_supported_file(login: Any, tmp_path: Path) -> None:
    rep = login("zhang.wei")
    assert rep.get("/t/customer/import").status_code == 403
    manager = login("lin.feng")
    manager.post("/locale/en")
    note = tmp_path / "notes.pdf"
    note.write_bytes(b"%PDF")
    response = upload(manager, note)
    assert response.status_code == 302
    assert "upload an .xlsx or .csv file" in manager.get(response.location).text
    assert manager.get("/t/customer/import/nonsense.xlsx").status_code == 404


def test_the_result_lists_imported_rows_that_may_duplicate_existing_ones(
    login: Any, web_app: Flask, tmp_path: Path
) -> None:
    """A ``warn`` duplicate rule does not stop an import; the result says which imported
    rows look like records that already exist, with links, and where to merge them."""
    from tests.runtime.transfer.sheets import xlsx

    svc = web_app.extensions["kairos"].service()
    existing = svc.query(Actor.system(), "customer", fields=["name"], limit=1).rows[0]
    sheet = xlsx(
        tmp_path / "again.xlsx",
        [
            ["客户名称", "销售大区"],
            [existing["name"] + "（中国）", "华东"],
            ["全新测试客户", "华北"],
        ],
    )
    client = login("admin")
    response = upload(client, sheet)
    token = response.location.split("/import/")[1].split("?")[0]
    mapping = json.dumps({"0": "name", "1": "region"})
    run = client.post(
        f"/t/customer/import/{token}/run",
        data={"mapping": mapping, "sheet": "Sheet1", "mode": "insert", "on_error": "skip"},
    )
    assert run.status_code == 302, run.text
    run_pending(svc.engine)
    status = client.get(run.location + "/status").text
    assert 'data-status="succeeded"' in status
    assert "导入的记录中有 1 条可能与已有记录重复" in status
    assert status.count('data-testid="import-duplicate"') == 1
    assert f'href="/t/customer/{existing["id"]}"' in status
    assert 'data-testid="import-duplicates-review"' in status
