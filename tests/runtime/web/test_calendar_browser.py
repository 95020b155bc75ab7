"""In the browser: drag a calendar event to another day and see it rescheduled."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from runtime.web import create_app
from tests.runtime.web.conftest import ARTIFACTS, sign_in
from tests.runtime.web.test_calendar import actor_of, new_follow_up, new_task
from tests.runtime.web.test_kanban_browser import drag

pytestmark = pytest.mark.browser


@pytest.fixture
def app_of_sample(sample: str) -> Flask:
    return create_app({"DATABASE_URL": sample, "SECRET_KEY": "test", "TESTING": True})


def test_drag_a_task_to_another_day(page: Any, app_of_sample: Flask, engine: sa.Engine) -> None:
    task = new_task(app_of_sample, engine, "zhang.wei", "2026-03-17")
    new_task(app_of_sample, engine, "zhang.wei", "2026-03-03")
    sign_in(page, "zhang.wei")
    page.goto("/t/task/calendar?date=2026-03-01")
    event = f"[data-testid=calendar-event-{task['id']}]"
    target = "[data-testid=calendar-day-2026-03-19] .bcal-events"
    drag(page, event, target)
    page.wait_for_selector(f"{target} {event}[data-version='{task['row_version'] + 1}']")
    service = app_of_sample.extensions["kairos"].service()
    stored = service.get(actor_of(engine, "admin"), "task", task["id"])
    assert stored["due_date"] == "2026-03-19"
    page.reload()
    page.wait_for_selector(f"{target} {event}")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "calendar-zh.png"), full_page=True)


def test_drag_a_follow_up_in_week_view_keeps_its_time(
    page: Any, app_of_sample: Flask, engine: sa.Engine
) -> None:
    visit = new_follow_up(app_of_sample, engine, "zhang.wei", "2026-03-10 14:30")
    sign_in(page, "zhang.wei")
    page.goto("/t/follow_up/calendar?field=occurred_at&view=week&date=2026-03-10")
    event = f"[data-testid=calendar-event-{visit['id']}]"
    target = "[data-testid=calendar-day-2026-03-13] .bcal-events"
    drag(page, event, target)
    page.wait_for_selector(f"{target} {event}[data-version='{visit['row_version'] + 1}']")
    service = app_of_sample.extensions["kairos"].service()
    stored = service.get(actor_of(engine, "admin"), "follow_up", visit["id"])
    assert stored["occurred_at"] == "2026-03-13T06:30:00Z"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "calendar-week-zh.png"), full_page=True)
