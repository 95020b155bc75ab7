"""The record form in a real browser: inline customer quick-create, widgets, errors beside
fields, conditional fields, live recompute and child rows; zh-CN screenshots."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.runtime.web.conftest import ARTIFACTS, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def problems(page: Any) -> list[str]:
    """Script errors and failed requests of the page (none are expected)."""
    found: list[str] = []
    page.on("pageerror", lambda error: found.append(f"script: {error}"))
    page.on(
        "response",
        lambda r: (
            found.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("favicon.ico")
            else None
        ),
    )
    return found


def field(page: Any, key: str) -> Any:
    return page.locator(f".kf-field[data-field={key}]")


def shown(page: Any, key: str) -> str:
    """The text of a read-only (computed) field."""
    return str(field(page, key).locator("[data-computed]").inner_text()).strip()


def choose(scope: Any, text: str, search: str | None = None) -> None:
    """Pick ``text`` in the Tom Select inside ``scope`` (typing ``search`` first). The form
    may re-render around the select while it is open (live recompute, duplicate hints
    arriving): then the dropdown closes, and the pick is tried again."""
    for attempt in range(3):
        scope.locator(".ts-control").click()
        if search:
            scope.locator(".ts-control input").fill(search)
        try:
            scope.locator(".ts-dropdown .option", has_text=text).first.click(timeout=3000)
            return
        except PlaywrightTimeout:
            if attempt == 2:
                raise


def pick_day(page: Any, key: str, day: int) -> None:
    """Open the field's flatpickr calendar and click ``day`` of next month (open deals
    may not close in the past)."""
    field(page, key).locator("input").click()
    calendar = page.locator(".flatpickr-calendar.open")
    calendar.locator(".flatpickr-next-month").click()
    calendar.locator(
        ".flatpickr-day:not(.prevMonthDay):not(.nextMonthDay)", has_text=re.compile(f"^{day}$")
    ).click()


def new_opportunity(page: Any, name: str) -> None:
    page.goto("/t/opportunity/new")
    page.wait_for_selector(".kf-field[data-field=customer] .ts-control")
    page.fill("#f-name", name)


def test_create_with_inline_customer_and_widgets(
    page: Any, problems: list[str], engine: sa.Engine
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    sign_in(page, "admin")
    new_opportunity(page, "苏州工业园区智慧园区项目")
    page.screenshot(path=str(ARTIFACTS / "form-new-opportunity-zh.png"), full_page=True)

    page.click("[data-testid=quick-create-customer]")
    modal = page.locator("#quick-create-modal")
    modal.locator("input[name=name]").fill("苏州明远智能制造有限公司")
    page.wait_for_load_state("networkidle")  # the possible-duplicates hint has arrived
    choose(modal.locator("[data-quick-field=region]"), "华东")
    page.screenshot(path=str(ARTIFACTS / "form-quick-create-zh.png"))
    modal.locator("[data-testid=quick-save]").click()
    modal.wait_for(state="hidden")
    assert "苏州明远智能制造有限公司" in field(page, "customer").locator(".ts-control").inner_text()

    choose(field(page, "stage"), "方案演示", search="方案")
    page.fill("#f-amount", "360000")
    page.fill("#f-probability", "40")
    pick_day(page, "expected_close_date", 28)
    assert re.fullmatch(r"\d{4}-\d{2}-28", page.input_value("#f-expected_close_date"))
    assert shown(page, "weighted_amount") == "144,000.00"
    assert shown(page, "status") == "进行中"
    page.click("[data-testid=save]")
    page.wait_for_url(re.compile(r"/t/opportunity/\d+$"))
    assert "苏州工业园区智慧园区项目" in page.inner_text("[data-testid=record-title]")

    record_id = int(page.url.rsplit("/", 1)[1])
    with engine.connect() as conn:
        row = conn.execute(
            sa.text(
                "select o.amount, o.probability, o.weighted_amount, c.name as customer "
                "from opportunity__opportunity o join opportunity__customer c "
                "on c.id = o.customer where o.id = :i"
            ),
            {"i": record_id},
        ).one()
    assert row.customer == "苏州明远智能制造有限公司"
    assert float(row.amount) == 360000 and float(row.weighted_amount) == 144000
    assert problems == []


def test_validation_error_beside_field_keeps_typed_values(page: Any, problems: list[str]) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    sign_in(page, "admin")
    new_opportunity(page, "保留我输入的名称")
    choose(field(page, "customer"), "", search="")
    customer = field(page, "customer").locator(".ts-control .item").inner_text()
    choose(field(page, "stage"), "需求确认", search="需求")
    page.fill("#f-amount", "很多钱")
    page.fill("#f-probability", "20")
    page.click("[data-testid=save]")
    page.wait_for_selector("[data-testid=form-errors]")
    assert page.locator("[data-testid=error-amount]").is_visible()
    assert page.locator("[data-testid=error-expected_close_date]").is_visible()
    assert page.input_value("#f-name") == "保留我输入的名称"
    assert page.input_value("#f-amount") == "很多钱"
    assert field(page, "customer").locator(".ts-control .item").inner_text() == customer
    assert "需求确认" in field(page, "stage").locator(".ts-control").inner_text()
    page.screenshot(path=str(ARTIFACTS / "form-errors-zh.png"), full_page=True)
    assert problems == []


def test_lost_reason_appears_and_weighted_amount_recomputes_live(
    page: Any, problems: list[str]
) -> None:
    sign_in(page, "admin")
    new_opportunity(page, "条件字段")
    lost_section = page.locator("[data-section=lost]")
    assert lost_section.is_hidden()
    page.fill("#f-amount", "200000")
    page.fill("#f-probability", "25")
    weighted = page.locator("[data-computed=weighted_amount]")
    page.wait_for_function(
        "() => document.querySelector('[data-computed=weighted_amount]')"
        ".textContent.replace(/[^0-9.]/g, '') === '50000.00'"
    )
    page.fill("#f-probability", "60")
    page.wait_for_function(
        "() => document.querySelector('[data-computed=weighted_amount]')"
        ".textContent.replace(/[^0-9.]/g, '') === '120000.00'"
    )
    assert "120,000.00" in weighted.inner_text()

    choose(field(page, "stage"), "输单", search="输单")
    lost_section.wait_for(state="visible")
    assert "required" in (field(page, "lost_reason").locator(".form-label").get_attribute("class"))
    assert field(page, "closed_on").is_visible()
    choose(field(page, "stage"), "方案演示", search="方案")
    lost_section.wait_for(state="hidden")
    assert field(page, "closed_on").is_hidden()
    assert problems == []


def test_child_rows_add_remove_and_edit_form(
    page: Any, problems: list[str], engine: sa.Engine
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    sign_in(page, "admin")
    new_opportunity(page, "产品明细测试")
    choose(field(page, "customer"), "", search="")
    choose(field(page, "stage"), "需求确认", search="需求")
    page.fill("#f-amount", "50000")
    page.fill("#f-probability", "20")
    pick_day(page, "expected_close_date", 15)
    page.click("a[href='#tab-products']")
    rows = page.locator(".kf-rows[data-field=lines] tbody [data-row]")
    page.click("[data-testid=add-row-lines]")
    page.click("[data-testid=add-row-lines]")
    page.click("[data-testid=add-row-lines]")
    assert rows.count() == 3
    rows.nth(1).locator("[data-remove-row]").click()
    assert rows.count() == 2
    for index, (product, quantity, price) in enumerate([("", "2", "1000"), ("", "3", "500")]):
        row = rows.nth(index)
        choose(row.locator("td").nth(1), product, search="")
        row.locator("input[name$='-quantity']").fill(quantity)
        row.locator("input[name$='-unit_price']").fill(price)
        row.locator("input[name$='-discount_percent']").fill("0")
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-row-computed=subtotal]')]"
        ".map(c => c.textContent.replace(/[^0-9.]/g, '')).join('|') === '2000.00|1500.00'"
    )
    page.click("[data-testid=save]")
    page.wait_for_url(re.compile(r"/t/opportunity/\d+$"))
    record_id = int(page.url.rsplit("/", 1)[1])
    with engine.connect() as conn:
        quantities = (
            conn.execute(
                sa.text(
                    "select quantity from opportunity__opportunity_line where parent_id = :i "
                    "order by row_order"
                ),
                {"i": record_id},
            )
            .scalars()
            .all()
        )
    assert [float(q) for q in quantities] == [2, 3]

    page.goto(f"/t/opportunity/{record_id}/edit")
    page.wait_for_selector(".kf-field[data-field=customer] .ts-control")
    assert page.input_value("#f-name") == "产品明细测试"
    page.screenshot(path=str(ARTIFACTS / "form-edit-opportunity-zh.png"), full_page=True)
    page.click("a[href='#tab-products']")
    assert rows.count() == 2
    page.screenshot(path=str(ARTIFACTS / "form-edit-lines-zh.png"), full_page=True)
    assert problems == []


def test_new_form_on_a_phone(page: Any, problems: list[str]) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    sign_in(page, "admin")
    page.set_viewport_size({"width": 390, "height": 844})
    new_opportunity(page, "手机上新建")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    page.screenshot(path=str(ARTIFACTS / "form-new-opportunity-mobile-zh.png"), full_page=True)
    assert problems == []
