"""The API never shows or changes more than the token user's roles allow, and the token's
scope narrows that further."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask

from runtime import org
from runtime.db import write_transaction
from tests.runtime.api.conftest import Api
from tests.runtime.api.test_records import customer, problem


def _ids(api: Api, table: str = "opportunity") -> set[int]:
    body = api.get(f"tables/{table}/records?limit=200&fields=id").get_json()
    return {row["id"] for row in body["data"]}


def test_a_rep_cannot_see_or_touch_another_reps_opportunities(
    api_as: Callable[..., Api],
) -> None:
    xu, zhao = api_as("xu.qiang"), api_as("zhao.min")
    mine, theirs = _ids(xu), _ids(zhao)
    assert mine and theirs and not mine & theirs
    other = min(theirs)
    path = f"tables/opportunity/records/{other}"
    problem(xu.get(path), 404, "not_found")
    problem(xu.patch(path, {"name": "改名"}), 404, "not_found")
    assert xu.get(f"tables/opportunity/records?id={other}").get_json()["data"] == []
    counted = xu.get("tables/opportunity/aggregate").get_json()["data"]
    assert counted == [{"count": len(mine)}]
    bulk = xu.patch(
        "tables/opportunity/records/bulk",
        {"records": [{"id": other, "name": "x"}], "mode": "per_row"},
    )
    assert bulk.get_json()["results"][0]["status"] == 404


def test_hidden_fields_do_not_exist_for_the_rep(api_as: Callable[..., Api]) -> None:
    rep, director = api_as("xu.qiang"), api_as("sun.ming")
    some = min(_ids(rep))
    assert "product_margin" in director.get(f"tables/opportunity/records/{some}").get_json()
    assert "product_margin" not in rep.get(f"tables/opportunity/records/{some}").get_json()
    listed = rep.get("tables/opportunity/records").get_json()["data"]
    assert all("product_margin" not in row for row in listed)
    for query in ("fields=name,product_margin", "sort=product_margin", "product_margin__gt=0"):
        body = problem(rep.get(f"tables/opportunity/records?{query}"), 400, "bad_parameter")
        assert body["field"] == "product_margin"
        assert "product_margin" not in body["allowed"] and "amount" in body["allowed"]
    problem(rep.get("tables/opportunity/aggregate?measures=sum:product_margin"), 400,
            "bad_parameter")  # fmt: skip
    where = '{"field":"product_margin","op":"gt","value":0}'
    problem(rep.get(f"tables/opportunity/records?where={where}"), 403, "forbidden")


def test_masked_fields_are_masked_and_cannot_be_filtered(
    api_app: Flask, api_as: Callable[..., Api]
) -> None:
    engine = api_app.extensions["kairos"].engine
    with write_transaction(engine) as conn:
        viewer_id = org.create_user(conn, "viewer.api", "只读访客")
        org.assign_role(conn, viewer_id, "opportunity", "readonly_viewer")
    viewer = api_as("viewer.api")
    rows = viewer.get("tables/customer/records?fields=name,phone&limit=5").get_json()["data"]
    assert any(r["phone"] for r in rows)
    assert all("*" in r["phone"] for r in rows if r["phone"])
    problem(viewer.get("tables/customer/records?phone=1"), 403, "forbidden")
    problem(viewer.post("tables/customer/records", {"name": "x", "region": "east"}), 403,
            "forbidden")  # fmt: skip


def test_a_read_only_token_cannot_write(api_as: Callable[..., Api]) -> None:
    writer = api_as("xu.qiang")
    record = customer(writer)
    reader = api_as("xu.qiang", access="read")
    one = f"tables/customer/records/{record['id']}"
    assert reader.get(one).status_code == 200
    attempts = [
        reader.post("tables/customer/records", {"name": "x", "region": "east"}),
        reader.patch(one, {"short_name": "x"}),
        reader.delete(one),
        reader.post(one + "/restore"),
        reader.post("tables/customer/records/bulk", {"records": [{"name": "x"}]}),
        reader.patch("tables/customer/records/bulk", {"records": [{"id": record["id"]}]}),
        reader.post("tables/customer/records/upsert", {"key": ["name"], "record": {"name": "x"}}),
    ]
    for response in attempts:
        body = problem(response, 403, "token_scope")
        assert "只读" in body["detail"]
    assert writer.get(one).get_json()["row_version"] == 1


def test_tables_outside_the_token_scope_are_403_unknown_ones_404(
    api_as: Callable[..., Api],
) -> None:
    api = api_as("xu.qiang", tables=("customer",))
    assert [t["key"] for t in api.get("tables").get_json()["data"]] == ["customer"]
    assert api.get("tables/customer/records?limit=1").status_code == 200
    body = problem(api.get("tables/opportunity/records"), 403, "token_scope")
    assert "opportunity" in body["detail"]
    problem(api.get("tables/opportunity/aggregate"), 403, "token_scope")
    problem(api.post("tables/opportunity/records", {}), 403, "token_scope")
    problem(api.get("tables/no_such_table/records"), 404, "not_found")


def test_a_user_without_roles_reads_nothing(api_app: Flask, api_as: Callable[..., Api]) -> None:
    engine = api_app.extensions["kairos"].engine
    with write_transaction(engine) as conn:
        org.create_user(conn, "no.role.api", "无角色")
    api = api_as("no.role.api")
    assert api.get("tables").get_json() == {"data": []}
    problem(api.get("tables/customer/records"), 404, "not_found")
    problem(api.post("tables/customer/records", {"name": "x"}), 404, "not_found")


@pytest.mark.parametrize("access", ["read", "write"])
def test_the_token_never_exceeds_the_role(api_as: Callable[..., Api], access: str) -> None:
    api = api_as("xu.qiang", access=access)
    actions = {t["key"]: t["actions"] for t in api.get("tables").get_json()["data"]}
    assert "delete" not in actions["customer"]
    assert set(actions["pipeline_stage"]) == {"read"}
