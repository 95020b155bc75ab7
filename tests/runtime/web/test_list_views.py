"""Saved list views: create, apply, personal vs shared, who may change or delete."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qs, urlparse

SPEC = {
    "cols": "name,amount,stage",
    "sort": "-amount",
    "filter": json.dumps({"all": [{"field": "amount", "op": "gte", "value": 100000}]}),
    "q": "项目",
}


def save(client: Any, name: str, shared: bool = False) -> int:
    response = client.post(
        "/t/opportunity/views",
        data={"name": name, "shared": "1" if shared else "", "spec": json.dumps(SPEC)},
    )
    assert response.status_code == 302, response.text
    return int(parse_qs(urlparse(response.location).query)["view"][0])


def view_names(client: Any) -> list[str]:
    page = client.get("/t/opportunity")
    return [n.strip() for n in re.findall(r'data-testid="saved-view"[^>]*>\s*([^<]+)<', page.text)]


def test_create_and_apply_a_view(login: Any) -> None:
    client = login("sun.ming")
    view_id = save(client, "大单")
    applied = client.get(f"/t/opportunity?use={view_id}")
    assert applied.status_code == 302
    query = parse_qs(urlparse(applied.location).query)
    assert {k: v[0] for k, v in query.items() if k != "view"} == SPEC
    page = client.get(applied.location)
    assert page.status_code == 200
    assert re.findall(r'data-testid="header-([a-z_]+)"', page.text) == ["name", "amount", "stage"]
    assert "大单" in page.text and 'data-testid="view-changed"' not in page.text
    changed = client.get(applied.location.replace("sort=-amount", "sort=amount"))
    assert 'data-testid="view-changed"' in changed.text


def test_personal_views_stay_personal_and_shared_ones_are_seen_by_readers(login: Any) -> None:
    owner = login("sun.ming")
    personal = save(owner, "我的私有视图")
    shared = save(owner, "团队视图", shared=True)
    assert {"团队视图", "我的私有视图"} <= set(view_names(owner))
    rep = login("zhao.min")
    assert "团队视图" in view_names(rep)
    assert "我的私有视图" not in view_names(rep)
    assert rep.get(f"/t/opportunity?use={personal}").status_code == 404
    assert rep.get(f"/t/opportunity?use={shared}").status_code == 302


def test_only_owner_or_admin_may_change_or_delete(login: Any) -> None:
    owner = login("sun.ming")
    shared = save(owner, "团队视图", shared=True)
    rep = login("zhao.min")
    assert rep.post(f"/t/opportunity/views/{shared}", data={"name": "改名"}).status_code == 403
    assert rep.post(f"/t/opportunity/views/{shared}/delete").status_code == 403
    assert "团队视图" in view_names(rep)

    renamed = owner.post(f"/t/opportunity/views/{shared}", data={"name": "团队大单", "shared": "0"})
    assert renamed.status_code == 302
    assert "团队大单" not in view_names(rep)  # unshared again
    assert "团队大单" in view_names(owner)

    admin = login("admin")
    assert admin.post(f"/t/opportunity/views/{shared}/delete").status_code == 302
    assert "团队大单" not in view_names(owner)


def test_overwrite_replaces_the_saved_state(login: Any) -> None:
    owner = login("sun.ming")
    view_id = save(owner, "大单")
    newer = {**SPEC, "sort": "name"}
    response = owner.post(
        f"/t/opportunity/views/{view_id}",
        data={"overwrite": "1", "spec": json.dumps(newer)},
    )
    assert response.status_code == 302
    assert parse_qs(urlparse(response.location).query)["sort"] == ["name"]
    again = owner.get(f"/t/opportunity?use={view_id}")
    assert parse_qs(urlparse(again.location).query)["sort"] == ["name"]


def test_a_view_without_a_name_is_refused(login: Any) -> None:
    owner = login("sun.ming")
    response = owner.post("/t/opportunity/views", data={"name": "  ", "spec": "{}"})
    assert response.status_code == 302
    assert "请填写视图名称" in owner.get(response.location).text


def test_a_shared_view_never_shows_a_field_the_reader_may_not_see(login: Any) -> None:
    admin = login("admin")
    response = admin.post(
        "/t/opportunity/views",
        data={"name": "毛利", "shared": "1", "spec": json.dumps({"cols": "name,product_margin"})},
    )
    view_id = int(parse_qs(urlparse(response.location).query)["view"][0])
    rep = login("zhao.min")
    page = rep.get(rep.get(f"/t/opportunity?use={view_id}").location)
    assert re.findall(r'data-testid="header-([a-z_]+)"', page.text) == ["name"]
