"""In the browser: drag kanban cards (SortableJS) to another stage — directly, and to 输单
through the dialog that asks for the lost reason — and see the move persisted."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from runtime.web import create_app
from tests.runtime.web.conftest import ARTIFACTS, sign_in
from tests.runtime.web.test_kanban import DEMO, LOST, QUALIFICATION, actor_of, new_deal

pytestmark = pytest.mark.browser


@pytest.fixture
def app_of_sample(sample: str) -> Flask:
    """A second app on the live server's database, to create and check records."""
    return create_app({"DATABASE_URL": sample, "SECRET_KEY": "test", "TESTING": True})


def drag(page: Any, source: str, target: str) -> None:
    """Mouse down on the card, move in steps to the target column, release."""
    box = page.locator(source).bounding_box()
    goal = page.locator(target).bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 12)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 10, box["y"] + 20, steps=5)
    page.mouse.move(goal["x"] + goal["width"] / 2, goal["y"] + 30, steps=20)
    page.mouse.up()


def stage_of(app: Flask, engine: sa.Engine, record_id: int) -> dict:
    service = app.extensions["kairos"].service()
    return service.get(actor_of(engine, "admin"), "opportunity", record_id)


def test_drag_a_card_to_another_stage(page: Any, app_of_sample: Flask, engine: sa.Engine) -> None:
    deal = new_deal(app_of_sample, engine, "zhang.wei", QUALIFICATION)
    sign_in(page, "zhang.wei")
    page.goto("/t/opportunity/kanban")
    card = f"[data-testid=kanban-card-{deal['id']}]"
    column = f"[data-testid=kanban-column-{DEMO}]"
    drag(page, card, f"{column} .kanban-cards")
    page.wait_for_selector(f"{column} {card}[data-version='{deal['row_version'] + 1}']")
    assert page.locator(f"{column} [data-testid=kanban-count]").inner_text() == "1"
    assert stage_of(app_of_sample, engine, deal["id"])["stage"] == DEMO
    page.reload()
    page.wait_for_selector(f"{column} {card}")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "kanban-zh.png"), full_page=True)


def test_drag_to_lost_asks_for_the_reason(
    page: Any, app_of_sample: Flask, engine: sa.Engine
) -> None:
    deal = new_deal(app_of_sample, engine, "zhang.wei", QUALIFICATION)
    page.set_viewport_size({"width": 2200, "height": 900})  # all eight stages side by side
    sign_in(page, "zhang.wei")
    page.goto("/t/opportunity/kanban")
    card = f"[data-testid=kanban-card-{deal['id']}]"
    lost = f"[data-testid=kanban-column-{LOST}]"
    drag(page, card, f"{lost} .kanban-cards")
    dialog = page.locator("[data-testid=board-fix-dialog]")
    dialog.wait_for(state="visible")
    page.wait_for_selector("[data-testid=board-fix-dialog].show")
    page.wait_for_timeout(400)  # the fade-in
    assert "输单时必须填写输单原因" in dialog.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "kanban-lost-dialog-zh.png"))
    # Cancel first: the card goes back to its column.
    page.click("[data-testid=board-fix-cancel]")
    page.wait_for_selector(f"[data-testid=kanban-column-{QUALIFICATION}] {card}")
    assert stage_of(app_of_sample, engine, deal["id"])["stage"] == QUALIFICATION
    # Again, this time picking a reason.
    drag(page, card, f"{lost} .kanban-cards")
    dialog.wait_for(state="visible")
    page.select_option("[data-testid=board-fix-lost_reason]", index=1)
    page.click("[data-testid=board-fix-save]")
    page.wait_for_selector(f"{lost} {card}[data-version='{deal['row_version'] + 1}']")
    stored = stage_of(app_of_sample, engine, deal["id"])
    assert stored["status"] == "lost" and stored["lost_reason"] is not None
