"""Every record endpoint of /api/v1 and its statuses, on the shared sample app."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from runtime.records import Actor
from tests.runtime.api.conftest import Api, user_id


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.data
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert (body["status"], body["code"]) == (status, code)
    assert body["type"] == f"https://kairos.dev/problems/{code}"
    return body


def customer(api: Api, **values: Any) -> dict[str, Any]:
    response = api.post(
        "tables/customer/records", {"name": unique("API客户"), "region": "east", **values}
    )
    assert response.status_code == 201, response.data
    return response.get_json()  # type: ignore[no-any-return]


def test_tables_lists_readable_top_level_tables_with_actions(api_as: Callable[..., Api]) -> None:
    body = api_as("xu.qiang").get("tables").get_json()
    by_key = {t["key"]: t for t in body["data"]}
    assert by_key["opportunity"]["label"] == {"zh-CN": "商机", "en": "Opportunity"}
    assert by_key["opportunity"]["actions"] == ["read", "create", "update"]
    assert by_key["pipeline_stage"]["actions"] == ["read"]
    assert "opportunity_line" not in by_key  # child rows travel inside their parent
    read_only = api_as("xu.qiang", access="read").get("tables").get_json()
    assert {t["key"]: t["actions"] for t in read_only["data"]}["opportunity"] == ["read"]


def test_list_walks_every_page_once_with_a_count(
    api_app: Flask, api_as: Callable[..., Api]
) -> None:
    api = api_as("xu.qiang")
    me = user_id(api_app.extensions["kairos"].engine, "xu.qiang")
    seen: list[int] = []
    cursor = None
    while True:
        query = "limit=4&count=true" + (f"&cursor={cursor}" if cursor else "")
        body = api.get(f"tables/opportunity/records?{query}").get_json()
        assert body["total"] == 9
        seen += [row["id"] for row in body["data"]]
        assert all(row["owner_id"] == me for row in body["data"])
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 9
    plain = api.get("tables/opportunity/records").get_json()
    assert "total" not in plain and len(plain["data"]) == 9 and plain["next_cursor"] is None


def test_list_fields_sort_and_filters(api_as: Callable[..., Api]) -> None:
    api = api_as("zhao.min")
    rows = api.get("tables/opportunity/records?fields=name,amount&sort=-amount").get_json()["data"]
    assert rows and {"name", "amount", "id"} <= set(rows[0]) and "stage" not in rows[0]
    amounts = [float(r["amount"]) for r in rows]
    assert amounts == sorted(amounts, reverse=True)
    top = amounts[0]
    assert (
        api.get(f"tables/opportunity/records?amount__gte={top}").get_json()["data"][0]["amount"]
        == rows[0]["amount"]
    )
    assert api.get(f"tables/opportunity/records?amount__gt={top}").get_json()["data"] == []
    won = api.get("tables/opportunity/records?status=won&fields=status").get_json()["data"]
    assert won and {r["status"] for r in won} == {"won"}
    closed = api.get("tables/opportunity/records?status__in=won,lost&fields=status").get_json()
    assert {r["status"] for r in closed["data"]} <= {"won", "lost"}
    not_won = api.get("tables/opportunity/records?status__ne=won&fields=status").get_json()
    assert "won" not in {r["status"] for r in not_won["data"]}
    name = rows[0]["name"]
    by_prefix = api.get(f"tables/opportunity/records?name__starts_with={name[:4]}").get_json()
    assert name in {r["name"] for r in by_prefix["data"]}
    searched = api.get(f"tables/opportunity/records?q={name}").get_json()["data"]
    assert [r["name"] for r in searched] == [name]
    where = json.dumps({"field": "amount", "op": "gte", "value": rows[0]["amount"]})
    combined = api.get(f"tables/opportunity/records?where={where}&status__ne=zzz").get_json()
    assert [r["name"] for r in combined["data"]] == [name]


def test_get_one_record_with_or_without_fields(api_as: Callable[..., Api]) -> None:
    api = api_as("xu.qiang")
    first = api.get("tables/opportunity/records?limit=1").get_json()["data"][0]
    full = api.get(f"tables/opportunity/records/{first['id']}").get_json()
    assert full["id"] == first["id"] and isinstance(full["lines"], list)
    slim = api.get(f"tables/opportunity/records/{first['id']}?fields=name").get_json()
    assert slim["name"] == first["name"] and "amount" not in slim
    problem(api.get("tables/opportunity/records/99999999"), 404, "not_found")


def test_create_answers_201_with_location_and_audits_the_api_channel(
    api_app: Flask, api_as: Callable[..., Api]
) -> None:
    api = api_as("xu.qiang")
    name = unique("新客户")
    response = api.post("tables/customer/records", {"name": name, "region": "east"})
    assert response.status_code == 201
    record = response.get_json()
    assert record["name"] == name and record["row_version"] == 1
    assert response.headers["Location"].endswith(f"/api/v1/tables/customer/records/{record['id']}")
    assert api.get(response.headers["Location"]).get_json()["name"] == name
    service = api_app.extensions["kairos"].service()
    history = service.history(Actor.system(), "customer", record["id"])
    assert [(h.action, h.channel) for h in history] == [("create", "api")]


def test_create_reports_every_validation_error(api_as: Callable[..., Api]) -> None:
    body = problem(
        api_as("xu.qiang").post("tables/customer/records", {"region": "mars", "bogus": 1}),
        422,
        "validation",
    )
    codes = {(e["field"], e["code"]) for e in body["errors"]}
    assert ("bogus", "unknown_field") in codes and ("name", "required") in codes
    assert all(e["message"] for e in body["errors"])


def test_update_with_row_version_and_if_match(api_as: Callable[..., Api]) -> None:
    api = api_as("xu.qiang")
    record = customer(api)
    path = f"tables/customer/records/{record['id']}"
    changed = api.patch(path, {"short_name": "甲", "row_version": 1})
    assert changed.status_code == 200 and changed.get_json()["row_version"] == 2
    stale = problem(api.patch(path, {"short_name": "乙", "row_version": 1}), 409, "conflict")
    assert stale["row_version"] == 2 and stale["updated_by_name"] == "徐强"
    assert stale["updated_at"]
    problem(api.patch(path, {"short_name": "乙"}, headers={"If-Match": '"1"'}), 409, "conflict")
    ok = api.patch(path, {"short_name": "乙"}, headers={"If-Match": 'W/"2"'})
    assert ok.status_code == 200 and ok.get_json()["short_name"] == "乙"
    problem(api.patch(path, {"short_name": "丙"}, headers={"If-Match": "*"}), 400, "bad_request")
    assert api.patch(path, {"short_name": "丁"}).get_json()["row_version"] == 4  # no token
    problem(api.patch(path, {"region": "mars"}), 422, "validation")


def test_delete_to_the_bin_and_restore(api_as: Callable[..., Api]) -> None:
    manager = api_as("sun.ming")
    record = customer(manager)
    path = f"tables/customer/records/{record['id']}"
    problem(manager.delete(path, headers={"If-Match": '"7"'}), 409, "conflict")
    deleted = manager.delete(path)
    assert deleted.status_code == 204 and deleted.data == b""
    problem(manager.get(path), 404, "not_found")
    problem(manager.delete(path), 404, "not_found")
    restored = manager.post(path + "/restore")
    assert restored.status_code == 200 and restored.get_json()["id"] == record["id"]
    assert manager.get(path).status_code == 200
    problem(manager.post(path + "/restore"), 404, "not_found")
    rep = api_as("xu.qiang")
    own = customer(rep)
    problem(rep.delete(f"tables/customer/records/{own['id']}"), 403, "forbidden")


def test_upsert_creates_then_updates(api_as: Callable[..., Api]) -> None:
    api = api_as("xu.qiang")
    name = unique("幂等客户")
    body = {"key": ["name"], "record": {"name": name, "region": "east", "short_name": "一"}}
    created = api.post("tables/customer/records/upsert", body)
    assert created.status_code == 201 and created.headers["Location"]
    body["record"]["short_name"] = "二"
    updated = api.post("tables/customer/records/upsert", body)
    assert updated.status_code == 200
    assert updated.get_json()["id"] == created.get_json()["id"]
    assert updated.get_json()["short_name"] == "二"
    for bad, code in [
        ({"key": "name", "record": {}}, "bad_request"),
        ({"key": [], "record": {}}, "bad_request"),
        ({"key": [1], "record": {}}, "bad_request"),
        ({"key": ["name"]}, "malformed_json"),
        ({"key": ["name"], "record": {}, "x": 1}, "bad_request"),
    ]:
        problem(api.post("tables/customer/records/upsert", bad), 400, code)
    problem(
        api.post("tables/customer/records/upsert", {"key": ["nope"], "record": {"name": "x"}}),
        400,
        "bad_query",
    )


def test_aggregate_groups_and_measures(api_as: Callable[..., Api]) -> None:
    api = api_as("zhao.min")
    total = api.get("tables/opportunity/records?count=true&limit=1").get_json()["total"]
    rows = api.get(
        "tables/opportunity/aggregate?group_by=status&measures=count,sum:amount,max:amount"
    ).get_json()["data"]
    assert sum(r["count"] for r in rows) == total
    assert {"status", "count", "sum_amount", "max_amount"} == set(rows[0])
    only_won = api.get("tables/opportunity/aggregate?status=won").get_json()["data"]
    assert only_won == [{"count": next(r["count"] for r in rows if r["status"] == "won")}]
    problem(api.get("tables/opportunity/aggregate?measures=sum:name"), 400, "bad_query")
    problem(api.get("tables/opportunity/aggregate?measures=median:amount"), 400, "bad_parameter")
    problem(api.get("tables/opportunity/aggregate?measures=sum"), 400, "bad_parameter")
    problem(api.get("tables/opportunity/aggregate?group_by=nope"), 400, "bad_parameter")
    problem(api.get("tables/opportunity/aggregate?limit=5"), 400, "bad_parameter")


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/api/v1/nothing", 404, "not_found"),
        ("GET", "/api/v2/tables", 404, "not_found"),
        ("PUT", "/api/v1/tables/customer/records", 405, "method_not_allowed"),
        ("POST", "/api/v1/tables/customer/records/1", 405, "method_not_allowed"),
        ("DELETE", "/api/v1/tables", 405, "method_not_allowed"),
        ("GET", "/api/v1/tables/customer/records/bulk", 404, "not_found"),
        ("GET", "/api/v1/tables/nope/records", 404, "not_found"),
        ("GET", "/api/v1/tables/opportunity_line/records", 404, "not_found"),
        ("GET", "/api/v1/me?x=1", 400, "bad_parameter"),
        ("GET", "/api/v1/tables/customer/records/1?limit=2", 400, "bad_parameter"),
    ],
)
def test_routing_errors_are_problems_too(
    api_as: Callable[..., Api], method: str, path: str, status: int, code: str
) -> None:
    problem(api_as("xu.qiang").call(method, path), status, code)


def test_body_rules_415_413_400(api_app: Flask, api_as: Callable[..., Api]) -> None:
    api = api_as("xu.qiang")
    url = "tables/customer/records"
    problem(api.call("POST", url, data="name=x", content_type="text/plain"), 415,
            "unsupported_media_type")  # fmt: skip
    problem(api.call("POST", url, data={"name": "x"}), 415, "unsupported_media_type")
    problem(api.call("POST", url), 415, "unsupported_media_type")
    problem(api.call("POST", url, data="{", content_type="application/json"), 400,
            "malformed_json")  # fmt: skip
    problem(api.call("POST", url, data="", content_type="application/json"), 400,
            "malformed_json")  # fmt: skip
    problem(api.post(url, ["not", "an", "object"]), 400, "malformed_json")
    merge = api.call("POST", url, data=json.dumps({"name": unique("m"), "region": "east"}),
                     content_type="application/merge-patch+json")  # fmt: skip
    assert merge.status_code == 201
    api_app.config["API_MAX_BODY"] = 2_000
    try:
        big = {"name": "x" * 3_000, "region": "east"}
        problem(api.post(url, big), 413, "too_large")
    finally:
        api_app.config.pop("API_MAX_BODY")


def test_with_count_false_and_bad_counts(api_as: Callable[..., Api]) -> None:
    api = api_as("xu.qiang")
    assert "total" not in api.get("tables/customer/records?count=false").get_json()
    problem(api.get("tables/customer/records?count=yes"), 400, "bad_parameter")


def test_the_api_needs_no_csrf_token(api_app: Flask, api_as: Callable[..., Api]) -> None:
    assert api_app.config.get("WTF_CSRF_ENABLED", True) is True
    assert customer(api_as("xu.qiang"))["id"] > 0


def test_audit_rows_name_the_token_user(api_app: Flask, api_as: Callable[..., Api]) -> None:
    record = customer(api_as("xu.qiang"))
    engine = api_app.extensions["kairos"].engine
    with engine.connect() as conn:
        actor_id = conn.execute(
            sa.text(
                "select actor_id from kairos_audit where table_key = 'customer' and record_id = :id"
            ),
            {"id": record["id"]},
        ).scalar_one()
    assert actor_id == user_id(engine, "xu.qiang")
