"""The webhook admin pages: create with validation, secret, delivery log, redeliver,
allowlist, delete; administrators only."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
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


def _builder_config(page: str) -> dict:
    found = re.search(r'id="condition-builder-config">(.*?)</script>', page, re.S)
    assert found is not None
    return dict(json.loads(found.group(1)))


def test_condition_problems_name_the_field_and_the_rule(
    web_app: Flask, login: Callable[..., FlaskClient]
) -> None:
    client = login("admin")
    form = {**FORM, "url": "https://erp.local/x", "condition_mode": "builder"}

    def post(condition: object) -> str:
        page = client.post("/admin/webhooks/new", data={**form, "condition": json.dumps(condition)})
        assert page.status_code == 422
        return str(page.get_data(as_text=True))

    text = post({"field": "level", "op": "changed_to", "value": "zz"})
    assert "客户等级：“zz”不是该字段的选项。" in text
    assert "“zz”不是该字段的选项" in post({"field": "level", "op": "in", "value": ["a", "zz"]})
    text = post(
        {
            "any": [
                {"field": "level", "op": "eq", "value": "a"},
                {"field": "nope", "op": "is_empty"},
                {"field": "reg_capital", "op": "gt", "value": "很多"},
            ]
        }
    )
    assert "第 2 个条件：字段“nope”不存在" in text
    assert "注册资本" in text and "很多" in text
    # the builder marks the rows the problems are in
    assert set(_builder_config(text)["ruleErrors"]) == {"1", "2"}
    client.post("/locale/en")  # remembered on the account
    text = post({"field": "level", "op": "eq", "value": "zz"})
    assert "Level: “zz” is not an option of this field." in text
    assert list_webhooks(web_app.extensions["kairos"].engine, APP) == []
    # references to the changing user and to other fields are not option keys
    for fine in (
        {"field": "owner_id", "op": "eq", "value": "$user"},
        {"field": "level", "op": "ne", "value": {"field": "source"}},
    ):
        saved = client.post("/admin/webhooks/new", data={**form, "condition": json.dumps(fine)})
        assert saved.status_code == 302, saved.get_data(as_text=True)


def test_the_builder_offers_change_operators_and_the_changing_user(
    web_app: Flask, login: Callable[..., FlaskClient]
) -> None:
    config = _builder_config(login("admin").get("/admin/webhooks/new").get_data(as_text=True))
    fields = {f["key"]: f for f in config["tables"]["customer"]}
    ops = config["shared"]["ops"]
    labels = {o["op"]: o["label"] for o in ops[fields["level"]["kind"]]}
    assert labels["changed_to"] == "变更为" and labels["changed_from"] == "变更前为"
    assert {o["value"] for o in fields["level"]["options"]} >= {"a", "b", "c"}
    assert fields["industry"]["input"] == "search"  # records are searched, not listed
    assert fields["owner_id"]["shared"] == "user"
    users = {o["value"]: o["label"] for o in config["shared"]["choices"]["user"]}
    assert users["$user"] == "做出变更的用户"
    moment = {o["op"] for o in ops[fields["created_at"]["kind"]]}
    assert "changed" in moment and "changed_to" not in moment
    assert {o["op"] for o in ops[fields["address"]["kind"]]} == {
        "is_empty",
        "is_not_empty",
        "changed",
    }
    assert config["condition"] is None and config["mode"] == "builder"


def test_the_webhook_page_says_how_long_deliveries_are_kept(
    web_app: Flask, login: Callable[..., FlaskClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = _engine(web_app)
    client = login("admin")
    condition = {"all": [{"field": "level", "op": "changed_to", "value": "a"}]}
    client.post(
        "/admin/webhooks/new",
        data={**FORM, "url": "https://erp.example.com/hook", "condition": json.dumps(condition)},
    )
    [hook] = list_webhooks(engine, APP)
    monkeypatch.setenv("KAIROS_WEBHOOK_RETENTION_DAYS", "7")
    page = client.get(f"/admin/webhooks/{hook['id']}").get_data(as_text=True)
    assert "客户等级 变更为 A 重点客户" in page
    assert "已送达的保留 7 天，失败的保留 90 天" in page
    monkeypatch.setenv("KAIROS_WEBHOOK_RETENTION_DAYS", "0")
    page = client.get(f"/admin/webhooks/{hook['id']}").get_data(as_text=True)
    assert "已送达的保留 永久，失败的保留 永久" in page
    edit = client.get(f"/admin/webhooks/{hook['id']}/edit").get_data(as_text=True)
    assert _builder_config(edit)["condition"] == condition
    # a relation's value is shown by its record's title
    service = open_app(engine, APP)
    with engine.connect() as conn:
        admin = load_actor(conn, user_id(engine, "admin"), APP)
    [industry] = service.query(admin, "industry", fields=["name"], limit=1).rows
    by_industry = {"field": "industry", "op": "changed_to", "value": industry["id"]}
    client.post(
        f"/admin/webhooks/{hook['id']}/edit",
        data={**FORM, "url": "https://erp.example.com/hook", "condition": json.dumps(by_industry)},
    )
    page = client.get(f"/admin/webhooks/{hook['id']}").get_data(as_text=True)
    assert f"行业 变更为 {industry['name']}" in page
    edit = client.get(f"/admin/webhooks/{hook['id']}/edit").get_data(as_text=True)
    assert _builder_config(edit)["titles"] == {"industry": {str(industry["id"]): industry["name"]}}
