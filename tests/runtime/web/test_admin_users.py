"""Admin pages for users and departments: only administrators get in; creating,
deactivating and editing users; the department tree and moving a subtree."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask import Flask

from runtime import org
from runtime.db import read_transaction, write_transaction
from tests.runtime.web.conftest import PASSWORD, user_id

ADMIN_URLS = [
    ("GET", "/admin"),
    ("GET", "/admin/users"),
    ("GET", "/admin/users/new"),
    ("POST", "/admin/users/new"),
    ("GET", "/admin/users/1"),
    ("POST", "/admin/users/1/password"),
    ("POST", "/admin/users/1/active"),
    ("GET", "/admin/departments"),
    ("GET", "/admin/departments/new"),
    ("GET", "/admin/departments/1"),
    ("POST", "/admin/departments/1/delete"),
    ("GET", "/admin/roles"),
    ("GET", "/admin/roles/new"),
    ("GET", "/admin/roles/sales_rep"),
    ("POST", "/admin/roles/sales_rep"),
    ("POST", "/admin/roles/sales_rep/delete"),
    ("GET", "/admin/roles/sales_rep/members"),
    ("POST", "/admin/roles/sales_rep/members"),
    ("POST", "/admin/roles/sales_rep/members/1/remove"),
]


def engine_of(app: Flask) -> sa.Engine:
    return app.extensions["kairos"].engine


def can_sign_in(app: Flask, username: str, password: str) -> bool:
    response = app.test_client().post("/login", data={"username": username, "password": password})
    return response.status_code == 302


@pytest.mark.parametrize("username", ["sun.ming", "zhang.wei"])
def test_every_admin_url_is_forbidden_to_non_administrators(login, username: str) -> None:
    client = login(username)
    for method, url in ADMIN_URLS:
        response = client.open(url, method=method, data={"user_id": "1", "active": "0"})
        assert response.status_code == 403, (method, url)


def test_admin_urls_send_anonymous_visitors_to_the_login_page(web_app: Flask) -> None:
    response = web_app.test_client().get("/admin/users")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_the_landing_page_counts_users_departments_and_roles(login) -> None:
    page = login("admin").get("/admin").text
    assert 'data-testid="admin-card-users"' in page
    assert "启用的用户" in page and "部门" in page and "角色" in page


def test_a_created_user_can_sign_in_with_the_password_set_by_the_admin(login, web_app) -> None:
    client = login("admin")
    engine = engine_of(web_app)
    department = 3
    response = client.post(
        "/admin/users/new",
        data={
            "username": "xu.qing",
            "display_name": "许晴",
            "email": "xu.qing@example.cn",
            "phone": "138 0000 1234",
            "department": str(department),
            "manager": str(user_id(engine, "lin.feng")),
            "roles": ["sales_rep"],
            "password": "first-pass-123",
        },
    )
    assert response.status_code == 302
    new_id = user_id(engine, "xu.qing")
    with read_transaction(engine) as conn:
        user = org.get_user(conn, new_id)
        assert org.user_roles(conn, new_id, "opportunity") == {"sales_rep"}
    assert (user["department_id"], user["email"], user["is_admin"]) == (
        department,
        "xu.qing@example.cn",
        False,
    )
    assert can_sign_in(web_app, "xu.qing", "first-pass-123")


def test_a_generated_password_is_shown_once_and_works(login, web_app) -> None:
    response = login("admin").post(
        "/admin/users/new", data={"username": "wu.lei", "display_name": "吴磊", "roles": []}
    )
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    shown = re.search(r'data-testid="shown-password"|value="([^"]+)" readonly', response.text)
    password = re.search(r'id="shown-password" value="([^"]+)"', response.text)
    assert shown and password
    assert can_sign_in(web_app, "wu.lei", password.group(1))


def test_a_taken_username_and_bad_input_are_shown_beside_the_fields(login, web_app) -> None:
    client = login("admin")
    response = client.post(
        "/admin/users/new",
        data={
            "username": "ZHANG.WEI",
            "display_name": "重名",
            "email": "not-an-email",
            "password": "short",
        },
    )
    assert response.status_code == 200
    page = response.text
    assert "该用户名已被使用" in page
    assert 'data-testid="error-email"' in page
    assert 'data-testid="error-password"' in page
    client.post("/locale/en")  # the account's language
    english = client.post(
        "/admin/users/new", data={"username": "bad name!", "display_name": ""}
    ).text
    assert "Enter a name." in english
    assert "start with a letter or digit" in english
    with read_transaction(engine_of(web_app)) as conn:
        assert not any(u["display_name"] == "重名" for u in org.list_users(conn))


def test_a_deactivated_user_cannot_sign_in_until_reactivated(login, web_app) -> None:
    engine = engine_of(web_app)
    client = login("admin")
    target = user_id(engine, "li.na")
    assert client.post(f"/admin/users/{target}/active", data={"active": "0"}).status_code == 302
    assert not can_sign_in(web_app, "li.na", PASSWORD)
    listed = client.get("/admin/users?status=inactive").text
    assert 'data-testid="user-row-li.na"' in listed
    client.post(f"/admin/users/{target}/active", data={"active": "1"})
    assert can_sign_in(web_app, "li.na", PASSWORD)


def test_an_admin_cannot_lock_themselves_out(login, web_app) -> None:
    client = login("admin")
    me = user_id(engine_of(web_app), "admin")
    client.post(f"/admin/users/{me}/active", data={"active": "0"})
    assert can_sign_in(web_app, "admin", PASSWORD)
    response = client.post(f"/admin/users/{me}", data={"display_name": "管理员"})
    assert "不能取消自己的管理员权限" in response.text


def test_editing_a_user_changes_fields_and_roles_and_reset_sets_the_password(
    login, web_app
) -> None:
    engine = engine_of(web_app)
    client = login("admin")
    target = user_id(engine, "wang.fang")
    form = client.get(f"/admin/users/{target}").text
    assert 'value="wang.fang"' in form and "readonly" in form
    response = client.post(
        f"/admin/users/{target}",
        data={
            "display_name": "王芳芳",
            "department": "4",
            "manager": "",
            "roles": ["sales_rep", "sales_manager"],
            "is_admin": "y",
        },
    )
    assert response.status_code == 302
    with read_transaction(engine) as conn:
        user = org.get_user(conn, target)
        roles = org.user_roles(conn, target, "opportunity")
    assert (user["display_name"], user["department_id"], user["is_admin"]) == ("王芳芳", 4, True)
    assert roles == {"sales_rep", "sales_manager"}
    client.post(f"/admin/users/{target}/password", data={"new_password": "reset-pass-99"})
    assert can_sign_in(web_app, "wang.fang", "reset-pass-99")
    too_short = client.post(f"/admin/users/{target}/password", data={"new_password": "abc"})
    assert too_short.status_code == 400 and "至少 8 个字符" in too_short.text


def test_users_can_be_filtered_by_search_department_and_role(login) -> None:
    client = login("admin")
    page = client.get("/admin/users?q=zhang").text
    assert 'data-testid="user-row-zhang.wei"' in page
    assert 'data-testid="user-row-li.na"' not in page
    managers = client.get("/admin/users?role=sales_manager").text
    assert 'data-testid="user-row-lin.feng"' in managers
    assert 'data-testid="user-row-zhang.wei"' not in managers


def department_paths(engine: sa.Engine) -> dict[str, str]:
    with read_transaction(engine) as conn:
        return {d["name"]: d["path"] for d in org.list_departments(conn)}


def test_moving_a_department_rewrites_the_paths_of_its_whole_subtree(login, web_app) -> None:
    engine = engine_of(web_app)
    with write_transaction(engine) as conn:
        team = org.create_department(conn, "大客户组", 3)  # under 华东销售组 (/1/2/3/)
        org.create_department(conn, "重点行业", team)
    client = login("admin")
    response = client.post(
        "/admin/departments/3", data={"name": "华东大区", "parent": "1", "head": ""}
    )
    assert response.status_code == 302
    paths = department_paths(engine)
    assert paths["华东大区"] == "/1/3/"
    assert paths["大客户组"] == f"/1/3/{team}/"
    assert paths["重点行业"].startswith(f"/1/3/{team}/")
    refused = client.post("/admin/departments/1", data={"name": "总部", "parent": "3", "head": ""})
    assert refused.status_code == 200  # its own sub-department is not a choice
    assert department_paths(engine)["总部"] == "/1/"
    tree = client.get("/admin/departments").text
    assert tree.index("总部") < tree.index("华东大区") < tree.index("大客户组")


def test_departments_are_created_under_a_parent_with_a_head(login, web_app) -> None:
    engine = engine_of(web_app)
    head = user_id(engine, "gao.yan")
    client = login("admin")
    client.post("/admin/departments/new", data={"name": "渠道组", "parent": "2", "head": str(head)})
    with read_transaction(engine) as conn:
        created = next(d for d in org.list_departments(conn) if d["name"] == "渠道组")
    assert created["parent_id"] == 2 and created["head_user_id"] == head
    assert created["path"] == f"/1/2/{created['id']}/"
    empty = client.post("/admin/departments/new", data={"name": "", "parent": "2", "head": ""})
    assert 'data-testid="error-name"' in empty.text


def test_a_department_with_users_cannot_be_deleted_but_an_empty_one_can(login, web_app) -> None:
    engine = engine_of(web_app)
    client = login("admin")
    refused = client.post("/admin/departments/3/delete", follow_redirects=True)
    assert "不能删除" in refused.text
    assert "华东销售组" in department_paths(engine)
    with write_transaction(engine) as conn:
        empty = org.create_department(conn, "临时组", 2)
    client.post(f"/admin/departments/{empty}/delete")
    assert "临时组" not in department_paths(engine)
