"""The duplicate pages through the Flask client: scan, merge, merge log, undo, rights."""

from __future__ import annotations

from typing import Any

from runtime.dedupe.log import list_merges
from runtime.records import Actor


def _two_alibabas(web_app: Any) -> tuple[dict[str, Any], dict[str, Any], Any]:
    service = web_app.extensions["kairos"].service()
    admin = Actor.system()
    a = service.create(
        admin, "customer", {"name": "杭州阿里巴巴网络科技有限公司", "level": "a", "region": "east"}
    )
    b = service.create(
        admin, "customer", {"name": "阿里巴巴（杭州）网络科技", "level": "b", "region": "east"}
    )
    contact = service.create(
        admin, "contact", {"name": "马云飞", "customer": b["id"], "mobile": "13912345678"}
    )
    return a, b, contact


def test_scan_merge_and_undo(web_app, login) -> None:  # type: ignore[no-untyped-def]
    a, b, contact = _two_alibabas(web_app)
    client = login("admin")
    page = client.get("/t/customer/duplicates?rule=similar_name")
    assert page.status_code == 200, page.text
    assert "疑似重复" in page.text
    assert f"ids={a['id']}%2C{b['id']}" in page.text or f"ids={a['id']},{b['id']}" in page.text

    form = client.get(f"/t/customer/merge?ids={a['id']},{b['id']}")
    assert form.status_code == 200
    assert f'name="f_level" value="{b["id"]}"' in form.text
    assert "合并记录" in form.text

    done = client.post(
        "/t/customer/merge",
        data={"ids": f"{a['id']},{b['id']}", "master": a["id"], "f_level": b["id"]},
    )
    assert done.status_code == 302
    service = web_app.extensions["kairos"].service()
    assert service.get(Actor.system(), "customer", a["id"])["level"] == "b"
    assert service.get(Actor.system(), "contact", contact["id"])["customer"] == a["id"]
    [entry] = list_merges(service.engine, "opportunity", "customer")
    log = client.get(done.headers["Location"])
    assert "已合并 2 条记录" in log.text and f"undo-{entry['id']}" in log.text

    undone = client.post(f"/t/customer/merges/{entry['id']}/undo", follow_redirects=True)
    assert "已撤销合并" in undone.text
    assert service.get(Actor.system(), "contact", contact["id"])["customer"] == b["id"]
    assert service.get(Actor.system(), "customer", a["id"])["level"] == "a"


def test_bad_requests_and_rights(web_app, login) -> None:  # type: ignore[no-untyped-def]
    a, b, _contact = _two_alibabas(web_app)
    client = login("admin")
    one = client.get(f"/t/customer/merge?ids={a['id']}", follow_redirects=True)
    assert "请选择 2 到 5 条记录进行合并。" in one.text
    assert client.get("/t/customer/duplicates?rule=nope").status_code == 404
    assert client.get("/t/customer/merge?ids=999998,999999").status_code == 404
    wrong = client.post(
        "/t/customer/merge", data={"ids": f"{a['id']},{b['id']}", "master": a["id"], "f_name": 1}
    )
    assert wrong.status_code == 302  # back to the form with the error flashed
    assert list_merges(web_app.extensions["kairos"].engine, "opportunity", "customer") == []


def test_background_scan(web_app, login) -> None:  # type: ignore[no-untyped-def]
    from runtime.jobs import run_pending

    a, b, _contact = _two_alibabas(web_app)
    client = login("admin")
    started = client.post("/t/customer/duplicates/scan", data={"rule": "similar_name"})
    assert started.status_code == 302
    waiting = client.get(started.headers["Location"])
    assert 'data-testid="scan-running"' in waiting.text
    assert run_pending(web_app.extensions["kairos"].engine) == 1
    done = client.get(started.headers["Location"])
    assert f"#{a['id']}" in done.text and f"#{b['id']}" in done.text
    assert login("zhao.min").get(started.headers["Location"]).status_code == 404
