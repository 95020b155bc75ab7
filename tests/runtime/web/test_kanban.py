"""Kanban board: columns and totals per stage, and moving cards through the record service
(validation → 422 with inputs for the named fields, conflict → 409, permissions)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from runtime import org
from runtime.accounts import set_password
from runtime.db import write_transaction
from runtime.records import Actor
from runtime.web.views import _boards_kanban
from tests.runtime.web.conftest import PASSWORD, user_id

QUALIFICATION, DEMO, WON, LOST = 2, 3, 6, 7
"""pipeline_stage ids of the sample: 需求确认, 方案演示, 赢单, 输单."""


def actor_of(engine: sa.Engine, username: str) -> Actor:
    with engine.connect() as conn:
        return org.load_actor(conn, user_id(engine, username), "opportunity")


def new_deal(web_app: Flask, engine: sa.Engine, owner: str, stage: int = QUALIFICATION) -> dict:
    """An open opportunity owned by ``owner`` (created by the admin)."""
    service = web_app.extensions["kairos"].service()
    admin = actor_of(engine, "admin")
    customer = service.query(admin, "customer", limit=1).rows[0]["id"]
    return service.create(
        admin,
        "opportunity",
        {
            "name": "看板测试商机",
            "customer": customer,
            "stage": stage,
            "amount": "120000",
            "probability": 20,
            "expected_close_date": (date.today() + timedelta(days=30)).isoformat(),
        },
        owner_id=user_id(engine, owner),
    )


def move(client: Any, deal: dict, stage: int, **extra: Any) -> Any:
    body = {
        "id": deal["id"],
        "by": "stage",
        "value": str(stage),
        "row_version": deal["row_version"],
        **extra,
    }
    return client.post("/t/opportunity/_board/move", json=body)


def test_board_has_a_column_per_stage_in_sequence_with_count_and_amount(
    web_app: Flask, engine: sa.Engine, login: Any
) -> None:
    page = login("admin").get("/t/opportunity/kanban")
    assert page.status_code == 200
    html = page.text
    names = ["初步接触", "需求确认", "方案演示", "报价/投标", "商务谈判", "赢单", "输单", "无效"]
    positions = [html.index(f">{name}</h3>") for name in names]
    assert positions == sorted(positions)
    service = web_app.extensions["kairos"].service()
    totals = service.aggregate(
        actor_of(engine, "admin"),
        "opportunity",
        group_by=["stage"],
        measures=[("count", None), ("sum", "amount")],
    )
    won = next(t for t in totals if t["stage"] == WON)
    column = html[html.index('data-testid="kanban-column-6"') :]
    column = column[: column.index("</section>")]
    assert f'data-testid="kanban-count" title="记录数">{won["count"]}<' in column
    assert f"¥{float(won['sum_amount']):,.0f}" in column
    assert column.count('data-testid="kanban-card-') == won["count"]
    assert "看板" in html and "分组字段" in html


def test_board_can_be_grouped_by_a_single_select(login: Any) -> None:
    html = login("admin").get("/t/opportunity/kanban?by=priority").text
    assert [html.index(f">{n}</h3>") for n in ("高", "中", "低")] == sorted(
        html.index(f">{n}</h3>") for n in ("高", "中", "低")
    )
    client = login("admin")
    for not_a_grouping in ("name", "amount", "primary_contact", "nonsense"):  # contacts: 24
        assert client.get(f"/t/opportunity/kanban?by={not_a_grouping}").status_code == 404


def test_moving_a_card_updates_the_stage_through_the_service(
    web_app: Flask, engine: sa.Engine, login: Any
) -> None:
    deal = new_deal(web_app, engine, "zhang.wei")
    response = move(login("zhang.wei"), deal, DEMO)
    assert response.status_code == 200, response.text
    body = response.get_json()
    assert body["row_version"] == deal["row_version"] + 1
    assert f'data-testid="kanban-card-{deal["id"]}"' in body["card"]
    assert body["columns"][str(DEMO)]["count"] == 1  # the rep's own board: this one card
    service = web_app.extensions["kairos"].service()
    stored = service.get(actor_of(engine, "admin"), "opportunity", deal["id"])
    assert stored["stage"] == DEMO and stored["stage_probability"] == 40
    history = service.history(actor_of(engine, "admin"), "opportunity", deal["id"])
    assert history[-1].actor_name == "张伟" and history[-1].changes["stage"] == [2, 3]


def test_moving_to_lost_asks_for_the_fields_the_rules_name_then_succeeds(
    web_app: Flask, engine: sa.Engine, login: Any
) -> None:
    deal = new_deal(web_app, engine, "zhang.wei")
    client = login("zhang.wei")
    refused = move(client, deal, LOST)
    assert refused.status_code == 422
    body = refused.get_json()
    fields = {e["field"] for e in body["errors"]}
    assert {"lost_reason", "closed_on"} <= fields
    assert any("输单原因" in e["message"] for e in body["errors"])
    inputs = {i["field"]: i for i in body["inputs"]}
    assert inputs["lost_reason"]["kind"] == "select" and inputs["lost_reason"]["options"]
    assert inputs["closed_on"]["kind"] == "date"
    service = web_app.extensions["kairos"].service()
    assert service.get(actor_of(engine, "admin"), "opportunity", deal["id"])["stage"] == 2

    reason = inputs["lost_reason"]["options"][0]["value"]
    done = move(
        client, deal, LOST, values={"lost_reason": reason, "closed_on": date.today().isoformat()}
    )
    assert done.status_code == 200, done.text
    stored = service.get(actor_of(engine, "admin"), "opportunity", deal["id"])
    assert (stored["status"], stored["lost_reason"]) == ("lost", int(reason))


def test_a_stale_card_gets_409_with_who_changed_it_and_the_current_card(
    web_app: Flask, engine: sa.Engine, login: Any
) -> None:
    deal = new_deal(web_app, engine, "zhang.wei")
    service = web_app.extensions["kairos"].service()
    service.update(
        actor_of(engine, "lin.feng"),
        "opportunity",
        deal["id"],
        {"next_step": "电话回访"},
        row_version=deal["row_version"],
    )
    response = move(login("zhang.wei"), deal, DEMO)
    assert response.status_code == 409
    body = response.get_json()
    assert body["updated_by_name"] == "林峰" and "林峰" in body["message"]
    assert body["row_version"] == deal["row_version"] + 1
    assert f'data-version="{deal["row_version"] + 1}"' in body["card"]


def test_a_rep_cannot_see_or_move_another_reps_card(
    web_app: Flask, engine: sa.Engine, login: Any
) -> None:
    deal = new_deal(web_app, engine, "zhang.wei")
    other = login("wang.fang")
    assert f'kanban-card-{deal["id"]}"' not in other.get("/t/opportunity/kanban").text
    response = move(other, deal, DEMO)
    assert response.status_code == 404
    assert "kanban-card" not in response.get_json().get("card", "")


@pytest.fixture
def viewer(engine: sa.Engine) -> str:
    """A user with the read-only viewer role."""
    with write_transaction(engine) as conn:
        uid = org.create_user(conn, "kan.viewer", "看板访客")
        org.assign_role(conn, uid, "opportunity", "readonly_viewer")
        set_password(conn, uid, PASSWORD)
    return "kan.viewer"


def test_no_drag_without_update_permission(
    web_app: Flask, engine: sa.Engine, login: Any, viewer: str
) -> None:
    deal = new_deal(web_app, engine, "zhang.wei")
    client = login(viewer)
    html = client.get("/t/opportunity/kanban").text
    assert 'data-draggable="false"' in html and "kanban-draggable" not in html
    assert 'data-testid="kanban-readonly"' in html
    assert move(client, deal, DEMO).status_code == 403


def test_more_cards_come_one_page_at_a_time(
    web_app: Flask, engine: sa.Engine, login: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_boards_kanban, "CARDS_PER_PAGE", 2)
    client = login("admin")
    html = client.get("/t/opportunity/kanban").text
    column = html[html.index('data-testid="kanban-column-6"') :]
    column = column[: column.index("</section>")]
    assert column.count('data-testid="kanban-card-') == 2
    start = column.index('hx-get="') + len('hx-get="')
    url = column[start : column.index('"', start)].replace("&amp;", "&")
    more = client.get(url)
    assert more.status_code == 200
    assert more.text.count('data-testid="kanban-card-') == 2
    assert client.get("/t/opportunity/_board/cards?by=stage&value=x").status_code == 400
