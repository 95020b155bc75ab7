"""Authentication of /api/v1: bearer tokens only, 401 for every bad token, last use
recorded, revoke takes effect at once, the rate limit answers 429 with Retry-After."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from flask import Flask

from runtime.api import tokens
from runtime.db import write_transaction
from runtime.org import USER
from runtime.web import create_app
from tests.runtime.api.conftest import Api, make_token, user_id


def _problem(response, status: int, code: str) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.data
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["code"] == code
    assert body["type"] == f"https://kairos.dev/problems/{code}"
    assert body["title"] and body["detail"]
    return body


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Basic emhhbmcud2VpOnB3",
        "Bearer",
        "Bearer ",
        "Bearer kai_notatoken",
        "Bearer kai_" + "A" * 43,  # well-formed, unknown
        "Bearer kai_" + "\u4e2d" * 43,
        "Token kai_" + "A" * 43,
    ],
)
def test_missing_or_bad_tokens_get_401_with_a_challenge(api_app: Flask, header: str | None) -> None:
    headers = {} if header is None else {"Authorization": header}
    response = api_app.test_client().get("/api/v1/me", headers=headers)
    _problem(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_session_cookie_is_no_substitute_for_a_token(api_app: Flask) -> None:
    client = api_app.test_client()
    with client.session_transaction() as session:
        session["user_id"] = user_id(api_app.extensions["kairos"].engine, "admin")
    assert client.get("/").status_code == 200  # signed in for the web UI
    _problem(client.get("/api/v1/me"), 401, "unauthorized")


def test_me_describes_the_user_and_the_token_scope(api_as: Callable[..., Api]) -> None:
    api = api_as("zhang.wei", tables=("customer", "opportunity"), access="read")
    response = api.get("me")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_json() == {
        "id": response.get_json()["id"],
        "username": "zhang.wei",
        "display_name": "张伟",
        "locale": "zh-CN",
        "token": {
            "name": "test zhang.wei",
            "tables": ["customer", "opportunity"],
            "access": "read",
        },
    }
    assert response.headers["X-RateLimit-Limit"] == "120"
    assert response.headers["Cache-Control"] == "no-store"


def test_use_sets_last_used_and_revoke_means_401(
    api_app: Flask, api_as: Callable[..., Api]
) -> None:
    api = api_as("xu.qiang")
    engine = api_app.extensions["kairos"].engine
    with engine.connect() as conn:
        before = conn.execute(
            sa.select(tokens.TOKEN.c.last_used_at).where(tokens.TOKEN.c.id == api.token_id)
        ).scalar_one()
    assert before is None
    assert api.get("me").status_code == 200
    with engine.connect() as conn:
        used = conn.execute(
            sa.select(tokens.TOKEN.c.last_used_at).where(tokens.TOKEN.c.id == api.token_id)
        ).scalar_one()
    assert used is not None
    assert api.get("me").status_code == 200
    with engine.connect() as conn:  # not rewritten within the minute
        assert (
            conn.execute(
                sa.select(tokens.TOKEN.c.last_used_at).where(tokens.TOKEN.c.id == api.token_id)
            ).scalar_one()
            == used
        )
    with write_transaction(engine) as conn:
        assert tokens.revoke_token(conn, api.token_id)
    _problem(api.get("me"), 401, "unauthorized")


def test_a_deactivated_users_token_stops_working(
    api_app: Flask, api_as: Callable[..., Api]
) -> None:
    api = api_as("zhu.hong")
    assert api.get("me").status_code == 200
    engine = api_app.extensions["kairos"].engine
    with write_transaction(engine) as conn:
        conn.execute(
            USER.update().where(USER.c.id == user_id(engine, "zhu.hong")).values(is_active=False)
        )
    try:
        _problem(api.get("me"), 401, "unauthorized")
    finally:
        with write_transaction(engine) as conn:
            conn.execute(
                USER.update().where(USER.c.id == user_id(engine, "zhu.hong")).values(is_active=True)
            )


def test_a_token_of_another_app_is_refused(api_app: Flask) -> None:
    state = api_app.extensions["kairos"]
    with write_transaction(state.engine) as conn:
        secret, _info = tokens.create_token(
            conn, user_id=user_id(state.engine, "admin"), app_key="other_app", name="x",
            tables=["*"], access="read", known_tables=[],
        )  # fmt: skip
    response = api_app.test_client().get(
        "/api/v1/me", headers={"Authorization": f"Bearer {secret}"}
    )
    _problem(response, 401, "unauthorized")


def test_problems_speak_the_users_locale_unless_accept_language_names_one(
    api_as: Callable[..., Api],
) -> None:
    api = api_as("zhang.wei")
    zh = _problem(api.get("tables/nope/records"), 404, "not_found")
    assert zh["title"] == "不存在"
    en = api.get("tables/nope/records", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert _problem(en, 404, "not_found")["title"] == "Not found"
    fr = api.get("tables/nope/records", headers={"Accept-Language": "fr"})
    assert _problem(fr, 404, "not_found")["title"] == "不存在"


@pytest.fixture
def limited_app(shared_database: str) -> Iterator[Flask]:
    app = create_app(
        {"DATABASE_URL": shared_database, "SECRET_KEY": "t", "TESTING": True, "API_RATE_LIMIT": 3}
    )
    yield app
    app.extensions["kairos"].engine.dispose()


def test_the_rate_limit_answers_429_with_retry_after(limited_app: Flask) -> None:
    secret, _ = make_token(limited_app, "li.na")
    other, _ = make_token(limited_app, "li.na")
    client = limited_app.test_client()
    auth = {"Authorization": f"Bearer {secret}"}
    remaining = [client.get("/api/v1/me", headers=auth).headers["X-RateLimit-Remaining"]
                 for _ in range(3)]  # fmt: skip
    assert remaining == ["2", "1", "0"]
    limited = client.get("/api/v1/me", headers=auth)
    body = _problem(limited, 429, "rate_limited")
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert "3" in body["detail"]
    # per token: another token of the same user is not affected
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {other}"}).status_code == 200
