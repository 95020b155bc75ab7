"""Form fixes from review: who sees "+ New", one quick-create level, local times for
read-only moments, choice order of pickers, and no empty child-row history entries."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask import Flask
from werkzeug.datastructures import MultiDict

from runtime.records import Actor
from tests.runtime.web.test_forms import _any_id, _own_opportunity


def test_new_is_offered_only_for_targets_the_user_may_create(login: Any) -> None:
    rep = login("zhang.wei").get("/t/opportunity/new").text
    for refused in ("stage", "lost_reason", "competitor"):
        assert f'data-testid="quick-create-{refused}"' not in rep
    assert 'data-testid="quick-create-customer"' in rep
    admin = login("admin").get("/t/opportunity/new").text
    assert 'data-testid="quick-create-stage"' in admin


def test_quick_create_form_has_no_nested_new_buttons(login: Any) -> None:
    modal = login("admin").get("/t/opportunity/_form/quick/primary_contact")
    assert modal.status_code == 200
    assert 'name="customer"' in modal.text  # the contact's own relation picker is there
    assert "data-quick-create" not in modal.text


def test_read_only_moments_show_in_local_time(login: Any, engine: sa.Engine) -> None:
    client = login("zhang.wei")
    record_id = _own_opportunity(client, engine)
    with engine.begin() as conn:
        conn.execute(
            sa.text("update opportunity__opportunity set stage_entered_at = :at where id = :i"),
            {"at": datetime(2026, 1, 19, 21, 17, 18, tzinfo=UTC), "i": record_id},
        )
    page = client.get(f"/t/opportunity/{record_id}/edit").text
    assert "2026-01-20 05:17:18" in page  # Asia/Shanghai, the app's time zone
    assert "2026-01-19T21:17:18" not in page


def test_picker_choices_follow_the_target_sequence(login: Any, web_app: Flask) -> None:
    svc = web_app.extensions["kairos"].service()
    stages = svc.query(
        Actor.system(), "pipeline_stage", order_by=[("sequence", "asc")], fields=["name"]
    )
    expected = [r["name"] for r in stages.rows]
    found = login("zhang.wei").get("/t/opportunity/_form/search/stage").get_json()
    assert [c["text"] for c in found] == expected[: len(found)]
    assert found[0]["text"] != "无效"


def _line_rows(engine: sa.Engine, record_id: int) -> list[Any]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                sa.text(
                    "select id, product, quantity, unit_price from opportunity__opportunity_line "
                    "where parent_id = :p order by row_order"
                ),
                {"p": record_id},
            )
        )


def _posted_lines(rows: list[Any], quantity: str | None = None) -> list[tuple[str, str]]:
    out = [("lines-present", "1")]
    for index, row in enumerate(rows):
        out += [
            (f"lines-{index}-id", str(row.id)),
            (f"lines-{index}-product", str(row.product)),
            (f"lines-{index}-quantity", quantity or str(row.quantity)),
            (f"lines-{index}-unit_price", str(row.unit_price)),
        ]
    return out


def test_saving_unchanged_rows_records_no_row_change(
    login: Any, engine: sa.Engine, web_app: Flask
) -> None:
    client = login("zhang.wei")
    record_id = _own_opportunity(client, engine)
    product = str(_any_id(engine, "product"))
    added = [("lines-present", "1"), ("lines-0-product", product), ("lines-0-quantity", "2")]
    added.append(("lines-0-unit_price", "100"))
    assert client.post(f"/t/opportunity/{record_id}/edit", data=MultiDict(added)).status_code == 302
    rows = _line_rows(engine, record_id)
    assert len(rows) == 1
    svc = web_app.extensions["kairos"].service()

    def last_changes() -> set[str]:
        return set(svc.history(Actor.system(), "opportunity", record_id)[-1].changes)

    same = [("next_step", "约客户演示"), *_posted_lines(rows)]
    assert client.post(f"/t/opportunity/{record_id}/edit", data=MultiDict(same)).status_code == 302
    assert "lines" not in last_changes() and "next_step" in last_changes()
    changed = [("next_step", "再约一次"), *_posted_lines(rows, quantity="3")]
    response = client.post(f"/t/opportunity/{record_id}/edit", data=MultiDict(changed))
    assert response.status_code == 302
    assert "lines" in last_changes()
