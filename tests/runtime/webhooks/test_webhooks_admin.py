"""The webhook admin pages: create with validation, secret, delivery log, redeliver,
allowlist, delete; administrators only."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from runtime.apps import open_app
from runtime.db import write_transaction
from runtime.jobs._tables import OUTBOX, utcnow
from runtime.org import load_actor
from runtime.webhooks import WEBHOOK, deliveries, list_webhooks
from tests.runtime.web.conftest import user_id
from tests.runtime.webhooks.conftest import APP, Receiver, run_workers

FORM = {
    "name": "ERP 客户同步",
    "table_key": "customer",
    "events": ["created", "updated"],
    "url": "",
    "condition": "",
    "active": "on",
    "max_attempts": "5",
}


def _engine(web_app: Flask) -> sa.Engine:
    engine = web_app.extensions["kairos"].engine
    with write_transaction(engine) as conn:  # the quickstart's own events are old news
        conn.execute(OUTBOX.update().values(processed_at=utcnow()))
    return engine


def test_only_administrators_reach_the_webhook_pages(
    web_app: Flask, login: Callable[..., FlaskClient]
) -> None:
    assert login("zhang.wei").get("/admin/webhooks").status_code == 403
    page = login("admin").get("/admin/webhooks")
    assert page.status_code == 200 and "还没有 Webhook" in page.get_data(as_text=True)


def test_invalid_input_is_explained_in_chinese(
    web_app: Flask, login: Callable[..., FlaskClient]
) -> None:
    client = login("admin")
    bad = {**FORM, "url": "ftp://erp.local/x", "events": [], "condition": "{oops"}
    page = client.post("/admin/webhooks/new", data=bad)
    text = page.get_data(as_text=True)
    assert page.status_code == 422
    assert "请填写以 http:// 或 https:// 开头的地址。" in text
    assert "请至少选择一个事件。" in text and "条件不是有效的 JSON。" in text
    wrong_field = {
        **FORM,
        "url": "https://erp.local/x",
        "condition": '{"field": "nope", "op": "is_empty"}',
    }
    text = client.post("/admin/webhooks/new", data=wrong_field).get_data(as_text=True)
    assert "条件与该数据表不匹配" in text and "nope" in text
    assert list_webhooks(web_app.extensions["kairos"].engine, APP) == []


def test_create_see_secret_deliver_and_redeliver(
    web_app: Flask, login: Callable[..., FlaskClient], receiver: Receiver
) -> None:
    engine = _engine(web_app)
    client = login("admin")
    condition = '{"field": "level", "op": "eq", "value": "a"}'
    created = client.post(
        "/admin/webhooks/new", data={**FORM, "url": receiver.url, "condition": condition}
    )
    assert created.status_code == 302
    [hook] = list_webhooks(engine, APP)
    assert hook["condition"] == {"field": "level", "op": "eq", "value": "a"}
    assert (hook["events"], hook["max_attempts"], hook["active"]) == (
        ["created", "updated"],
        5,
        True,
    )
    page = client.get(created.headers["Location"]).get_data(as_text=True)
    assert hook["secret"] in page and "Webhook 已创建" in page
    service = open_app(engine, APP)
    with engine.connect() as conn:
        admin = load_actor(conn, user_id(engine, "admin"), APP)
    service.create(admin, "customer", {"name": "南方电气", "region": "south", "level": "a"})
    service.create(admin, "customer", {"name": "普通客户", "region": "south", "level": "c"})
    receiver.statuses = [500]
    run_workers(engine)
    [delivery] = deliveries(engine, hook["id"])
    page = client.get(f"/admin/webhooks/{hook['id']}").get_data(as_text=True)
    assert "等待重试" in page and "HTTP 500" in page and "南方电气" in page
    assert client.post(f"/admin/webhooks/deliveries/{delivery['id']}/redeliver").status_code == 302
    run_workers(engine)
    page = client.get(f"/admin/webhooks/{hook['id']}").get_data(as_text=True)
    assert "已送达" in page and "重新投递" in page
    assert len(deliveries(engine, hook["id"])) == 2
    index = client.get("/admin/webhooks").get_data(as_text=True)
    assert "ERP 客户同步" in index and "已送达" in index
    assert client.post("/admin/webhooks/deliveries/999999/redeliver").status_code == 404


def test_edit_rotate_allowlist_and_delete(
    web_app: Flask, login: Callable[..., FlaskClient]
) -> None:
    engine = _engine(web_app)
    client = login("admin")
    client.post("/admin/webhooks/new", data={**FORM, "url": "https://erp.example.com/hook"})
    [hook] = list_webhooks(engine, APP)
    edited = client.post(
        f"/admin/webhooks/{hook['id']}/edit",
        data={**FORM, "name": "改名", "url": "https://erp.example.com/v2", "events": ["deleted"]},
    )
    assert edited.status_code == 302
    client.post(f"/admin/webhooks/{hook['id']}/secret")
    [changed] = list_webhooks(engine, APP)
    assert (changed["name"], changed["events"], changed["active"]) == ("改名", ["deleted"], True)
    assert changed["secret"] != hook["secret"] and changed["secret"].startswith("whsec_")
    assert (
        client.post("/admin/webhooks/settings", data={"allowlist": "10.0.0.0/33"}).status_code
        == 302
    )
    assert "白名单中有无效的网段" in client.get("/admin/webhooks").get_data(as_text=True)
    client.post("/admin/webhooks/settings", data={"allowlist": "*.corp.example.com\n10.0.0.0/8"})
    refused = client.post("/admin/webhooks/new", data={**FORM, "url": "https://evil.example.net/"})
    assert "该地址不在 Webhook 目标白名单中。" in refused.get_data(as_text=True)
    assert client.post(f"/admin/webhooks/{hook['id']}/delete").status_code == 302
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(WEBHOOK)).scalar() == 0
    assert client.get(f"/admin/webhooks/{hook['id']}").status_code == 404
