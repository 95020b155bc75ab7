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
    page.fill("#comment-body", "请 @lin.f")  # a manager who can read this record
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

    sign_in(page, "lin.feng")
    page.goto("/me")
    assert page.locator("[data-testid=notification]", has_text="交付排期").count() == 1
    page.screenshot(path=str(ARTIFACTS / "workspace-zh.png"), full_page=True)


def test_chinese_mention_suggestions_and_keyboard_pick(page) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, "sun.ming")
    page.goto("/t/opportunity/1")
    page.click("#comment-body")
    page.keyboard.type("请@")
    page.keyboard.insert_text("林")  # what an IME commits
    page.wait_for_selector("#mention-menu.show .dropdown-item[data-username='lin.feng']")
    items = page.locator("#mention-menu .dropdown-item")
    target = [items.nth(i).get_attribute("data-username") for i in range(items.count())].index(
        "lin.feng"
    )
    for _step in range(target):
        page.keyboard.press("ArrowDown")
    assert "active" in (items.nth(target).get_attribute("class") or "")
    page.keyboard.press("Enter")
    assert page.input_value("#comment-body") == "请@lin.feng "
    page.keyboard.type("看一下")
    page.click("[data-testid=comment-submit]")
    page.wait_for_selector("[data-testid=comment] .mention[data-user]")


def test_comment_actions_fit_a_phone(page) -> None:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "sun.ming")
    page.goto("/t/opportunity/1")
    page.locator("[data-testid=comment-actions]").scroll_into_view_if_needed()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    box = page.locator("[data-testid=comment-actions]").bounding_box()
    button = page.locator("[data-testid=comment-submit]").bounding_box()
    assert box and button and button["x"] + button["width"] <= box["x"] + box["width"] + 1
    page.screenshot(path=str(ARTIFACTS / "detail-phone-zh.png"), full_page=True)
