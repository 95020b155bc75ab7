"""The webhook form's visual condition builder in a real browser (zh-CN): rows of field /
operator / value joined by ALL or ANY write the condition JSON, the advanced switch shows
and edits that JSON, and the server names the field when a condition is wrong."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from runtime.webhooks import list_webhooks
from tests.runtime.web.conftest import sign_in
from tests.runtime.webhooks.conftest import APP, make_webhook

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots")


def _rule(page: Any, index: int) -> Any:
    return page.locator("[data-testid=condition-rule]").nth(index)


def _json(page: Any) -> Any:
    text = page.input_value("#condition")
    return json.loads(text) if text.strip() else None


def test_an_analyst_builds_a_condition_without_writing_json(
    hooks_engine: sa.Engine, page: Any
) -> None:
    sign_in(page, "admin")
    page.goto("/admin/webhooks/new")
    page.wait_for_selector("[data-testid=condition-no-table]")
    assert not page.is_visible("#condition")  # the raw JSON hides behind "advanced"
    page.fill("#name", "赢单通知 ERP")
    page.select_option("#table_key", "customer")
    page.wait_for_selector("[data-testid=condition-empty]")

    page.click("[data-testid=condition-add]")
    first = _rule(page, 0)
    first.locator("[data-testid=condition-field-key]").select_option("level")
    ops = first.locator("[data-testid=condition-op] option").all_inner_texts()
    assert {"等于", "为空", "发生变更", "变更前为", "变更为"} <= set(ops)
    first.locator("[data-testid=condition-op]").select_option("changed_to")
    options = first.locator("[data-testid=condition-value] option").all_inner_texts()
    assert "A 重点客户" in options  # the select field's own options, localised
    first.locator("[data-testid=condition-value]").select_option("a")
    assert _json(page) == {"field": "level", "op": "changed_to", "value": "a"}

    page.click("[data-testid=condition-add]")
    second = _rule(page, 1)
    second.locator("[data-testid=condition-field-key]").select_option("reg_capital")
    second.locator("[data-testid=condition-op]").select_option("between")
    bounds = second.locator("input")
    bounds.nth(0).fill("100")
    bounds.nth(1).fill("5000")
    page.click("[data-testid=condition-add]")
    third = _rule(page, 2)
    third.locator("[data-testid=condition-field-key]").select_option("region")
    third.locator("[data-testid=condition-op]").select_option("in")
    third.locator("[data-testid=condition-values]").select_option(["east", "south"])
    page.select_option("[data-testid=condition-match]", "any")
    expected = {
        "any": [
            {"field": "level", "op": "changed_to", "value": "a"},
            {"field": "reg_capital", "op": "between", "value": [100, 5000]},
            {"field": "region", "op": "in", "value": ["east", "south"]},
        ]
    }
    assert _json(page) == expected
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "webhook_condition_builder_zh.png"), full_page=True)

    # an empty value is caught before anything is sent
    page.click("[data-testid=condition-add]")
    _rule(page, 3).locator("[data-testid=condition-field-key]").select_option("name")
    page.fill("#url", "https://erp.example.com/kairos/hook")
    page.click("[data-testid=save-webhook]")
    assert page.inner_text("[data-testid=condition-incomplete]") == "请为每个条件填写值。"
    assert "/new" in page.url
    _rule(page, 3).locator("[data-testid=condition-remove]").click()
    assert not page.is_visible("[data-testid=condition-incomplete]")

    # the advanced switch shows the same JSON, and back
    page.check("[data-testid=condition-advanced]")
    page.wait_for_selector("#condition", state="visible")
    assert json.loads(page.input_value("#condition")) == expected
    page.uncheck("[data-testid=condition-advanced]")
    page.wait_for_selector("#condition", state="hidden")
    assert page.locator("[data-testid=condition-rule]").count() == 3

    page.click("[data-testid=save-webhook]")
    page.wait_for_selector("[data-testid=condition-words]")
    words = page.inner_text("[data-testid=condition-words]")
    assert words == (
        "客户等级 变更为 A 重点客户 或 注册资本 介于 100 – 5000 或 销售大区 属于任一 华东、华南"
    )
    [hook] = list_webhooks(hooks_engine, APP)
    assert hook["condition"] == expected
    assert "失败的保留 90 天" in page.inner_text("[data-testid=delivery-retention]")

    # editing shows the saved condition in the builder again
    page.click("[data-testid=edit-webhook]")
    page.wait_for_selector("[data-testid=condition-rule]")
    assert page.locator("[data-testid=condition-rule]").count() == 3
    assert page.input_value("[data-testid=condition-match]") == "any"
    assert _rule(page, 0).locator("[data-testid=condition-value]").input_value() == "a"
    assert _rule(page, 2).locator("[data-testid=condition-values]").evaluate(
        "el => Array.from(el.selectedOptions).map(o => o.value)"
    ) == ["east", "south"]
    assert not page.is_visible("#condition")


def test_advanced_json_is_checked_by_the_server_and_kept_when_the_builder_cannot_show_it(
    hooks_engine: sa.Engine, page: Any
) -> None:
    SHOTS.mkdir(exist_ok=True)
    sign_in(page, "admin")
    page.goto("/admin/webhooks/new")
    page.fill("#name", "ERP")
    page.select_option("#table_key", "customer")
    page.fill("#url", "https://erp.example.com/hook")
    page.check("[data-testid=condition-advanced]")
    page.fill("#condition", '{"all": [{"field": "level", "op": "eq", "value": "zz"}]}')
    page.click("[data-testid=save-webhook]")
    errors = page.inner_text("[data-testid=condition-field]")
    assert "客户等级：“zz”不是该字段的选项。" in errors
    page.screenshot(path=str(SHOTS / "webhook_condition_json_error_zh.png"), full_page=True)
    # the page comes back in JSON mode with what was typed
    assert page.is_visible("#condition") and page.is_checked("[data-testid=condition-advanced]")
    assert "zz" in page.input_value("#condition")

    # a condition the rows cannot show stays JSON, with a note
    nested = {"not": {"field": "region", "op": "eq", "value": "east"}}
    page.fill("#condition", json.dumps(nested))
    page.click("[data-testid=condition-advanced]")  # back to the builder: refused
    page.wait_for_selector("[data-testid=condition-notice]")
    assert page.is_checked("[data-testid=condition-advanced]") and page.is_visible("#condition")
    assert "无法在可视化编辑器中显示" in page.inner_text("[data-testid=condition-notice]")
    page.fill("#condition", '{"field": "region", "op": "eq", "value": "east"}')
    page.uncheck("[data-testid=condition-advanced]")
    page.wait_for_selector("[data-testid=condition-notice]", state="hidden")
    assert _rule(page, 0).locator("[data-testid=condition-value]").input_value() == "east"

    # a relation's records are searched as one types, as in the list filter
    page.click("[data-testid=condition-add]")
    _rule(page, 1).locator("[data-testid=condition-field-key]").select_option("industry")
    _rule(page, 1).locator(".ts-control").click()
    page.locator(".ts-dropdown .option").first.click()
    leaf = _json(page)["all"][1]
    assert leaf["field"] == "industry" and isinstance(leaf["value"], int)

    # rows of a field the other table lacks go when the table changes
    page.click("[data-testid=condition-add]")
    _rule(page, 2).locator("[data-testid=condition-field-key]").select_option("owner_id")
    owners = _rule(page, 2).locator("[data-testid=condition-value] option").all_inner_texts()
    assert "做出变更的用户" in owners
    _rule(page, 2).locator("[data-testid=condition-value]").select_option("$user")
    page.select_option("#table_key", "opportunity")
    assert page.locator("[data-testid=condition-rule]").count() == 1
    assert _json(page) == {"field": "owner_id", "op": "eq", "value": "$user"}
    page.click("[data-testid=save-webhook]")
    page.wait_for_selector("[data-testid=condition-words]")
    assert page.inner_text("[data-testid=condition-words]") == "负责人 等于 做出变更的用户"


def test_a_saved_condition_the_rows_cannot_show_opens_as_json(
    hooks_engine: sa.Engine, page: Any
) -> None:
    nested = {"any": [{"not": {"field": "region", "op": "eq", "value": "east"}}]}
    hook_id = make_webhook(hooks_engine, "https://erp.example.com/hook", condition=nested)
    sign_in(page, "admin")
    page.goto(f"/admin/webhooks/{hook_id}/edit")
    page.wait_for_selector("[data-testid=condition-notice]")
    assert page.is_checked("[data-testid=condition-advanced]")
    assert json.loads(page.input_value("#condition")) == nested
    page.click("[data-testid=save-webhook]")  # saved unchanged
    page.wait_for_selector("[data-testid=webhook-secret]")
    [hook] = list_webhooks(hooks_engine, APP)
    assert hook["condition"] == nested
