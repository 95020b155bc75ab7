"""The list in a real browser: filter builder → saved view → reload it; screenshots."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from runtime.apps import open_app
from runtime.records import Actor
from tests.runtime.web.conftest import ARTIFACTS, sign_in

pytestmark = pytest.mark.browser


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlparse(url).query)


def test_filter_builder_saved_view_and_reload(page: Any) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    sign_in(page, "admin")
    page.goto("/t/opportunity")
    page.wait_for_selector("[data-testid=list-table]")
    assert "商机名称" in page.inner_text("[data-testid=list-table] thead")
    assert "共" in page.inner_text("[data-testid=list-total]")
    page.screenshot(path=str(ARTIFACTS / "list-opportunity-zh.png"), full_page=True)

    page.click("[data-testid=filter-toggle]")
    page.click("[data-testid=filter-add]")
    rule = page.locator("[data-testid=filter-rule]").first
    rule.locator("[data-testid=filter-field]").select_option("amount")
    rule.locator("[data-testid=filter-op]").select_option("gte")
    rule.locator("[data-testid=filter-value]").fill("100000")
    page.screenshot(path=str(ARTIFACTS / "list-opportunity-filter-zh.png"), full_page=False)
    page.click("[data-testid=filter-apply]")
    page.wait_for_url("**filter=*")
    where = json.loads(query_of(page.url)["filter"][0])
    assert where == {"all": [{"field": "amount", "op": "gte", "value": 100000}]}
    assert page.inner_text("[data-testid=filter-count]").strip() == "1"
    filtered_total = page.inner_text("[data-testid=list-total]")

    page.click("[data-testid=views-menu]")
    page.click("[data-testid=save-view-open]")
    page.fill("[data-testid=view-name]", "十万以上商机")
    page.check("[data-testid=view-shared]")
    page.click("[data-testid=view-save]")
    page.wait_for_url("**view=*")
    assert "十万以上商机" in page.inner_text("[data-testid=list-title]")

    page.goto("/t/opportunity")
    assert "filter" not in page.url
    page.click("[data-testid=views-menu]")
    page.get_by_role("link", name="十万以上商机").click()
    page.wait_for_url("**view=*")
    assert json.loads(query_of(page.url)["filter"][0]) == where
    assert page.inner_text("[data-testid=list-total]") == filtered_total
    # the builder shows the saved condition again, ready to edit
    builder_rule = page.locator("[data-testid=filter-rule]").first
    assert builder_rule.locator("[data-testid=filter-field]").input_value() == "amount"
    assert builder_rule.locator("[data-testid=filter-value]").input_value() == "100000"
    page.screenshot(path=str(ARTIFACTS / "list-opportunity-view-zh.png"), full_page=True)


def test_columns_bulk_bar_and_phone_layout(page: Any) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    sign_in(page, "admin")
    page.goto("/t/opportunity?size=20")
    page.click("[data-testid=columns-toggle]")
    page.uncheck("[data-testid=column-customer]")
    page.check("[data-testid=column-owner_id]")
    page.click("[data-testid=columns-apply]")
    page.wait_for_url("**cols=*")
    cols = query_of(page.url)["cols"][0].split(",")
    assert "customer" not in cols and "owner_id" in cols
    assert page.locator("[data-testid=header-owner_id]").count() == 1

    assert not page.is_visible("[data-testid=bulk-bar]")
    page.locator("[data-testid=select-row]").nth(0).check()
    page.locator("[data-testid=select-row]").nth(1).check()
    assert page.inner_text("[data-testid=bulk-count]").strip() == "已选 2"
    page.screenshot(path=str(ARTIFACTS / "list-opportunity-bulk-zh.png"), full_page=False)

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/t/opportunity?size=20")
    scroller = page.locator(".list-scroll")
    assert scroller.evaluate("el => el.scrollWidth > el.clientWidth")
    body_width = page.evaluate("document.documentElement.scrollWidth")
    assert body_width <= 400  # the table scrolls inside its card, the page does not
    page.screenshot(path=str(ARTIFACTS / "list-opportunity-phone-zh.png"), full_page=False)


def test_summary_after_load_and_relation_filter_search(page: Any, engine: Any) -> None:
    """Count and totals arrive after the page; typing a customer's name in the filter
    builder finds it (the forms area's picker search), and the applied filter shows the
    customer's name again, not its id."""
    ARTIFACTS.mkdir(exist_ok=True)
    svc = open_app(engine, "opportunity")
    deals = svc.query(Actor.system(), "opportunity", limit=200, fields=["customer"]).rows
    customers = [svc.get(Actor.system(), "customer", i) for i in {d["customer"] for d in deals}]
    customer = max(customers, key=lambda c: c["name"])  # past the first choices offered
    sign_in(page, "admin")
    page.goto("/t/opportunity?cols=name,customer,amount")
    page.wait_for_selector("[data-testid=totals-row]")
    assert page.locator("[data-testid=totals-pending]").count() == 0
    assert page.inner_text("[data-testid=total-amount]").startswith("¥")
    assert page.inner_text("[data-testid=list-total]").startswith("共")

    page.click("[data-testid=filter-toggle]")
    page.click("[data-testid=filter-add]")
    rule = page.locator("[data-testid=filter-rule]").first
    rule.locator("[data-testid=filter-field]").select_option("customer")
    rule.locator(".ts-control input").fill(customer["name"][:4])
    # only what the server found for the typed text is offered (not the choices preloaded
    # on focus), the customer among them
    page.wait_for_function(
        """text => {
          const offered = [...document.querySelectorAll('.ts-dropdown .option')];
          return offered.length && offered.every(o => o.textContent.includes(text));
        }""",
        arg=customer["name"][:4],
    )
    option = page.locator(".ts-dropdown .option", has_text=customer["name"]).first
    page.screenshot(path=str(ARTIFACTS / "list-relation-search-zh.png"), full_page=False)
    option.click()
    page.click("[data-testid=filter-apply]")
    page.wait_for_url("**filter=*")
    where = json.loads(query_of(page.url)["filter"][0])
    assert where == {"all": [{"field": "customer", "op": "eq", "value": customer["id"]}]}
    page.wait_for_selector("[data-testid=list-total]")
    cells = page.locator("[data-testid=list-row] td:nth-child(3)").all_inner_texts()
    assert cells and set(cells) == {customer["name"]}
    chosen = page.locator("[data-testid=filter-rule] .ts-control .item").first
    assert chosen.inner_text() == customer["name"]
    page.screenshot(path=str(ARTIFACTS / "list-relation-filter-zh.png"), full_page=True)
