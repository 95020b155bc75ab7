"""In the browser: drag kanban cards (SortableJS) to another stage — directly, and to 输单
through the dialog that asks for the lost reason, which stays open while details are still
missing — and see the move persisted and the column counts and totals follow."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask import Flask

from runtime import org
from runtime.accounts import set_password
from runtime.db import write_transaction
from runtime.web import create_app
from tests.runtime.web.conftest import ARTIFACTS, PASSWORD, sign_in
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


@pytest.fixture
def new_rep(engine: sa.Engine) -> str:
    """A sales rep without deals of their own: their board holds only the test's card."""
    with write_transaction(engine) as conn:
        uid = org.create_user(conn, "kan.rep", "看板销售")
        org.assign_role(conn, uid, "opportunity", "sales_rep")
        set_password(conn, uid, PASSWORD)
    return "kan.rep"


def test_a_second_refusal_keeps_the_dialog_open_then_totals_follow_the_move(
    page: Any, app_of_sample: Flask, engine: sa.Engine, new_rep: str
) -> None:
    deal = new_deal(app_of_sample, engine, new_rep, QUALIFICATION)
    page.set_viewport_size({"width": 2200, "height": 900})
    sign_in(page, new_rep)
    page.goto("/t/opportunity/kanban")
    card = f"[data-testid=kanban-card-{deal['id']}]"
    source = f"[data-testid=kanban-column-{QUALIFICATION}]"
    lost = f"[data-testid=kanban-column-{LOST}]"
    assert page.locator(f"{lost} [data-testid=kanban-empty]").is_visible()
    drag(page, card, f"{lost} .kanban-cards")
    page.wait_for_selector("[data-testid=board-fix-dialog].show")
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    assert page.input_value("[data-testid=board-fix-closed_on]") == today
    # Save without a reason: refused again — the dialog stays, the error sits by the input.
    page.click("[data-testid=board-fix-save]")
    reason_error = page.locator("[data-testid=board-fix-error-lost_reason]")
    reason_error.wait_for(state="visible")
    page.wait_for_timeout(800)  # any fade-out would be over by now
    assert page.locator("[data-testid=board-fix-dialog]").is_visible()
    assert "输单原因" in reason_error.inner_text()
    assert "is-invalid" in (
        page.get_attribute("[data-testid=board-fix-lost_reason]", "class") or ""
    )
    assert page.locator(f"{lost} {card}").count() == 1  # still waiting in 输单
    assert page.locator(f"{source} [data-testid=kanban-empty]").is_visible()
    pending = page.locator(f"{source} [data-testid=kanban-total-value].kanban-pending")
    assert pending.count() == 1  # the old total, dimmed until the server answers
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "kanban-lost-retry-zh.png"))
    # Now with a reason: moved, and both columns show the server's count and total.
    page.select_option("[data-testid=board-fix-lost_reason]", index=1)
    page.click("[data-testid=board-fix-save]")
    page.wait_for_selector(f"{lost} {card}[data-version='{deal['row_version'] + 1}']")
    page.wait_for_selector("[data-testid=board-fix-dialog]", state="hidden")
    assert page.locator(f"{lost} [data-testid=kanban-count]").inner_text() == "1"
    assert page.locator(f"{lost} [data-testid=kanban-total-value]").inner_text() == "¥120,000"
    assert page.locator(f"{source} [data-testid=kanban-count]").inner_text() == "0"
    assert page.locator(f"{source} [data-testid=kanban-total-value]").inner_text() == "¥0"
    assert page.locator(f"{source} [data-testid=kanban-empty]").is_visible()
    assert page.locator(".kanban-pending").count() == 0
    assert not page.locator(f"{lost} [data-testid=kanban-empty]").is_visible()
    stored = stage_of(app_of_sample, engine, deal["id"])
    assert (stored["status"], stored["closed_on"]) == ("lost", today)
