"""Record detail page, quick actions, history and the recycle bin (test client)."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from runtime import org
from runtime.web.views._collab_display import money_text
from tests.runtime.web.conftest import user_id


def _service(web_app):  # type: ignore[no-untyped-def]
    return web_app.extensions["kairos"].service()


def _actor(web_app, engine, name):  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return org.load_actor(conn, user_id(engine, name), "opportunity")


def _opportunity_of(web_app, engine, name):  # type: ignore[no-untyped-def]
    rows = _service(web_app).query(_actor(web_app, engine, name), "opportunity", limit=1).rows
    assert rows, f"{name} owns no opportunity"
    return rows[0]


def test_money_is_shown_with_symbol_and_grouping() -> None:
    assert money_text("1234.5", "CNY") == "¥1,234.50"
    assert money_text("99", "USD") == "$99.00"


def test_detail_shows_fields_by_layout_and_related_lists(web_app, engine, login) -> None:
    customer = (
        _service(web_app).query(_actor(web_app, engine, "admin"), "customer", limit=1).rows[0]
    )
    page = login("admin").get(f"/t/customer/{customer['id']}")
    assert page.status_code == 200
    assert customer["name"] in page.text
    assert 'data-testid="related-contact"' in page.text
    assert 'data-testid="related-opportunity"' in page.text
    assert "变更历史" in page.text


def test_rep_cannot_open_another_reps_opportunity_nor_see_hidden_fields(
    web_app, engine, login
) -> None:
    others = (
        _service(web_app)
        .query(
            _actor(web_app, engine, "admin"),
            "opportunity",
            limit=1,
            where={"field": "owner_id", "op": "ne", "value": user_id(engine, "zhao.min")},
        )
        .rows[0]
    )
    mine = _opportunity_of(web_app, engine, "zhao.min")
    client = login("zhao.min")
    assert client.get(f"/t/opportunity/{others['id']}").status_code == 404
    page = client.get(f"/t/opportunity/{mine['id']}")
    assert page.status_code == 200
    assert 'data-field="product_margin"' not in page.text
    assert 'data-field="product_total"' in page.text
    admin_page = login("admin").get(f"/t/opportunity/{mine['id']}")
    assert 'data-field="product_margin"' in admin_page.text


def test_history_shows_old_and_new_value_after_update(web_app, engine, login) -> None:
    record = _opportunity_of(web_app, engine, "zhao.min")
    _service(web_app).update(
        _actor(web_app, engine, "zhao.min"),
        "opportunity",
        record["id"],
        {"next_step": "安排技术交流会"},
    )
    page = login("zhao.min").get(f"/t/opportunity/{record['id']}")
    assert 'data-testid="history-entry"' in page.text
    assert "安排技术交流会" in page.text
    assert 'class="detail-old"' in page.text


def test_quick_action_creates_a_follow_up_linked_to_the_record(web_app, engine, login) -> None:
    record = _opportunity_of(web_app, engine, "zhao.min")
    client = login("zhao.min")
    response = client.post(
        f"/t/opportunity/{record['id']}/quick/follow_up",
        data={"subject": "电话沟通报价", "type": "call", "content": "客户认可报价"},
    )
    assert response.status_code == 302
    rows = (
        _service(web_app)
        .query(
            _actor(web_app, engine, "zhao.min"),
            "follow_up",
            where={"field": "subject", "op": "eq", "value": "电话沟通报价"},
        )
        .rows
    )
    assert [r["opportunity"] for r in rows] == [record["id"]]
    assert rows[0]["customer"] == record["customer"]


def test_quick_action_shows_validation_errors(web_app, engine, login) -> None:
    record = _opportunity_of(web_app, engine, "zhao.min")
    response = login("zhao.min").post(
        f"/t/opportunity/{record['id']}/quick/task",
        data={"title": ""},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "is-invalid" in response.text


def test_delete_goes_to_trash_and_restore_brings_it_back(web_app, engine, login) -> None:
    client = login("sun.ming")
    response = client.post(f"/t/follow_up/{_follow_up_of(web_app, engine)}/delete")
    assert response.status_code == 302
    trash = client.get("/t/follow_up/trash")
    assert 'data-testid="trash-row-' in trash.text
    deleted_id = int(trash.text.split('data-testid="trash-row-')[1].split('"')[0])
    assert client.get(f"/t/follow_up/{deleted_id}").status_code == 404
    assert client.post(f"/t/follow_up/{deleted_id}/restore").status_code == 302
    assert client.get(f"/t/follow_up/{deleted_id}").status_code == 200
    assert f'trash-row-{deleted_id}"' not in client.get("/t/follow_up/trash").text


def _follow_up_of(web_app, engine) -> int:  # type: ignore[no-untyped-def]
    rows = _service(web_app).query(_actor(web_app, engine, "sun.ming"), "follow_up", limit=1).rows
    return int(rows[0]["id"])


def test_rep_has_no_recycle_bin(login) -> None:
    assert login("zhao.min").get("/t/opportunity/trash").status_code == 403


def test_workspace_lists_my_overdue_tasks(web_app, engine, login) -> None:
    me = user_id(engine, "zhao.min")
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    _service(web_app).create(
        _actor(web_app, engine, "zhao.min"),
        "task",
        {"title": "回访逾期客户", "due_date": yesterday, "assignee": me},
    )
    _service(web_app).create(
        _actor(web_app, engine, "zhao.min"),
        "task",
        {
            "title": "下月的任务",
            "due_date": (date.today() + timedelta(days=30)).isoformat(),
            "assignee": me,
        },
    )
    page = login("zhao.min").get("/me")
    assert page.status_code == 200
    tasks = page.text.split('data-testid="my-tasks"')[1].split("</table>")[0]
    assert "回访逾期客户" in tasks
    assert "下月的任务" not in tasks
    assert 'data-testid="my-opportunities"' in page.text
    with engine.connect() as conn:
        assert conn.execute(sa.text("select count(*) from kairos_ui_outbox_cursor")).scalar() == 1
