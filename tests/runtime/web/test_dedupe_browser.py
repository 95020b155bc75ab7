"""Browser walk-through in zh-CN: find two duplicate customers, merge them choosing values,
see the merge log, undo; takes tests/.artifacts/dedupe-*.png."""

from __future__ import annotations

import pytest

from runtime.apps import open_app
from runtime.db import create_engine
from runtime.records import Actor
from tests.runtime.web.conftest import ARTIFACTS, sign_in

pytestmark = pytest.mark.browser


def test_merge_two_customers_in_chinese(page, sample) -> None:  # type: ignore[no-untyped-def]
    engine = create_engine(sample)
    try:
        service = open_app(engine, "opportunity")
        admin = Actor.system()
        kept = service.create(
            admin,
            "customer",
            {"name": "杭州阿里巴巴网络科技有限公司", "region": "east", "level": "b"},
        )
        dup = service.create(
            admin,
            "customer",
            {
                "name": "阿里巴巴（杭州）网络科技",
                "region": "east",
                "level": "a",
                "website": "https://www.alibaba.com",
            },
        )
        contact = service.create(
            admin, "contact", {"name": "马云飞", "customer": dup["id"], "mobile": "13912345678"}
        )
    finally:
        engine.dispose()

    ARTIFACTS.mkdir(exist_ok=True)
    sign_in(page, "admin")
    page.goto("/t/customer/duplicates?rule=similar_name")
    row = page.locator("[data-testid=duplicate-groups] tr", has_text="阿里巴巴（杭州）网络科技")
    page.screenshot(path=str(ARTIFACTS / "dedupe-scan-zh.png"), full_page=True)
    row.locator("a.btn", has_text="合并").click()
    page.wait_for_selector("[data-testid=merge-form]")
    page.check(f"[data-testid=choice-level-{dup['id']}]")
    page.check(f"[data-testid=choice-website-{dup['id']}]")
    page.screenshot(path=str(ARTIFACTS / "dedupe-merge-zh.png"), full_page=True)
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-testid=merge-confirm]")
    page.wait_for_selector("text=已合并 2 条记录")
    page.screenshot(path=str(ARTIFACTS / "dedupe-log-zh.png"), full_page=True)

    page.goto(f"/t/contact/{contact['id']}")
    assert page.locator("body", has_text="杭州阿里巴巴网络科技有限公司").count() == 1
    page.goto(f"/t/customer/{kept['id']}")
    assert page.locator("body", has_text="alibaba.com").count() == 1

    page.goto("/t/customer/merges")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("[data-testid^=undo-]").first.click()
    page.wait_for_selector("text=已撤销合并")
    check = create_engine(sample)
    try:
        service = open_app(check, "opportunity")
        assert service.get(Actor.system(), "contact", contact["id"])["customer"] == dup["id"]
    finally:
        check.dispose()
