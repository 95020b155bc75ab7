"""The admin pages in a real browser (zh-CN): an administrator edits a role's permissions
with checkboxes and a field-access select, saves, and the new version is published."""

from __future__ import annotations

import pytest

from runtime.db import create_engine
from runtime.publish import load_published
from tests.runtime.web.conftest import ARTIFACTS, sign_in

pytestmark = pytest.mark.browser


def rep_permissions(database_url: str) -> dict:
    engine = create_engine(database_url)
    try:
        _spec, document = load_published(engine, "opportunity")
    finally:
        engine.dispose()
    return next(r for r in document["roles"] if r["key"] == "sales_rep")["permissions"]


def test_an_admin_edits_a_role_permission_with_checkboxes_and_saves(page, sample) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    sign_in(page, "admin")
    page.goto("/admin/users")
    page.wait_for_selector("[data-testid=user-row-zhang\\.wei]")
    page.screenshot(path=str(ARTIFACTS / "admin-users-zh.png"), full_page=True)
    page.goto("/admin/users/new")
    page.fill("#username", "zhang.wei")
    page.click("[data-testid=save-user]")
    assert "该用户名已被使用" in page.inner_text("[data-testid=error-username]")
    page.screenshot(path=str(ARTIFACTS / "admin-user-form-zh.png"), full_page=True)
    page.goto("/admin/departments")
    page.wait_for_selector("[data-testid=department-tree]")
    page.screenshot(path=str(ARTIFACTS / "admin-departments-zh.png"), full_page=True)

    page.goto("/admin/roles/sales_rep")
    export = page.locator("[data-testid=perm-customer-export]")
    assert not export.is_checked()
    export.check()
    # Ticking an action ticks "read"; unticking "read" clears the row.
    page.locator("[data-testid=perm-lead-read]").uncheck()
    assert not page.locator("[data-testid=perm-lead-create]").is_checked()
    page.locator("[data-testid=perm-lead-update]").check()
    assert page.locator("[data-testid=perm-lead-read]").is_checked()
    page.click("[data-testid=perm-opportunity-fields]")
    amount = page.locator("[data-testid=perm-opportunity-field-amount]")
    amount.wait_for(state="visible")
    amount.select_option("masked")
    page.screenshot(path=str(ARTIFACTS / "admin-permissions-zh.png"), full_page=False)
    page.locator("#fields-opportunity").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "admin-permission-fields-zh.png"), full_page=False)
    page.click("[data-testid=save-permissions]")
    page.wait_for_selector(".alert-success")
    assert "已发布第" in page.inner_text(".alert-success")

    permissions = rep_permissions(sample)
    assert permissions["customer"]["actions"] == ["read", "create", "update", "export"]
    assert permissions["lead"]["actions"] == ["read", "update"]
    assert permissions["opportunity"]["fields"]["amount"] == "masked"
    assert page.locator("[data-testid=perm-customer-export]").is_checked()
