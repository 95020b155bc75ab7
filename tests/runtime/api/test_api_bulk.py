"""Bulk create and bulk update, atomic and per row, with a result per row."""

from __future__ import annotations

from collections.abc import Callable

from tests.runtime.api.conftest import Api
from tests.runtime.api.test_records import customer, problem, unique

BULK = "tables/customer/records/bulk"


def _count(api: Api, prefix: str) -> int:
    body = api.get(f"tables/customer/records?name__starts_with={prefix}&count=true").get_json()
    return int(body["total"])


def test_atomic_bulk_create_writes_every_row(api_as: Callable[..., Api]) -> None:
    api = api_as("xu.qiang")
    prefix = unique("批量")
    rows = [{"name": f"{prefix}{i}", "region": "east"} for i in range(3)]
    response = api.post(BULK, {"records": rows, "mode": "atomic"})
    assert response.status_code == 200
    body = response.get_json()
    assert (body["created"], body["failed"]) == (3, 0)
    assert [r["index"] for r in body["results"]] == [0, 1, 2]
    assert {r["status"] for r in body["results"]} == {201}
    names = {
        api.get(f"tables/customer/records/{r['id']}").get_json()["name"] for r in body["results"]
    }
    assert names == {row["name"] for row in rows}


def test_atomic_bulk_create_names_every_bad_row_and_writes_nothing(
    api_as: Callable[..., Api],
) -> None:
    api = api_as("xu.qiang")
    prefix = unique("原子")
    rows = [
        {"name": f"{prefix}0", "region": "east"},
        {"name": f"{prefix}1"},
        "not a row",
        {"name": f"{prefix}3", "region": "east", "bogus": 1},
    ]
    body = problem(api.post(BULK, {"records": rows}), 422, "validation")  # atomic by default
    bad = {(e["row"], e["field"], e["code"]) for e in body["errors"]}
    assert (1, "region", "required") in bad and (3, "bogus", "unknown_field") in bad
    assert {e["row"] for e in body["errors"]} == {1, 2, 3}
    assert "1, 2, 3" in body["detail"]
    assert _count(api, prefix) == 0


def test_per_row_bulk_create_keeps_the_good_rows(api_as: Callable[..., Api]) -> None:
    api = api_as("xu.qiang")
    prefix = unique("逐行")
    rows = [{"name": f"{prefix}0", "region": "east"}, {"name": f"{prefix}1"}, 7,
            {"name": f"{prefix}3", "region": "southwest"}]  # fmt: skip
    body = api.post(BULK, {"records": rows, "mode": "per_row"}).get_json()
    assert (body["created"], body["failed"]) == (2, 2)
    statuses = [r["status"] for r in body["results"]]
    assert statuses == [201, 422, 422, 201]
    failed = body["results"][1]["problem"]
    assert failed["code"] == "validation" and failed["errors"][0]["field"] == "region"
    assert "instance" not in failed
    assert "id" in body["results"][0] and "id" not in body["results"][1]
    assert _count(api, prefix) == 2


def test_bulk_request_shape_and_limits(api_as: Callable[..., Api]) -> None:
    api = api_as("xu.qiang")
    problem(api.post(BULK, {"records": {"name": "x"}}), 400, "bad_request")
    problem(api.post(BULK, {"records": [], "mode": "sometimes"}), 400, "bad_request")
    problem(api.post(BULK, {"records": [], "extra": 1}), 400, "bad_request")
    problem(api.post(BULK, [{"name": "x"}]), 400, "malformed_json")
    too_many = {"records": [{"name": "x", "region": "east"}] * 1001}
    body = problem(api.post(BULK, too_many), 413, "too_large")
    assert "1000" in body["detail"] or "1,000" in body["detail"]
    empty = api.post(BULK, {"records": []}).get_json()
    assert empty == {"results": [], "created": 0, "failed": 0}


def test_bulk_update_reports_each_row(api_as: Callable[..., Api]) -> None:
    api = api_as("xu.qiang")
    first, second = customer(api), customer(api)
    others = api_as("zhao.min").get("tables/customer/records?limit=1").get_json()["data"]
    rows = [
        {"id": first["id"], "short_name": "一"},
        {"id": second["id"], "short_name": "二", "row_version": 5},
        {"short_name": "没有 id"},
        {"id": 999999999, "short_name": "x"},
        {"id": others[0]["id"], "short_name": "x"},
        {"id": first["id"], "region": "mars"},
        ["junk"],
    ]
    response = api.patch(BULK, {"records": rows, "mode": "per_row"})
    assert response.status_code == 200
    body = response.get_json()
    assert [r["status"] for r in body["results"]] == [200, 409, 422, 404, 404, 422, 422]
    assert (body["updated"], body["failed"]) == (1, 6)
    assert body["results"][0]["record"]["short_name"] == "一"
    assert body["results"][1]["problem"]["row_version"] == 1
    assert api.get(f"tables/customer/records/{second['id']}").get_json()["short_name"] is None


def test_atomic_bulk_update_changes_every_row_or_none(api_as: Callable[..., Api]) -> None:
    api = api_as("xu.qiang")
    first, second = customer(api), customer(api)
    good = [{"id": first["id"], "short_name": "一"}, {"id": second["id"], "short_name": "二"}]
    body = api.patch(BULK, {"records": good}).get_json()  # atomic by default
    assert (body["updated"], body["failed"]) == (2, 0)
    bad = [{"id": first["id"], "short_name": "改"}, {"short_name": "没有 id"}]
    refused = problem(api.patch(BULK, {"records": bad, "mode": "atomic"}), 422, "validation")
    assert [(e["row"], e["field"]) for e in refused["errors"]] == [(1, "id")]
    assert api.get(f"tables/customer/records/{first['id']}").get_json()["short_name"] == "一"
