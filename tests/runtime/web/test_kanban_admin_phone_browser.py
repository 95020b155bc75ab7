"""The kanban board and the admin pages on a 390 px wide phone: nothing pushes the page
wider than the screen (the board's columns scroll sideways inside the board), and the
main controls stay on screen; zh-CN screenshots for review."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.runtime.web.conftest import ARTIFACTS, sign_in
from tests.runtime.web.test_forms_browser import problems  # noqa: F401
from tests.runtime.web.test_kanban import DEMO, QUALIFICATION, new_deal
from tests.runtime.web.test_kanban_browser import app_of_sample  # noqa: F401

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
ADMIN_PAGES = [
    ("admin", "/admin"),
    ("admin-users", "/admin/users"),
    ("admin-user", "/admin/users/new"),
    ("admin-departments", "/admin/departments"),
    ("admin-roles", "/admin/roles"),
    ("admin-role", "/admin/roles/sales_rep"),
    ("admin-role-members", "/admin/roles/sales_rep/members"),
    ("admin-tokens", "/admin/tokens"),
    ("admin-webhooks", "/admin/webhooks"),
    ("admin-public-forms", "/admin/public-forms"),
]


def page_width(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def wider_than(page: Any, limit: int) -> list[str]:
    """Elements (outside sideways-scrolling boxes) reaching past ``limit`` px."""
    return list(
        page.evaluate(
            """(limit) => [...document.querySelectorAll('body *')].filter(el => {
                const r = el.getBoundingClientRect();
                if (r.width === 0 || r.right <= limit + 1) return false;
                for (let p = el.parentElement; p; p = p.parentElement) {
                  const o = getComputedStyle(p).overflowX;
                  if (o === 'auto' || o === 'scroll' || o === 'hidden') return false;
                }
                return true;
              }).slice(0, 5).map(el => el.tagName + '.' + el.className)""",
            limit,
        )
    )


@pytest.mark.parametrize(("name", "path"), ADMIN_PAGES)
def test_admin_pages_fit_a_phone(
    page: Any,
    problems: list[str],  # noqa: F811
    name: str,
    path: str,
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    sign_in(page, "admin")
    page.set_viewport_size(PHONE)
    response = page.goto(path)
    if response is not None and response.status == 404:
        pytest.skip(f"{path} is not part of this build")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(ARTIFACTS / f"phone-{name}-zh.png"), full_page=True)
    assert wider_than(page, PHONE["width"]) == []
    assert page_width(page) <= PHONE["width"]
    assert problems == []


def test_kanban_fits_a_phone_and_scrolls_its_columns(
    page: Any,
    problems: list[str],  # noqa: F811
    app_of_sample: Flask,  # noqa: F811
    engine: sa.Engine,
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    for stage in (QUALIFICATION, QUALIFICATION, DEMO):
        new_deal(app_of_sample, engine, "zhang.wei", stage)
    sign_in(page, "zhang.wei")
    page.set_viewport_size(PHONE)
    page.goto("/t/opportunity/kanban")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(ARTIFACTS / "phone-kanban-zh.png"))
    assert wider_than(page, PHONE["width"]) == []
    assert page_width(page) <= PHONE["width"]
    board = page.locator("#kanban")
    columns = board.locator(".kanban-column")
    assert columns.count() > 2
    first = columns.first.bounding_box()
    assert first is not None and first["width"] >= 0.75 * PHONE["width"]  # one column fills
    board.evaluate("el => el.scrollTo({left: el.scrollWidth})")  # the last one is reachable
    page.wait_for_function(
        "() => { const b = document.getElementById('kanban'); "
        "return b.scrollLeft + b.clientWidth >= b.scrollWidth - 2; }"
    )
    last = columns.last.bounding_box()
    assert last is not None and last["x"] >= 0 and last["x"] + last["width"] <= PHONE["width"]
    board.evaluate(
        "el => el.scrollTo({left: el.querySelector('.kanban-column:nth-child(2)').offsetLeft})"
    )
    page.screenshot(path=str(ARTIFACTS / "phone-kanban-scrolled-zh.png"))
    assert problems == []
