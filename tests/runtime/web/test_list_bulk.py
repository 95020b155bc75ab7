"""Bulk edit and bulk delete from the list: per-record outcomes, permissions."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

from runtime.records import Actor, RecordNotFound


def svc(web_app: Flask) -> Any:
    return web_app.extensions["kairos"].service()


def first_id(web_app: Flask, where: Any) -> int:
    page = svc(web_app).query(Actor.system(), "opportunity", where=where, limit=1, fields=[])
    assert page.rows, where
    return int(page.rows[0]["id"])


def test_bulk_edit_reports_the_invalid_row_and_applies_the_others(
    login: Any, web_app: Flask
) -> None:
    won = first_id(web_app, {"field": "status", "op": "eq", "value": "won"})
    open_ = first_id(web_app, {"field": "status", "op": "eq", "value": "open"})
    client = login("admin")
    response = client.post(
        "/t/opportunity/bulk/edit",
        data={
            "ids": [str(won), str(open_)],
            "field": "expected_close_date",
            "value": "2020-01-02",
            "back": "/t/opportunity?size=20",
        },
    )
    # an open opportunity's expected close date may not move into the past (table rule)
    assert response.status_code == 422
    failures = re.findall(r'data-testid="bulk-failure" data-id="(\d+)"', response.text)
    assert failures == [str(open_)]
    assert "进行中的商机，预计成交日期不能改到今天之前" in response.text
    assert "已更新 1 条记录" in response.text
    assert 'href="/t/opportunity?size=20"' in response.text
    assert (
        svc(web_app).get(Actor.system(), "opportunity", won)["expected_close_date"] == "2020-01-02"
    )
    assert (
        svc(web_app).get(Actor.system(), "opportunity", open_)["expected_close_date"]
        != "2020-01-02"
    )


def test_bulk_edit_all_valid_flashes_and_returns(login: Any, web_app: Flask) -> None:
    ids = [first_id(web_app, {"field": "status", "op": "eq", "value": s}) for s in ("won", "lost")]
    client = login("admin")
    response = client.post(
        "/t/opportunity/bulk/edit",
        data={"ids": [str(i) for i in ids], "field": "next_step", "value": "电话回访"},
    )
    assert response.status_code == 302
    assert "已更新 2 条记录" in client.get(response.location).text
    assert all(
        svc(web_app).get(Actor.system(), "opportunity", i)["next_step"] == "电话回访" for i in ids
    )


def test_bulk_edit_refuses_fields_that_cannot_be_set(login: Any, web_app: Flask) -> None:
    record = first_id(web_app, None)
    client = login("admin")
    for field in ("weighted_amount", "no_such_field", "lines"):
        response = client.post(
            "/t/opportunity/bulk/edit", data={"ids": [str(record)], "field": field, "value": "1"}
        )
        assert response.status_code == 302
        assert "请选择记录和要修改的字段" in client.get(response.location).text


def test_bulk_delete_moves_records_to_the_recycle_bin(login: Any, web_app: Flask) -> None:
    page = svc(web_app).query(Actor.system(), "follow_up", limit=2, fields=[])
    ids = [r["id"] for r in page.rows]
    client = login("admin")
    response = client.post("/t/follow_up/bulk/delete", data={"ids": [str(i) for i in ids]})
    assert response.status_code == 302
    assert "已将 2 条记录移到回收站" in client.get(response.location).text
    for record_id in ids:
        with pytest.raises(RecordNotFound):
            svc(web_app).get(Actor.system(), "follow_up", record_id)
    deleted = svc(web_app).list_deleted(Actor.system(), "follow_up", limit=50)
    assert set(ids) <= {r["id"] for r in deleted.rows}


def test_bulk_actions_follow_permissions(login: Any, web_app: Flask, engine: Any) -> None:
    rep = login("zhao.min")
    page = rep.get("/t/opportunity")
    assert 'data-testid="bulk-edit-form"' in page.text  # reps may update their records
    assert 'data-testid="bulk-delete-form"' not in page.text  # but not delete them
    own = re.findall(r'data-id="(\d+)" data-testid="list-row"', page.text)
    assert rep.post("/t/opportunity/bulk/delete", data={"ids": own[:1]}).status_code == 403
    # someone else's record is out of the rep's scope: reported, not changed
    others = (
        svc(web_app)
        .query(
            Actor.system(),
            "opportunity",
            where={"field": "id", "op": "not_in", "value": [int(i) for i in own]},
            limit=1,
            fields=[],
        )
        .rows[0]["id"]
    )
    response = rep.post(
        "/t/opportunity/bulk/edit",
        data={"ids": [own[0], str(others)], "field": "next_step", "value": "拜访"},
    )
    assert response.status_code == 422
    assert re.findall(r'data-testid="bulk-failure" data-id="(\d+)"', response.text) == [str(others)]
    assert svc(web_app).get(Actor.system(), "opportunity", others)["next_step"] != "拜访"
    viewer = login("admin")
    assert 'data-testid="bulk-delete-form"' in viewer.get("/t/opportunity").text
