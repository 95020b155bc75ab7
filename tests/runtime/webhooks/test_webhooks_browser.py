"""The webhook admin page in a real browser: create a webhook, let the live server's
worker threads deliver a record change, and see the delivery in the log (zh-CN)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from runtime.apps import open_app
from runtime.jobs import JobContext, _runner, submit
from runtime.org import load_actor
from tests.runtime.web.conftest import ARTIFACTS, sign_in, user_id
from tests.runtime.webhooks.conftest import APP, Receiver

pytestmark = pytest.mark.browser


def test_admin_creates_a_webhook_and_sees_its_deliveries(
    hooks_engine: sa.Engine, page: Any, receiver: Receiver
) -> None:
    # hooks_engine comes first: the quickstart's events are marked handled before the live
    # server's worker threads start, so they only have the test's events to dispatch.
    engine = hooks_engine
    sign_in(page, "admin")
    page.goto("/admin/webhooks")
    page.click("[data-testid=new-webhook]")
    page.fill("#name", "ERP 客户同步")
    page.select_option("#table_key", "customer")
    page.check("[data-testid=event-deleted]")
    page.fill("#url", "ftp://wrong")
    page.click("[data-testid=save-webhook]")
    assert "请填写以 http:// 或 https:// 开头的地址。" in page.inner_text("[data-testid=error-url]")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "webhooks_form_zh.png"), full_page=True)
    page.fill("#url", receiver.url)
    page.click("[data-testid=condition-add]")  # the visual builder writes the condition
    rule = page.locator("[data-testid=condition-rule]")
    rule.locator("[data-testid=condition-field-key]").select_option("region")
    rule.locator("[data-testid=condition-value]").select_option("east")
    page.click("[data-testid=save-webhook]")
    secret = page.input_value("[data-testid=webhook-secret]")
    assert secret.startswith("whsec_")
    page.wait_for_selector("[data-testid=webhook-secret][type=text]")  # shown after creating

    service = open_app(engine, APP)
    with engine.connect() as conn:
        admin = load_actor(conn, user_id(engine, "admin"), APP)
    service.create(admin, "customer", {"name": "华东精密仪器", "region": "east", "level": "a"})
    service.create(admin, "customer", {"name": "西北农机", "region": "northwest"})
    status = page.locator("[data-testid=delivery-status]")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (not status.count() or status.inner_text() == "发送中"):
        time.sleep(0.5)
        page.reload()
    assert page.inner_text("[data-testid=delivery-status]") == "已送达"
    assert len(receiver.requests) == 1  # the northwest customer does not match the condition
    page.click("text=详情")
    page.wait_for_selector("text=华东精密仪器")
    page.screenshot(path=str(ARTIFACTS / "webhooks_show_zh.png"), full_page=True)
    page.goto("/admin/webhooks")
    assert "ERP 客户同步" in page.inner_text("[data-testid=webhooks-table]")
    page.screenshot(path=str(ARTIFACTS / "webhooks_index_zh.png"), full_page=True)


def test_the_job_page_follows_a_job_run_by_the_worker_threads(
    hooks_engine: sa.Engine, page: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KAIROS_HOME", str(tmp_path / "home"))

    def export(ctx: JobContext, _payload: dict[str, Any]) -> dict[str, Any]:
        for n in range(1, 4):
            ctx.progress(n, 3, f"已导出 {n * 100} 行")
            time.sleep(0.3)
        return {"file": ctx.save_file("商机导出.csv", "名称\n华东项目\n".encode())}

    monkeypatch.setitem(_runner._HANDLERS, "browser.export", export)  # gone after the test
    monkeypatch.setitem(_runner._LABELS, "browser.export", {"zh-CN": "导出商机", "en": "Export"})
    job_id = submit(
        hooks_engine,
        kind="browser.export",
        payload={},
        app_key=APP,
        user_id=user_id(hooks_engine, "zhang.wei"),
    )
    sign_in(page, "zhang.wei")
    page.goto(f"/jobs/{job_id}")
    page.wait_for_selector("[data-testid=job-status][data-status=succeeded]", timeout=20_000)
    assert page.inner_text("[data-testid=job-file]").strip() == "商机导出.csv"
    assert "已导出 300 行" in page.inner_text("[data-testid=job-card]")
    assert page.inner_text(".page-title") == "导出商机"
    page.screenshot(path=str(ARTIFACTS / "job_page_zh.png"), full_page=True)
