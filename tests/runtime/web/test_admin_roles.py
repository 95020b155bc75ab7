"""Admin pages for roles: the permission matrix publishes a new definition version that the
record service enforces; new roles, deleting unused roles, role members."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from runtime import org
from runtime.db import read_transaction
from runtime.publish import list_versions, load_published
from runtime.records import PermissionDenied
from tests.runtime.web.conftest import user_id


class FormValues(HTMLParser):
    """What a browser submits for the first form with ``data-testid``: hidden inputs,
    ticked checkboxes and the selected option of each select."""

    def __init__(self, testid: str) -> None:
        super().__init__()
        self.testid = testid
        self.inside = False
        self.values: list[tuple[str, str]] = []
        self.select: str | None = None
        self.first_option: str | None = None
        self.chosen: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form" and a.get("data-testid") == self.testid:
            self.inside = True
        if not self.inside:
            return
        if tag == "input" and a.get("name"):
            if a.get("type") != "checkbox" or "checked" in a:
                self.values.append((a["name"] or "", a.get("value") or ""))
        elif tag == "select":
            self.select, self.first_option, self.chosen = a.get("name"), None, None
        elif tag == "option" and self.select:
            if self.first_option is None:
                self.first_option = a.get("value") or ""
            if "selected" in a:
                self.chosen = a.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self.select and self.inside:
            value = self.chosen if self.chosen is not None else self.first_option
            self.values.append((self.select, value or ""))
            self.select = None
        elif tag == "form":
            self.inside = False


def matrix_form(client: FlaskClient, role: str) -> list[tuple[str, str]]:
    parser = FormValues("permission-matrix")
    parser.feed(client.get(f"/admin/roles/{role}").text)
    assert parser.values, "the matrix form is missing"
    return parser.values


def engine_of(app: Flask) -> sa.Engine:
    return app.extensions["kairos"].engine


def permissions_of(app: Flask, role: str) -> dict:
    _spec, document = load_published(engine_of(app), "opportunity")
    return next(r for r in document["roles"] if r["key"] == role).get("permissions") or {}


def current_version(app: Flask) -> int:
    return list_versions(engine_of(app), "opportunity")[-1].version_no


@pytest.mark.parametrize("role", ["sales_rep", "sales_manager", "sales_director"])
def test_saving_an_unchanged_matrix_keeps_the_permissions_exactly(login, web_app, role) -> None:
    before = permissions_of(web_app, role)
    version = current_version(web_app)
    client = login("admin")
    response = client.post(f"/admin/roles/{role}", data=MultiDict(matrix_form(client, role)))
    assert response.status_code == 302
    assert permissions_of(web_app, role) == before
    assert current_version(web_app) == version  # nothing changed, nothing published


def test_the_matrix_publishes_a_new_version_the_record_service_enforces(
    login, web_app, monkeypatch
) -> None:
    monkeypatch.setattr("runtime.web.state.VERSION_CHECK_SECONDS", 0)
    engine = engine_of(web_app)
    rep = user_id(engine, "zhang.wei")
    with read_transaction(engine) as conn:
        actor = org.load_actor(conn, rep, "opportunity")
    service = web_app.extensions["kairos"].service()
    assert service.access(actor, service.plan("customer")).can("create")
    assert service.access(actor, service.plan("opportunity")).access("amount") != "hidden"
    version = current_version(web_app)

    client = login("admin")
    values = [
        (name, value)
        for name, value in matrix_form(client, "sales_rep")
        if (name, value) != ("actions.customer", "create") and name != "field.opportunity.amount"
    ]
    values.append(("field.opportunity.amount", "hidden"))
    response = client.post("/admin/roles/sales_rep", data=MultiDict(values), follow_redirects=True)
    assert "已发布第" in response.text
    assert current_version(web_app) == version + 1
    versions = list_versions(engine, "opportunity")
    assert versions[-1].published_by == user_id(engine, "admin")

    service = web_app.extensions["kairos"].service()
    assert not service.access(actor, service.plan("customer")).can("create")
    assert service.access(actor, service.plan("customer")).can("update")
    assert service.access(actor, service.plan("opportunity")).access("amount") == "hidden"
    with pytest.raises(PermissionDenied):
        service.create(actor, "customer", {"name": "新客户"})
    page = client.get("/admin/roles/sales_rep").text
    assert 'data-testid="perm-opportunity-field-amount"' in page


def test_actions_without_read_are_refused_beside_the_row(login, web_app) -> None:
    version = current_version(web_app)
    client = login("admin")
    values = [
        (n, v) for n, v in matrix_form(client, "sales_rep") if (n, v) != ("actions.lead", "read")
    ]
    response = client.post("/admin/roles/sales_rep", data=MultiDict(values))
    assert response.status_code == 400
    assert 'data-testid="perm-error-lead"' in response.text
    assert "必须同时勾选“查看”" in response.text
    assert current_version(web_app) == version


def test_a_form_drawn_from_an_older_version_is_refused(login, web_app) -> None:
    client = login("admin")
    stale = matrix_form(client, "sales_rep")
    fresh = [(n, v) for n, v in stale if (n, v) != ("actions.task", "update")]
    client.post("/admin/roles/sales_rep", data=MultiDict(fresh))
    version = current_version(web_app)
    again = [(n, v) for n, v in stale if (n, v) != ("actions.lead", "create")]
    response = client.post("/admin/roles/sales_rep", data=MultiDict(again), follow_redirects=True)
    assert "重新发布" in response.text
    assert current_version(web_app) == version
    assert "create" in permissions_of(web_app, "sales_rep")["lead"]["actions"]


def test_the_administrator_role_is_shown_but_not_editable(login) -> None:
    page = login("admin").get("/admin/roles/admin").text
    assert 'data-testid="admin-role-note"' in page
    assert 'data-testid="permission-matrix"' not in page


def test_a_new_role_can_copy_permissions_and_an_unused_role_can_be_deleted(login, web_app) -> None:
    client = login("admin")
    response = client.post(
        "/admin/roles/new",
        data={
            "key": "key_account",
            "label_zh": "大客户经理",
            "label_en": "Key account manager",
            "copy_from": "sales_rep",
        },
    )
    assert response.status_code == 302
    assert permissions_of(web_app, "key_account") == permissions_of(web_app, "sales_rep")
    assert "大客户经理" in client.get("/admin/roles").text

    duplicate = client.post(
        "/admin/roles/new", data={"key": "key_account", "label_zh": "重复", "label_en": "Again"}
    )
    assert "已存在使用该标识的角色" in duplicate.text
    invalid = client.post(
        "/admin/roles/new", data={"key": "Key-1", "label_zh": "", "label_en": "x"}
    )
    assert (
        'data-testid="error-key"' in invalid.text and 'data-testid="error-label_zh"' in invalid.text
    )

    version = current_version(web_app)
    client.post("/admin/roles/key_account/delete", data={"version_no": str(version)})
    _spec, document = load_published(engine_of(web_app), "opportunity")
    assert "key_account" not in [r["key"] for r in document["roles"]]


def test_a_role_with_members_cannot_be_deleted(login, web_app) -> None:
    client = login("admin")
    version = current_version(web_app)
    response = client.post(
        "/admin/roles/sales_rep/delete", data={"version_no": str(version)}, follow_redirects=True
    )
    assert "请先移除他们" in response.text
    assert current_version(web_app) == version


def test_members_are_added_and_removed(login, web_app) -> None:
    engine = engine_of(web_app)
    client = login("admin")
    newcomer = user_id(engine, "lin.feng")
    client.post("/admin/roles/sales_rep/members", data={"user_id": str(newcomer)})
    with read_transaction(engine) as conn:
        assert "sales_rep" in org.user_roles(conn, newcomer, "opportunity")
    page = client.get("/admin/roles/sales_rep/members").text
    assert 'data-testid="member-lin.feng"' in page
    client.post(f"/admin/roles/sales_rep/members/{newcomer}/remove")
    with read_transaction(engine) as conn:
        assert "sales_rep" not in org.user_roles(conn, newcomer, "opportunity")
    nobody = client.post(
        "/admin/roles/sales_rep/members", data={"user_id": ""}, follow_redirects=True
    )
    assert "请选择要添加的用户" in nobody.text
