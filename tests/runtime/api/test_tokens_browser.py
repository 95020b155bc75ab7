"""In the browser: create a token (shown once), use it, revoke it — zh-CN screenshots."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from typing import Any

import pytest

from tests.runtime.api.conftest import ARTIFACTS, sign_in

pytestmark = pytest.mark.browser


def _api_status(base_url: str, secret: str) -> int:
    request = urllib.request.Request(
        f"{base_url}/api/v1/me", headers={"Authorization": f"Bearer {secret}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_create_see_once_and_revoke_a_token(page: Any, live_server: str) -> None:
    sign_in(page, "zhang.wei")
    page.goto("/me/tokens")
    page.fill("#name", "ERP 订单同步")
    page.select_option("#access", "read")
    page.get_by_label("客户", exact=True).check()
    page.get_by_label("商机", exact=True).check()
    page.select_option("#expires", "90")
    page.click("[data-testid=create-token]")
    secret = page.input_value("[data-testid=token-secret]")
    assert re.fullmatch(r"kai_[A-Za-z0-9_-]{43}", secret)
    row = page.locator("[data-testid^=token-row-]").first
    assert "ERP 订单同步" in row.inner_text() and "只读" in row.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "api-tokens-created-zh.png"), full_page=True)

    assert _api_status(live_server, secret) == 200
    page.goto("/me/tokens")  # shown once: a reload no longer has it
    assert page.locator("[data-testid=token-secret]").count() == 0
    assert secret not in page.content() and secret[:12] in page.content()
    assert "从未使用" not in row.inner_text()

    page.once("dialog", lambda dialog: dialog.accept())
    row.locator("[data-testid^=revoke-]").click()
    page.wait_for_selector("text=令牌已撤销")
    assert "已撤销" in page.locator("[data-testid=token-status]").first.inner_text()
    page.screenshot(path=str(ARTIFACTS / "api-tokens-revoked-zh.png"), full_page=True)
    assert _api_status(live_server, secret) == 401
