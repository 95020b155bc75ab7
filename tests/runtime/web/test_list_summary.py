"""The list's summary fragment (count and totals loaded after the page) and the filter
builder's relation choices searched as the user types instead of preloaded."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import Flask

from runtime import org
from runtime.records import Actor
from tests.runtime.web.conftest import user_id

TOTAL = re.compile(r'data-testid="total-([a-z_]+)">\s*<span[^>]*>([^<]+)<')


def fragment(client: Any, **args: Any) -> str:
    response = client.get(
        "/t/opportunity/summary", query_string=args, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    return response.text


def count_in(html: str) -> int:
    return int(re.search(r"共 ([\d,]+) 条", html).group(1).replace(",", ""))


def service(web_app: Flask) -> Any:
    return web_app.extensions["kairos"].service()


def rep_actor(web_app: Flask, engine: sa.Engine, name: str) -> Actor:
    with engine.connect() as conn:
        return org.load_actor(conn, user_id(engine, name), "opportunity", channel="ui")


def builder(html: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="list-builder">(.*?)</script>', html)
    return json.loads(found.group(1))


def test_summary_obeys_the_reps_row_scope(login: Any, web_app: Flask, engine: Any) -> None:
    who = rep_actor(web_app, engine, "zhao.min")
    svc = service(web_app)
    expected = svc.aggregate(
        who, "opportunity", measures=[("count", None), ("sum", "amount")], where=None
    )[0]
    assert 0 < expected["count"] < svc.count(Actor.system(), "opportunity")
    html = fragment(login("zhao.min"), cols="name,amount")
    assert count_in(html) == expected["count"]
    assert dict(TOTAL.findall(html))["amount"] == f"¥{Decimal(expected['sum_amount']):,.2f}"


def test_summary_with_a_quick_search_counts_like_the_service(login: Any, web_app: Flask) -> None:
    svc = service(web_app)
    name = svc.query(Actor.system(), "opportunity", limit=1, fields=["name"]).rows[0]["name"]
    text = name[:2]
    expected = svc.count(Actor.system(), "opportunity", search=text)
    assert 0 < expected < svc.count(Actor.system(), "opportunity")
    html = fragment(login("admin"), q=text, cols="name,amount,probability")
    assert count_in(html) == expected
    totals = dict(TOTAL.findall(html))
    assert totals["amount"].startswith("¥") and totals["probability"].endswith("%")


def test_page_waits_for_nothing_and_falls_back_without_javascript(login: Any) -> None:
    client = login("admin")
    page = client.get("/t/opportunity?cols=name,amount")
    assert 'data-testid="list-total-pending"' in page.text
    assert 'data-testid="totals-row"' not in page.text
    # a plain request for the fragment (no htmx) lands on the page with the summary in it
    plain = client.get("/t/opportunity/summary?cols=name,amount")
    assert plain.status_code == 302 and "summary=1" in plain.headers["Location"]
    inline = client.get(plain.headers["Location"])
    assert 'data-testid="list-total"' in inline.text and 'data-testid="totals-row"' in inline.text
    assert 'data-testid="list-total-pending"' not in inline.text
    assert count_in(inline.text) == count_in(fragment(client, cols="name,amount"))


def test_an_empty_view_shows_zero_at_once(login: Any) -> None:
    nothing = json.dumps({"field": "amount", "op": "lt", "value": -1})
    page = login("admin").get("/t/opportunity", query_string={"filter": nothing})
    assert 'data-testid="list-empty"' in page.text
    assert count_in(page.text) == 0 and "list-total-pending" not in page.text


def test_a_refused_filter_is_dropped_in_the_summary_as_on_the_page(
    login: Any, web_app: Flask
) -> None:
    forged = json.dumps({"field": "product_margin", "op": "gt", "value": 0})
    html = fragment(login("zhao.min"), filter=forged)
    page = login("zhao.min").get("/t/opportunity", query_string={"filter": forged})
    assert 'data-testid="list-problem"' in page.text
    rep_ids = re.findall(r'data-testid="list-row"', page.text)
    assert count_in(html) >= len(rep_ids) > 0


def test_relation_choices_are_searched_not_preloaded(login: Any, web_app: Flask) -> None:
    svc = service(web_app)
    customer = svc.query(Actor.system(), "customer", limit=1, fields=["name"]).rows[0]
    where = {"all": [{"field": "customer", "op": "in", "value": [customer["id"]]}]}
    client = login("admin")
    page = client.get("/t/opportunity", query_string={"filter": json.dumps(where)})
    config = builder(page.text)
    fields = {f["key"]: f for f in config["fields"]}
    assert fields["customer"]["input"] == "search" and fields["customer"]["options"] == []
    assert fields["stage"]["input"] == "search"
    assert fields["owner_id"]["input"] == "select" and fields["owner_id"]["options"]
    # the chosen customer shows its title; no other customer title is in the page
    assert config["titles"] == {"customer": {str(customer["id"]): customer["name"]}}
    others = svc.query(Actor.system(), "customer", limit=50, fields=["name"]).rows
    listed = {r["name"] for r in others if r["id"] != customer["id"]}
    body = page.text.split('id="list-builder">')[1].split("</script>")[0]
    assert not any(name in body for name in listed)
    # typing a customer's name finds it through the forms area's picker search
    found = client.get(fields["customer"]["search"], query_string={"q": customer["name"]})
    assert customer["id"] in [o["value"] for o in found.get_json()]
    bulk = re.search(r'id="list-bulk">(.*?)</script>', page.text).group(1)
    assert {f["key"]: f for f in json.loads(bulk)}["customer"]["input"] == "search"
