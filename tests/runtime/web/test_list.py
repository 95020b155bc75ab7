"""The record list: headers, permissions, filter, sort, search, keyset pages, totals."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask

from runtime.records import Actor, RecordService
from tests.runtime.web.conftest import user_id

ROW_IDS = re.compile(r'data-id="(\d+)" data-testid="list-row"')


def row_ids(html: str) -> list[int]:
    return [int(i) for i in ROW_IDS.findall(html)]


def headers(html: str) -> list[str]:
    return re.findall(r'data-testid="header-([a-z_]+)"', html)


def system_service(web_app: Flask) -> Any:
    return web_app.extensions["kairos"].service()


def all_ids(web_app: Flask, table: str, where: Any = None, actor: Actor | None = None) -> list[int]:
    svc = system_service(web_app)
    page = svc.query(actor or Actor.system(), table, where=where, limit=1000, fields=[])
    return sorted(r["id"] for r in page.rows)


def summary(client: Any, **args: Any) -> Any:
    """The summary fragment the page loads after it renders (count and totals)."""
    return client.get("/t/opportunity/summary", query_string=args, headers={"HX-Request": "true"})


def test_list_renders_localised_headers_and_total(login: Any, web_app: Flask) -> None:
    total = len(all_ids(web_app, "opportunity"))
    admin = login("admin")
    zh = admin.get("/t/opportunity")
    assert zh.status_code == 200
    assert "<th" in zh.text and "商机名称" in zh.text and "客户" in zh.text
    assert f"共 {total:,} 条" not in zh.text  # the count comes after the page
    assert 'hx-get="/t/opportunity/summary' in zh.text
    assert f"共 {total:,} 条" in summary(admin).text
    assert headers(zh.text)[0] == "name"
    assert "¥" in zh.text  # money shown formatted
    client = login("admin")
    client.post("/locale/en")
    en = client.get("/t/opportunity")
    assert "Opportunity name" in en.text
    assert f"{total:,} records in total" in summary(client).text
    assert "商机名称" not in en.text.split("<tbody>")[0].split("<thead>")[-1]


def test_unknown_or_unreadable_table_is_404(login: Any) -> None:
    assert login("admin").get("/t/no_such_table").status_code == 404


def test_sales_rep_sees_only_own_records_and_never_a_hidden_field(
    login: Any, web_app: Flask, engine: Any
) -> None:
    rep = user_id(engine, "zhao.min")
    own = all_ids(web_app, "opportunity", {"field": "owner_id", "op": "eq", "value": rep})
    assert own, "the sample gives zhao.min opportunities"
    client = login("zhao.min")
    page = client.get("/t/opportunity?size=200&cols=name,amount,product_margin")
    assert page.status_code == 200
    assert sorted(row_ids(page.text)) == own
    assert headers(page.text) == ["name", "amount"]
    # not a column, not in the chooser or filter builder (the requested URL echoed back in
    # "return to" fields aside)
    shown = re.sub(r'value="/t/opportunity[^"]*"', "", page.text)
    assert "product_margin" not in shown
    assert "产品毛利" not in shown
    admin = login("admin").get("/t/opportunity?cols=name,product_margin")
    assert headers(admin.text) == ["name", "product_margin"]
    # a forged filter on the hidden field is refused, not evaluated
    forged = json.dumps({"field": "product_margin", "op": "gt", "value": 0})
    refused = client.get("/t/opportunity", query_string={"filter": forged})
    assert refused.status_code == 200
    assert 'data-testid="list-problem"' in refused.text


def test_filter_sort_and_search(login: Any, web_app: Flask) -> None:
    client = login("admin")
    where = {"all": [{"field": "amount", "op": "gte", "value": 100000}]}
    page = client.get(
        "/t/opportunity",
        query_string={
            "filter": json.dumps(where),
            "sort": "-amount",
            "cols": "name,amount",
            "size": 200,
        },
    )
    assert page.status_code == 200
    expected = all_ids(web_app, "opportunity", where)
    ids = row_ids(page.text)
    assert sorted(ids) == expected and expected
    svc = system_service(web_app)
    amounts = [Decimal(str(svc.get(Actor.system(), "opportunity", i)["amount"])) for i in ids]
    assert amounts == sorted(amounts, reverse=True)
    assert all(a >= 100000 for a in amounts)
    ascending = client.get("/t/opportunity", query_string={"sort": "amount", "size": 200})
    first = svc.get(Actor.system(), "opportunity", row_ids(ascending.text)[0])
    assert Decimal(first["amount"] or 0) <= amounts[-1]

    name = svc.get(Actor.system(), "opportunity", ids[0])["name"]
    fragment = name[:4]
    found = client.get("/t/opportunity", query_string={"q": fragment, "size": 200})
    matching = all_ids(
        web_app, "opportunity", {"field": "name", "op": "contains", "value": fragment}
    )
    assert sorted(row_ids(found.text)) == matching
    empty = client.get("/t/opportunity", query_string={"q": "不存在的商机名称XYZ"})
    assert 'data-testid="list-empty"' in empty.text and "没有匹配的记录" in empty.text


def test_invalid_filter_is_reported_and_ignored(login: Any) -> None:
    client = login("admin")
    for bad in ("{not json", json.dumps({"field": "no_such", "op": "eq", "value": 1})):
        page = client.get("/t/opportunity", query_string={"filter": bad})
        assert page.status_code == 200
        assert 'data-testid="list-problem"' in page.text
        assert row_ids(page.text)


def test_keyset_pages_do_not_overlap_and_previous_returns(login: Any, web_app: Flask) -> None:
    client = login("admin")
    first = client.get("/t/opportunity?size=20&sort=-amount")
    page1 = row_ids(first.text)
    assert len(page1) == 20
    next_url = re.search(r'href="([^"]+)" data-testid="page-next"', first.text).group(1)
    second = client.get(next_url.replace("&amp;", "&"))
    page2 = row_ids(second.text)
    assert page2 and not set(page1) & set(page2)
    assert "第 2 页" in second.text
    prev_url = re.search(r'href="([^"]+)" data-testid="page-previous"', second.text).group(1)
    back = client.get(prev_url.replace("&amp;", "&"))
    assert row_ids(back.text) == page1
    # walking every page visits each record exactly once
    seen, url = [], "/t/opportunity?size=20"
    while url:
        page = client.get(url)
        seen += row_ids(page.text)
        found = re.search(
            r'<li class="page-item">\s*<a class="page-link" href="([^"]+)" data-testid="page-next"',
            page.text,
        )
        url = found.group(1).replace("&amp;", "&") if found else None
    assert sorted(seen) == all_ids(web_app, "opportunity")


def test_totals_cover_the_whole_filtered_set(login: Any, web_app: Flask) -> None:
    where = {"field": "status", "op": "eq", "value": "won"}
    svc = system_service(web_app)
    expected = svc.aggregate(
        Actor.system(), "opportunity", measures=[("sum", "amount")], where=where
    )
    total = Decimal(expected[0]["sum_amount"])
    args = {"filter": json.dumps(where), "size": 20, "cols": "name,amount"}
    client = login("admin")
    page = client.get("/t/opportunity", query_string=args)
    assert 'data-testid="totals-pending"' in page.text and "total-amount" not in page.text
    fragment = summary(client, **args).text
    cell = re.search(r'data-testid="total-amount">\s*<span[^>]*>([^<]+)<', fragment).group(1)
    assert cell == f"¥{total:,.2f}"
    count = len(all_ids(web_app, "opportunity", where))
    assert f"共 {count:,} 条" in fragment and 'hx-swap-oob="true"' in fragment


@pytest.mark.parametrize("column", ["customer", "owner_id"])
def test_references_show_titles_not_ids(login: Any, column: str) -> None:
    page = login("admin").get(f"/t/opportunity?cols=name,{column}&size=20")
    body = page.text.split("<tbody>")[1].split("</tbody>")[0]
    assert not re.search(r">#\d+<", body)
    assert re.search(r"[\u4e00-\u9fff]{2,}", body)


def test_sortable_header_toggles_direction(login: Any) -> None:
    page = login("admin").get("/t/opportunity?sort=amount&cols=name,amount")
    link = re.search(r'href="([^"]+)"[^>]*>预计金额', page.text).group(1)
    assert "sort=-amount" in link


@pytest.fixture
def restricted_manager(monkeypatch: pytest.MonkeyPatch) -> None:
    """lin.feng (sales manager, may export) as if a role hid opportunity.product_margin
    and masked customer.phone — the sample has no exporting role with such fields."""
    original = RecordService.access

    def access(self: RecordService, actor: Actor, plan: Any) -> Any:
        result = original(self, actor, plan)
        if (
            actor.display_name
            and not actor.unrestricted
            and plan.key in ("opportunity", "customer")
        ):
            extra = (
                {"product_margin": "hidden"} if plan.key == "opportunity" else {"phone": "masked"}
            )
            return replace(result, field_access={**result.field_access, **extra})
        return result

    monkeypatch.setattr(RecordService, "access", access)


def test_masked_values_are_shown_masked_and_cannot_be_sorted(
    login: Any, restricted_manager: None
) -> None:
    page = login("lin.feng").get("/t/customer?cols=name,phone&size=200")
    body = page.text.split("<tbody>")[1].split("</tbody>")[0]
    phones = re.findall(
        r'<td class=" text-secondary"><span class="list-cell" title="([^"]*)"', body
    )
    assert phones and all("*" in p for p in phones)
    header = re.search(r'data-testid="header-phone">(.*?)</th>', page.text, re.S).group(1)
    assert "<a" not in header  # no sort link on a masked column
    assert login("lin.feng").get("/t/customer?sort=phone").status_code == 200


def test_options_show_as_coloured_badges(login: Any) -> None:
    page = login("admin").get("/t/opportunity?cols=name,priority&size=200")
    assert re.search(r'<span class="badge bg-red-lt me-1">高</span>', page.text)


BUILDER_CONDITIONS = [
    {"all": [{"field": "stage_entered_at", "op": "gte", "value": "2026-01-01"}]},
    {"all": [{"field": "created_at", "op": "between", "value": ["2020-01-01", "2030-01-01"]}]},
    {"any": [{"field": "priority", "op": "in", "value": ["high", "low"]}]},
    {"all": [{"field": "expected_close_date", "op": "within_next_days", "value": 30}]},
    {
        "all": [
            {"field": "lost_reason", "op": "is_not_empty"},
            {"field": "amount", "op": "lt", "value": 50000},
        ]
    },
]


@pytest.mark.parametrize("where", BUILDER_CONDITIONS)
def test_conditions_the_builder_produces_filter_the_list(
    login: Any, web_app: Flask, where: dict[str, Any]
) -> None:
    page = login("admin").get(
        "/t/opportunity", query_string={"filter": json.dumps(where), "size": 200}
    )
    assert 'data-testid="list-problem"' not in page.text
    assert sorted(row_ids(page.text)) == all_ids(web_app, "opportunity", where)


def test_me_in_a_filter_means_the_reader(login: Any, web_app: Flask, engine: Any) -> None:
    where = {"all": [{"field": "owner_id", "op": "eq", "value": "$user"}]}
    page = login("lin.feng").get("/t/opportunity", query_string={"filter": json.dumps(where)})
    mine = {"field": "owner_id", "op": "eq", "value": user_id(engine, "lin.feng")}
    assert sorted(row_ids(page.text)) == all_ids(web_app, "opportunity", mine)
