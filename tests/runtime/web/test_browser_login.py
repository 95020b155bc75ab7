"""Signing in, in a real browser, in Chinese and English."""

from __future__ import annotations

import pytest

from tests.runtime.web.conftest import ARTIFACTS, sign_in

pytestmark = pytest.mark.browser


def test_a_user_signs_in_sees_the_home_page_and_switches_language(page) -> None:
    page.goto("/")
    assert page.url.endswith("/login?next=/?") or "/login" in page.url
    page.fill("#username", "admin")
    page.fill("#password", "wrong")
    page.click("[data-testid=login-submit]")
    assert "用户名或密码错误" in page.inner_text("[data-testid=login-error]")
    sign_in(page, "admin")
    assert page.is_visible("[data-testid=table-card-opportunity]")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "home-zh.png"), full_page=True)
    page.click("[data-testid=switch-locale]")
    page.wait_for_selector("text=Welcome back")
    page.screenshot(path=str(ARTIFACTS / "home-en.png"), full_page=True)
