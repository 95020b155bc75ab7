"""Signing in and out, throttling, password change and the language switch."""

from __future__ import annotations

from flask import Flask

from tests.runtime.web.conftest import PASSWORD


def test_pages_need_a_signed_in_user(web_app: Flask) -> None:
    response = web_app.test_client().get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_sign_in_lands_on_the_home_page_with_the_tables_the_user_may_read(login) -> None:
    client = login("admin")
    page = client.get("/").text
    assert "商机管理" in page
    assert 'data-testid="table-card-opportunity"' in page


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(web_app: Flask) -> None:
    client = web_app.test_client()
    response = client.post("/login", data={"username": "admin", "password": "nope"})
    assert response.status_code == 401
    assert "用户名或密码错误" in response.text or "Wrong username or password" in response.text
    unknown = client.post("/login", data={"username": "ghost", "password": "nope"})
    assert unknown.status_code == 401


def test_repeated_failures_lock_the_account_for_a_while(web_app: Flask) -> None:
    client = web_app.test_client()
    for _ in range(web_app.config["LOGIN_MAX_FAILURES"]):
        client.post("/login", data={"username": "li.na", "password": "bad"})
    locked = client.post("/login", data={"username": "li.na", "password": PASSWORD})
    assert locked.status_code == 401
    assert "15" in locked.text  # "try again in 15 minutes"


def test_open_redirects_after_login_are_ignored(web_app: Flask) -> None:
    client = web_app.test_client()
    response = client.post(
        "/login?next=https://evil.example/", data={"username": "admin", "password": PASSWORD}
    )
    assert response.headers["Location"] == "/"


def test_password_change_needs_the_current_password(login) -> None:
    client = login("zhang.wei")
    wrong = client.post(
        "/account/password",
        data={"current": "bad", "new": "new-password-1", "repeat": "new-password-1"},
    )
    assert "当前密码不正确" in wrong.text
    ok = client.post(
        "/account/password",
        data={"current": PASSWORD, "new": "new-password-1", "repeat": "new-password-1"},
    )
    assert ok.status_code == 302


def test_language_switch_is_remembered_on_the_account(login) -> None:
    client = login("admin", locale="zh-CN")
    assert "欢迎回来" in client.get("/").text
    client.post("/locale/en", data={"next": "/"})
    assert "Welcome back" in client.get("/").text


def test_sign_out_needs_a_post_and_ends_the_session(login) -> None:
    client = login("admin")
    assert client.post("/logout").status_code == 302
    assert client.get("/").status_code == 302
