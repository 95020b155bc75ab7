"""Possible duplicates show on the form while the user types, with links, before saving."""

from __future__ import annotations

from typing import Any

import pytest

from runtime.records import Actor
from tests.runtime.web.conftest import ARTIFACTS, sign_in


def _existing_customer(web_app: Any) -> dict[str, Any]:
    service = web_app.extensions["kairos"].service()
    return service.create(
        Actor.system(),
        "customer",
        {"name": "杭州阿里巴巴网络科技有限公司", "level": "a", "region": "east"},
    )


def test_recompute_names_possible_duplicates_with_links(web_app: Any, login: Any) -> None:
    existing = _existing_customer(web_app)
    draft = {"name": "阿里巴巴（杭州）网络科技", "level": "b", "region": "east"}
    result = login("admin").post("/t/customer/_form/recompute", data=draft).get_json()
    (warning,) = result["warnings"]
    assert "可能与已有客户重复" in warning["message"]
    assert [m["id"] for m in warning["matches"]] == [existing["id"]]
    assert warning["matches"][0]["url"] == f"/t/customer/{existing['id']}"
    client = login("admin")
    client.post("/locale/en")
    english = client.post("/t/customer/_form/recompute", data=draft).get_json()
    assert "possibly a duplicate" in english["warnings"][0]["message"]


def test_a_different_company_gets_no_warning(web_app: Any, login: Any) -> None:
    _existing_customer(web_app)
    draft = {"name": "上海浦东发展银行", "level": "b", "region": "east"}
    result = login("admin").post("/t/customer/_form/recompute", data=draft).get_json()
    assert result["warnings"] == []


@pytest.mark.browser
def test_the_form_shows_the_warning_with_links(page: Any, sample: str) -> None:
    from runtime.apps import open_app
    from runtime.db import create_engine

    engine = create_engine(sample)
    existing = open_app(engine, "opportunity").create(
        Actor.system(), "customer", {"name": "杭州阿里巴巴网络科技有限公司", "region": "east"}
    )
    engine.dispose()
    sign_in(page, "admin")
    page.goto("/t/customer/new")
    page.fill("[name=name]", "阿里巴巴（杭州）网络科技")
    box = page.locator("[data-testid=duplicate-warnings]")
    box.wait_for(state="visible")
    assert box.locator(f"a[data-duplicate-id='{existing['id']}']").count() == 1
    page.screenshot(path=str(ARTIFACTS / "form-duplicate-warning-zh.png"), full_page=True)
