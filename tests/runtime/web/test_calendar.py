"""Calendar: records on a month / week grid by a date field, localised names, and
rescheduling through the record service (a datetime keeps its time of day)."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from flask import Flask

from runtime import org
from runtime.records import Actor
from tests.runtime.web.conftest import user_id


def actor_of(engine: sa.Engine, username: str) -> Actor:
    with engine.connect() as conn:
        return org.load_actor(conn, user_id(engine, username), "opportunity")


def new_task(web_app: Flask, engine: sa.Engine, owner: str, due: str) -> dict:
    service = web_app.extensions["kairos"].service()
    owner_id = user_id(engine, owner)
    return service.create(
        actor_of(engine, "admin"),
        "task",
        {
            "title": "日历测试任务",
            "status": "not_started",
            "priority": "high",
            "due_date": due,
            "assignee": owner_id,
        },
        owner_id=owner_id,
    )


def new_follow_up(web_app: Flask, engine: sa.Engine, owner: str, at: str) -> dict:
    service = web_app.extensions["kairos"].service()
    admin = actor_of(engine, "admin")
    customer = service.query(admin, "customer", limit=1).rows[0]["id"]
    return service.create(
        admin,
        "follow_up",
        {
            "subject": "日历测试拜访",
            "type": "visit",
            "occurred_at": at,
            "content": "面谈需求",
            "customer": customer,
        },
        owner_id=user_id(engine, owner),
    )


def day_cell(html: str, day: str) -> str:
    start = html.index(f'data-testid="calendar-day-{day}"')
    end = html.find('data-testid="calendar-day-', start + 10)
    return html[start : end if end > 0 else None]


def test_month_grid_places_tasks_on_their_due_date(
    web_app: Flask, engine: sa.Engine, login: Any
) -> None:
    task = new_task(web_app, engine, "zhang.wei", "2026-03-17")
    html = login("zhang.wei").get("/t/task/calendar?date=2026-03-05").text
    assert "2026年3月" in html
    assert re.findall(r'class="bcal-weekday">([^<]+)<', html) == [
        "周一",
        "周二",
        "周三",
        "周四",
        "周五",
        "周六",
        "周日",
    ]
    # March 2026 starts on a Sunday: the grid runs Mon 23 Feb … Sun 5 Apr (6 weeks).
    assert html.count('data-testid="calendar-day-') == 42
    assert 'calendar-day-2026-02-23"' in html and 'calendar-day-2026-04-05"' in html
    assert f'data-testid="calendar-event-{task["id"]}"' in day_cell(html, "2026-03-17")
    assert "日历测试任务" in day_cell(html, "2026-03-17")


def test_week_view_and_english_names(web_app: Flask, engine: sa.Engine, login: Any) -> None:
    task = new_task(web_app, engine, "zhang.wei", "2026-03-18")
    client = login("zhang.wei")
    client.post("/locale/en")  # remembered on the account
    html = client.get("/t/task/calendar?view=week&date=2026-03-18").text
    assert html.count('data-testid="calendar-day-') == 7
    assert 'calendar-day-2026-03-16"' in html and 'calendar-day-2026-03-22"' in html
    assert re.findall(r'class="bcal-weekday">([^<]+)<', html)[0] == "Mon"
    assert f'calendar-event-{task["id"]}"' in day_cell(html, "2026-03-18")
    month = client.get("/t/task/calendar?date=2026-03-18").text
    assert "March 2026" in month


def test_a_rep_sees_only_their_own_events(web_app: Flask, engine: sa.Engine, login: Any) -> None:
    task = new_task(web_app, engine, "zhang.wei", "2026-03-17")
    html = login("wang.fang").get("/t/task/calendar?date=2026-03-01").text
    assert f'calendar-event-{task["id"]}"' not in html
    response = login("wang.fang").post(
        "/t/task/_board/reschedule",
        json={
            "id": task["id"],
            "field": "due_date",
            "date": "2026-03-20",
            "row_version": task["row_version"],
        },
    )
    assert response.status_code == 404


def test_rescheduling_a_task_changes_its_due_date(
    web_app: Flask, engine: sa.Engine, login: Any
) -> None:
    task = new_task(web_app, engine, "zhang.wei", "2026-03-17")
    response = login("zhang.wei").post(
        "/t/task/_board/reschedule",
        json={
            "id": task["id"],
            "field": "due_date",
            "date": "2026-03-20",
            "row_version": task["row_version"],
        },
    )
    assert response.status_code == 200, response.text
    assert response.get_json()["date"] == "2026-03-20"
    service = web_app.extensions["kairos"].service()
    assert service.get(actor_of(engine, "admin"), "task", task["id"])["due_date"] == "2026-03-20"


def test_rescheduling_a_datetime_keeps_the_time_of_day(
    web_app: Flask, engine: sa.Engine, login: Any
) -> None:
    visit = new_follow_up(web_app, engine, "zhang.wei", "2026-03-10 14:30")
    assert visit["occurred_at"] == "2026-03-10T06:30:00Z"  # 14:30 in Shanghai
    client = login("zhang.wei")
    html = client.get("/t/follow_up/calendar?field=occurred_at&date=2026-03-10").text
    cell = day_cell(html, "2026-03-10")
    assert f'calendar-event-{visit["id"]}"' in cell and "14:30" in cell
    response = client.post(
        "/t/follow_up/_board/reschedule",
        json={
            "id": visit["id"],
            "field": "occurred_at",
            "date": "2026-03-12",
            "row_version": visit["row_version"],
        },
    )
    assert response.status_code == 200, response.text
    assert response.get_json()["value"] == "2026-03-12T06:30:00Z"
    assert response.get_json()["time"] == "14:30"


def test_a_stale_event_gets_409_and_bad_input_400(
    web_app: Flask, engine: sa.Engine, login: Any
) -> None:
    task = new_task(web_app, engine, "zhang.wei", "2026-03-17")
    service = web_app.extensions["kairos"].service()
    service.update(actor_of(engine, "admin"), "task", task["id"], {"status": "in_progress"})
    client = login("zhang.wei")
    stale = client.post(
        "/t/task/_board/reschedule",
        json={
            "id": task["id"],
            "field": "due_date",
            "date": "2026-03-20",
            "row_version": task["row_version"],
        },
    )
    assert stale.status_code == 409 and "系统管理员" in stale.get_json()["message"]
    bad = client.post(
        "/t/task/_board/reschedule", json={"id": task["id"], "field": "due_date", "date": "soon"}
    )
    assert bad.status_code == 400
    computed = client.post(
        "/t/opportunity/_board/reschedule",
        json={"id": 1, "field": "last_follow_up_at", "date": "2026-03-20"},
    )
    assert computed.status_code in (403, 404)
    assert client.get("/t/customer/calendar?field=name").status_code == 404
