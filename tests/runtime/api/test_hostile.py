"""Hostile input never gets a 500: wrong types, huge numbers, nested junk, unicode, NUL
bytes, in bodies, query parameters and URLs — each gets a specific problem."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest

from tests.runtime.api.conftest import Api
from tests.runtime.api.test_records import customer, problem

RECORDS = "/api/v1/tables/opportunity/records"
DEEP = "[" * 50_000 + "]" * 50_000


@pytest.fixture
def rep(api_as: Callable[..., Api]) -> Api:
    return api_as("zhao.min")


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("limit=0", "bad_parameter"),
        ("limit=-1", "bad_parameter"),
        ("limit=201", "bad_parameter"),
        ("limit=1e3", "bad_parameter"),
        ("limit=abc", "bad_parameter"),
        ("limit=" + "9" * 400, "bad_parameter"),
        ("limit=%EF%BC%95", "bad_parameter"),  # fullwidth digit
        ("limit=1&limit=2", "bad_parameter"),
        ("count=1", "bad_parameter"),
        ("fields=", "bad_parameter"),
        ("fields=name,,amount", "bad_parameter"),
        ("fields=name,name", "bad_parameter"),
        ("fields=%E5%90%8D%E7%A7%B0", "bad_parameter"),
        ("sort=--amount", "bad_parameter"),
        ("sort=,", "bad_parameter"),
        ("sort=-", "bad_parameter"),
        ("sort=amount,-amount", "bad_parameter"),
        ("sort=lines", "bad_parameter"),
        ("bogus=1", "bad_parameter"),
        ("%7B0%7D=1", "bad_parameter"),  # braces in names are text, never a format string
        ("fields=%7Bname%7D", "bad_parameter"),
        ("sort=%7D", "bad_parameter"),
        ("amount__%7Bx%7D=1", "bad_parameter"),
        ("amount__between=1", "bad_parameter"),
        ("amount__gt=lots", "bad_query"),
        ("amount__gt=1e999", "bad_query"),
        ("amount__gt=" + "9" * 40, "bad_query"),
        ("id=abc", "bad_query"),
        ("id=99999999999999999999999", "bad_query"),
        ("created_at__gt=yesterday", "bad_query"),
        ("status__in=" + ",".join(["won"] * 600), "bad_query"),
        ("name__contains=" + "x" * 5001, "bad_parameter"),
        ("q=" + "x" * 201, "bad_query"),
        ("name=a%00b", "bad_parameter"),
        ("na%00me=a", "bad_parameter"),
        ("where={bad", "bad_parameter"),
        ("where=[]", "bad_parameter"),
        ("where={}", "bad_parameter"),
        ("where=NaN", "bad_parameter"),
        ("where=" + quote(DEEP[:40_000]), "bad_parameter"),
        ("where=" + quote('{"field":"amount","op":"gt","value":1e999}'), "bad_parameter"),
        ("where=" + quote('{"field":"amount","op":"gt","value":[1,[2]]}'), "bad_query"),
        ("where=" + quote('{"field":"nope","op":"eq","value":1}'), "bad_query"),
        ("where=" + quote('{"field":"name","op":"explode","value":1}'), "bad_query"),
        ("where=" + quote('{"all": 5}'), "bad_query"),
        ("where=" + quote('{"field": "name", "op": "eq", "value": 1e308}'), "bad_query"),
        (
            "where=" + quote(json.dumps({"field": "name", "op": "eq", "value": "a\x00b"})),
            "bad_query",
        ),
        ("where=" + quote(json.dumps({"not": {"not": {"not": {}}}})), "bad_query"),
        ("cursor=garbage", "bad_query"),
        ("cursor=" + "A" * 2001, "bad_parameter"),
        ("cursor=%E4%B8%AD", "bad_parameter"),
        ("cursor=eyJzIjoiMCIsInYiOltdfQ", "bad_query"),
    ],
)
def test_hostile_list_queries_are_400(rep: Api, query: str, code: str) -> None:
    response = rep.get(f"{RECORDS}?{query}")
    problem(response, 400, code)


def test_a_cursor_of_another_sort_is_refused(rep: Api) -> None:
    cursor = rep.get(f"{RECORDS}?limit=1&sort=amount").get_json()["next_cursor"]
    assert cursor
    problem(rep.get(f"{RECORDS}?limit=1&sort=name&cursor={cursor}"), 400, "bad_query")


@pytest.mark.parametrize(
    "record_id",
    ["abc", "-1", "0", "1.5", "99999999999999999999999", "%00", "%E4%B8%AD", "1e3", " 1"],
)
def test_hostile_ids_are_404(rep: Api, record_id: str) -> None:
    for method in ("GET", "PATCH"):  # a rep may not delete at all: 403 before any lookup
        body = {"name": "x"} if method == "PATCH" else None
        response = rep.call(method, f"{RECORDS}/{record_id}", json=body)
        problem(response, 404, "not_found")


HOSTILE_VALUES: list[Any] = [
    None,
    True,
    12,
    -(10**30),
    10**30,
    1.5e300,
    "",
    " ",
    "x" * 100_000,
    "a\x00b",
    "😀" * 50,
    "\u202e\u200b",
    [],
    [1, [2, [3]]],
    {},
    {"$gt": ""},
    {"nested": {"deeper": ["junk", None, {"x": "\x00"}]}},
]


@pytest.mark.parametrize("value", HOSTILE_VALUES, ids=lambda v: repr(v)[:30])
def test_hostile_values_in_every_kind_of_field_never_500(rep: Api, value: Any) -> None:
    keys = ("name", "customer", "stage", "amount", "currency", "probability",
            "expected_close_date", "priority", "lines", "stage_entered_at")  # fmt: skip
    response = rep.post(RECORDS, dict.fromkeys(keys, value))
    assert response.status_code == 422, response.data
    body = response.get_json()
    assert body["errors"] if body["code"] == "validation" else body["code"] == "number_out_of_range"
    update = rep.patch(f"{RECORDS}/{min(_ids(rep))}", {"amount": value, "next_step": value})
    assert update.status_code in (200, 422), update.data


def _ids(rep: Api) -> list[int]:
    return [r["id"] for r in rep.get(f"{RECORDS}?fields=id").get_json()["data"]]


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        (b"{", 400, "malformed_json"),
        (b"\xff\xfe{}", 400, "malformed_json"),
        (b'{"name": NaN}', 400, "malformed_json"),
        (b'{"name": Infinity}', 400, "malformed_json"),
        (b'{"name": ' + b"9" * 5000 + b"}", 400, "malformed_json"),
        (DEEP.encode(), 400, "malformed_json"),
        (b'"just a string"', 400, "malformed_json"),
        (b"null", 400, "malformed_json"),
        (b"[]", 400, "malformed_json"),
        (b'{"name": 1e999}', 400, "malformed_json"),
        (b'{"name": 1.5e308}', 422, "validation"),  # 309 digits: longer than the name allows
        (b'{"row_version": "x"}', 422, "validation"),
        (b'{"name": "\\u0000"}', 422, "validation"),
    ],
)
def test_hostile_bodies(rep: Api, data: bytes, status: int, code: str) -> None:
    response = rep.call("POST", RECORDS, data=data, content_type="application/json")
    problem(response, status, code)


def test_hostile_patch_bodies_and_headers(rep: Api) -> None:
    own = customer(rep)
    path = f"/api/v1/tables/customer/records/{own['id']}"
    problem(rep.patch(path, {"row_version": "1; drop table"}), 422, "validation")
    problem(rep.patch(path, {"row_version": 10**30}), 422, "validation")
    problem(rep.patch(path, {"id": 5, "owner_id": 1}), 422, "validation")
    for header in ('"abc"', '"-1"', '"' + "9" * 40 + '"', "\u4e2d"):
        latin = header.encode().decode("latin-1")
        response = rep.patch(path, {"short_name": "x"}, headers={"If-Match": latin})
        problem(response, 400, "bad_request")
    for ids in ("x" * 100, [1], 10**30):
        bulk = {"records": [{"id": ids}], "mode": "per_row"}
        answer = rep.patch("/api/v1/tables/customer/records/bulk", bulk)
        assert answer.status_code == 200
        assert answer.get_json()["results"][0]["status"] == 404


def test_hostile_aggregates(rep: Api) -> None:
    url = "/api/v1/tables/opportunity/aggregate"
    for query, code in [
        ("measures=", "bad_parameter"),
        ("measures=count,count", "bad_parameter"),
        ("measures=sum:", "bad_parameter"),
        ("measures=%00", "bad_parameter"),
        ("measures=%7B%7D:x", "bad_parameter"),
        ("measures=sum:%7D", "bad_parameter"),
        ("group_by=lines", "bad_parameter"),
        ("group_by=status,status", "bad_parameter"),
        ("measures=avg:status", "bad_query"),
        ("where=" + quote(DEEP[:1000]), "bad_parameter"),
    ]:
        problem(rep.get(f"{url}?{query}"), 400, code)
