"""A visitor fills in the public lead form (zh-CN) in Chromium; the admin sees the embed
snippet. Screenshots go to tests/.artifacts for review."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from runtime.db import create_engine, write_transaction
from runtime.web.views import _public_forms_store as store
from tests.runtime.web.conftest import ARTIFACTS, sign_in

pytestmark = pytest.mark.browser


def _publish(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        store.PUBLIC_FORM.metadata.create_all(engine, checkfirst=True)
        with write_transaction(engine) as conn:
            admin = conn.execute(
                sa.text("select id from kairos_user where username = 'admin'")
            ).scalar_one()
            form = store.PublicForm(
                slug="contact",
                table_key="lead",
                title={"zh-CN": "官网咨询", "en": "Contact us"},
                intro={"zh-CN": "留下您的联系方式，顾问将在一个工作日内与您联系。"},
                fields=["name", "company_name", "contact_name", "mobile", "email", "region",
                        "notes"],
                fixed_values={"source": "web_form"},
                success_message={"zh-CN": "提交成功，我们会尽快与您联系。", "en": "Thanks!"},
                min_seconds=1,
            )  # fmt: skip
            store.save_form(conn, "opportunity", form, user_id=int(admin), now=datetime.now(UTC))
    finally:
        engine.dispose()


def test_visitor_submits_the_public_form_in_chinese(page: Any, sample: str) -> None:
    _publish(sample)
    page.goto("/f/contact")
    assert page.locator("[data-testid=public-form-title]").inner_text() == "官网咨询"
    page.fill("#f-name", "官网咨询-杭州云栖科技")
    page.fill("#f-company_name", "杭州云栖科技有限公司")
    page.fill("#f-contact_name", "周敏")
    page.select_option("#f-region", "east")
    page.fill("#f-notes", "希望了解销售管理方案和报价")
    page.wait_for_timeout(1100)  # faster than the form's minimum fill time looks like a bot
    page.click("[data-testid=public-submit]")  # neither mobile nor email: the rule
    error = page.locator("[data-testid=error-mobile]")
    assert "线索至少需要手机或邮箱之一" in error.inner_text()
    assert page.input_value("#f-company_name") == "杭州云栖科技有限公司"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "public_form_errors_zh.png"), full_page=True)
    page.fill("#f-mobile", "13912345678")
    page.wait_for_timeout(1100)  # the minimum fill time of this form
    page.click("[data-testid=public-submit]")
    page.wait_for_url("**/f/contact/thanks")
    assert "提交成功" in page.locator("[data-testid=success-message]").inner_text()
    page.screenshot(path=str(ARTIFACTS / "public_form_thanks_zh.png"), full_page=True)
    engine = create_engine(sample)
    try:
        with engine.connect() as conn:
            row = conn.execute(
                sa.text(
                    "select source, region, mobile from opportunity__lead "
                    "where company_name = '杭州云栖科技有限公司'"
                )
            ).one()
    finally:
        engine.dispose()
    assert tuple(row) == ("web_form", "east", "13912345678")


def test_admin_page_shows_the_embed_snippet(page: Any, sample: str) -> None:
    _publish(sample)
    sign_in(page, "admin")
    page.goto("/admin/public-forms")
    page.click("[data-testid=public-form-contact] a >> nth=0")
    snippet = page.locator("[data-testid=embed-code]").input_value()
    assert snippet.startswith('<iframe src="http://') and "/f/contact" in snippet
    page.screenshot(path=str(ARTIFACTS / "public_form_admin_zh.png"), full_page=True)
