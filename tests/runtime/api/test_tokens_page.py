"""The token pages: /me/tokens (create — shown once —, list, revoke) and /admin/tokens.

One sample database per module (see conftest); each test names its tokens uniquely.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from runtime.api import tokens
from runtime.web import create_app
from tests.runtime.api.conftest import PASSWORD

SECRET = re.compile(r"kai_[A-Za-z0-9_-]{43}")


@pytest.fixture(scope="module")
def web_app(shared_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = create_app(
        {
            "DATABASE_URL": shared_database,
            "SECRET_KEY": "test",
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "FILES_DIR": str(Path(tmp_path_factory.mktemp("files"))),
        }
    )
    yield app
    app.extensions["kairos"].engine.dispose()


@pytest.fixture
def login(web_app: Flask) -> Callable[[str], FlaskClient]:
    def sign_in(username: str) -> FlaskClient:
        client = web_app.test_client()
        response = client.post("/login", data={"username": username, "password": PASSWORD})
        assert response.status_code == 302, response.text
        return client

    return sign_in


@pytest.fixture
def name() -> str:
    return f"订单同步{uuid.uuid4().hex[:6]}"


def _token(web_app: Flask, name: str) -> dict[str, object]:
    with web_app.extensions["kairos"].engine.connect() as conn:
        return dict(
            conn.execute(sa.select(tokens.TOKEN).where(tokens.TOKEN.c.name == name))
            .mappings()
            .one()
        )


def _create(client: FlaskClient, name: str, **form: object) -> str:
    response = client.post(
        "/me/tokens", data={"name": name, "access": "write", "expires": "", **form}
    )
    assert response.status_code == 200, response.text
    assert response.headers["Cache-Control"] == "no-store"
    return response.text


def test_a_new_token_is_shown_once_and_stored_hashed(
    web_app: Flask, login: Callable[..., FlaskClient], name: str
) -> None:
    client = login("zhang.wei")
    page = _create(client, name, tables=["customer", "opportunity"], expires="30")
    found = SECRET.findall(page)
    assert len(set(found)) == 1
    secret = found[0]
    assert "请立即复制" in page and "客户、商机" in page
    again = client.get("/me/tokens").text
    assert secret not in again and secret[:12] in again and "从未使用" in again
    row = _token(web_app, name)
    assert row["token_hash"] != secret and row["tables"] == ["customer", "opportunity"]
    assert row["expires_at"] is not None and row["access"] == "write"
    used = web_app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert used.status_code == 200
    assert _token(web_app, name)["last_used_at"] is not None


def test_no_tables_ticked_means_all_tables_and_bad_input_is_refused(
    web_app: Flask, login: Callable[..., FlaskClient], name: str
) -> None:
    client = login("zhang.wei")
    _create(client, name)
    assert _token(web_app, name)["tables"] == ["*"]
    for form in ({"name": "", "access": "write"}, {"name": name + "x", "access": "root"},
                 {"name": name + "y", "access": "read", "tables": ["secret"]}):  # fmt: skip
        refused = client.post("/me/tokens", data=form)
        assert refused.status_code == 200 and not SECRET.search(refused.text)
    with web_app.extensions["kairos"].engine.connect() as conn:
        like = tokens.TOKEN.c.name.like(name + "%")
        assert conn.execute(sa.select(sa.func.count()).where(like)).scalar() == 1


def test_revoke_own_token_only(
    web_app: Flask, login: Callable[..., FlaskClient], name: str
) -> None:
    owner = login("zhang.wei")
    secret = SECRET.findall(_create(owner, name))[0]
    token_id = _token(web_app, name)["id"]
    stranger = login("wang.fang")
    assert stranger.post(f"/me/tokens/{token_id}/revoke").status_code == 404
    assert name not in stranger.get("/me/tokens").text
    done = owner.post(f"/me/tokens/{token_id}/revoke", follow_redirects=True)
    assert "令牌已撤销" in done.text
    assert _token(web_app, name)["revoked_at"] is not None
    api = web_app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert api.status_code == 401
    assert owner.post(f"/me/tokens/{token_id}/revoke").status_code == 404
    assert owner.post("/me/tokens/99999999999999999999999/revoke").status_code == 404


def test_admins_see_and_revoke_every_token(
    web_app: Flask, login: Callable[..., FlaskClient], name: str
) -> None:
    _create(login("zhang.wei"), name)
    rep = login("wang.fang")
    assert rep.get("/admin/tokens").status_code == 403
    admin = login("admin")
    page = admin.get("/admin/tokens").text
    assert "张伟" in page and name in page
    token_id = _token(web_app, name)["id"]
    assert rep.post(f"/admin/tokens/{token_id}/revoke").status_code == 403
    assert _token(web_app, name)["revoked_at"] is None
    done = admin.post(f"/admin/tokens/{token_id}/revoke", follow_redirects=True)
    assert done.status_code == 200 and "令牌已撤销" in done.text
    assert _token(web_app, name)["revoked_at"] is not None


def test_the_pages_need_a_sign_in_and_speak_english(
    web_app: Flask, login: Callable[..., FlaskClient], name: str
) -> None:
    assert web_app.test_client().get("/me/tokens").status_code == 302
    client = login("wu.xia")
    client.post("/locale/en")  # remembered on wu.xia's account only
    page = _create(client, name)
    assert "Copy it now" in page and "API tokens" in page and "All tables" in page
