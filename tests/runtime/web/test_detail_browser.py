"""Browser walk-through of the detail page, quick action, comment, workspace and trash;
takes the zh-CN screenshots in tests/.artifacts."""

from __future__ import annotations

import pytest

from tests.runtime.web.conftest import ARTIFACTS, sign_in

pytestmark = pytest.mark.browser


def test_detail_quick_action_comment_workspace_and_trash(page) -> None:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(exist_ok=True)
    sign_in(page, "sun.ming")
    page.goto("/t/opportunity/1")
    assert page.locator("[data-testid=record-title]").inner_text()
    page.click("[data-testid=quick-follow_up]")
    page.click("[data-testid=save-follow_up]")  # empty: the modal shows the errors
    page.wait_for_selector("[data-testid=form-follow_up] .is-invalid")
    page.fill("#fu-subject", "电话确认交付计划")
    page.fill("#fu-content", "客户确认下周启动实施")
    page.click("[data-testid=save-follow_up]")
    page.wait_for_selector("text=跟进已记录")
    assert page.locator("[data-testid=timeline-event]", has_text="电话确认交付计划").count() == 1
    page.fill("#comment-body", "请 @he.j")
    page.wait_for_selector("#mention-menu .dropdown-item")
    page.click("#mention-menu .dropdown-item >> nth=0")
    page.type("#comment-body", "看一下交付排期")
    page.click("[data-testid=comment-submit]")
    page.wait_for_selector("[data-testid=comment] .mention")
    page.screenshot(path=str(ARTIFACTS / "detail-zh.png"), full_page=True)

    page.click("[data-testid=history-tab]")
    page.wait_for_selector("[data-testid=history-entry]")

    page.goto("/t/follow_up/1")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-testid=delete-record]")
    page.goto("/t/follow_up/trash")
    page.wait_for_selector("[data-testid=trash-row-1]")
    page.screenshot(path=str(ARTIFACTS / "trash-zh.png"), full_page=True)
    page.click("[data-testid=restore-1]")
    page.wait_for_url("**/t/follow_up/1")

    sign_in(page, "he.jun")
    page.goto("/me")
    assert page.locator("[data-testid=notification]", has_text="交付排期").count() == 1
    page.screenshot(path=str(ARTIFACTS / "workspace-zh.png"), full_page=True)
