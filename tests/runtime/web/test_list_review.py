"""List fixes from review: precise, localised filter and paging problems; bulk edit of
reference fields by choosing, not by typing ids."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Flask

from runtime.records import Actor
from tests.runtime.web.test_list import all_ids, row_ids


def _problem(html: str) -> str:
    found = re.search(r'data-testid="list-problem">([^<]*)<', html)
    assert found is not None, "no problem banner"
    return found[1]


def test_invalid_filter_value_is_explained_in_the_readers_language(login: Any) -> None:
    bad = json.dumps({"field": "amount", "op": "gt", "value": "abc"})
    zh = login("admin").get("/t/opportunity", query_string={"filter": bad})
    assert zh.status_code == 200 and row_ids(zh.text)
    text = _problem(zh.text)
    assert text.startswith("查询条件无效：") and "预计金额" in text and "abc" in text
    assert not re.search(r"[A-Za-z]{4,}", text.replace("abc", ""))  # no English left
    client = login("admin")
    client.post("/locale/en")
    english = _problem(client.get("/t/opportunity", query_string={"filter": bad}).text)
    assert english.startswith("The query is invalid:") and "Amount" in english
    assert "abc" in english and not re.search(r"[\u4e00-\u9fff]", english)


def test_bad_cursor_is_a_paging_problem_and_shows_the_first_page(
    login: Any, web_app: Flask
) -> None:
    client = login("admin")
    first = client.get("/t/opportunity?size=20&sort=-amount")
    bad = client.get("/t/opportunity?size=20&sort=-amount&after=garbled!!")
    assert bad.status_code == 200
    assert _problem(bad.text) == "分页位置无效，已回到第一页。"
    assert row_ids(bad.text) == row_ids(first.text)


def test_bad_cursor_keeps_a_valid_filter(login: Any, web_app: Flask) -> None:
    where = {"field": "amount", "op": "gt", "value": 100000}
    bad = login("admin").get(
        "/t/opportunity", query_string={"filter": json.dumps(where), "after": "xyz", "size": 200}
    )
    assert "查询条件无效" not in bad.text
    assert sorted(row_ids(bad.text)) == all_ids(web_app, "opportunity", where)[:200]


def test_bulk_edit_offers_choices_for_reference_fields(login: Any, web_app: Flask) -> None:
    client = login("admin")
    page = client.get("/t/opportunity").text
    found = re.search(r'id="list-bulk">(.*?)</script>', page, re.S)
    assert found is not None
    fields = {f["key"]: f for f in json.loads(found[1])}
    # relation choices are searched as the user types (the form pickers' search), not
    # loaded with the page
    for key in ("stage", "customer"):
        assert fields[key]["input"] == "search" and fields[key]["options"] == [], key
    svc = web_app.extensions["kairos"].service()
    stages = svc.query(
        Actor.system(),
        "pipeline_stage",
        where={"field": "active", "op": "eq", "value": True},
        order_by=[("sequence", "asc")],
        fields=["name"],
    )
    offered = client.get(fields["stage"]["search"], query_string={"q": ""}).get_json()
    assert [o["text"] for o in offered] == [r["name"] for r in stages.rows]
