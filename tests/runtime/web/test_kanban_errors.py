"""The board's JSON endpoints answer every failure in JSON (the scripts read ``message``),
and the fix-it dialog prefills a date with today in the app's timezone."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from runtime.web.views import _boards_common
from tests.runtime.web.test_kanban import DEMO, LOST, move, new_deal


class _EveningInUTC(datetime):
    """17:30 UTC on 1 March 2026 — already 2 March in Beijing."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
        moment = datetime(2026, 3, 1, 17, 30, tzinfo=UTC)
        return moment.astimezone(tz) if tz is not None else moment


def test_a_date_input_is_prefilled_with_today_in_the_app_timezone(
    web_app: Flask, engine: sa.Engine, login: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_boards_common, "datetime", _EveningInUTC)
    deal = new_deal(web_app, engine, "zhang.wei")
    body = move(login("zhang.wei"), deal, LOST).get_json()
    inputs = {i["field"]: i for i in body["inputs"]}
    assert inputs["closed_on"]["today"] == "2026-03-02"  # Asia/Shanghai, not UTC's 03-01
    assert "today" not in inputs["lost_reason"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ([1, 2], 400, "bad_request"),  # not an object
        ({"id": "x", "by": "stage", "value": "3"}, 400, "bad_request"),
        ({"id": 1, "by": "stage", "value": "not-a-stage"}, 400, "bad_request"),
        ({"id": 1, "by": "stage", "value": "3", "values": "lost"}, 400, "bad_request"),
        ({"id": 1, "by": "nonsense", "value": "3"}, 404, "not_found"),
    ],
)
def test_bad_move_requests_get_a_json_error(login: Any, body: Any, status: int, code: str) -> None:
    response = login("zhang.wei").post("/t/opportunity/_board/move", json=body)
    assert response.status_code == status
    assert response.is_json, response.text
    assert response.get_json()["code"] == code
    assert response.get_json()["message"]  # localised, e.g. 提交的数据无效


def test_unknown_table_and_english_messages_are_json(login: Any) -> None:
    client = login("zhang.wei")
    client.post("/locale/en")  # remembered on the account
    unknown = client.post("/t/nowhere/_board/move", json={"id": 1})
    assert unknown.status_code == 404 and unknown.get_json()["code"] == "not_found"
    assert "does not exist" in unknown.get_json()["message"]
    bad = client.post("/t/task/_board/reschedule", json={"id": 1, "field": "due_date"})
    assert bad.status_code == 400 and bad.is_json


def test_an_expired_csrf_token_gets_json_but_pages_keep_html_errors(
    web_app: Flask, engine: sa.Engine, login: Any
) -> None:
    deal = new_deal(web_app, engine, "zhang.wei")
    client = login("zhang.wei")
    web_app.config["WTF_CSRF_ENABLED"] = True
    expired = move(client, deal, DEMO)
    assert expired.status_code == 400
    assert expired.get_json() == {"code": "csrf", "message": "页面已过期，请刷新后重试。"}
    page = client.get("/t/opportunity/kanban?by=nonsense")
    assert page.status_code == 404 and not page.is_json and "<html" in page.text
