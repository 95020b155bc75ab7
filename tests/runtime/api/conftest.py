"""REST API fixtures: the web fixtures (sample app, app, browser) plus a sample app shared
by a whole test module (restoring it per test adds up), tokens and a JSON client.

Tests sharing a module's database only add records or read ones they made or the demo
data has, so their order does not matter.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from runtime.api import tokens
from runtime.db import create_engine, write_transaction
from runtime.web import create_app
from tests.runtime.web import conftest as web

# The web fixtures, re-exported so pytest finds them for these tests too.
sqlite_sample_template = web.sqlite_sample_template
postgres_sample_dump = web.postgres_sample_dump
sample = web.sample
web_app = web.web_app
login = web.login
live_server = web.live_server
browser = web.browser
page = web.page
pytest_runtest_makereport = web.pytest_runtest_makereport
user_id = web.user_id
sign_in = web.sign_in
ARTIFACTS = web.ARTIFACTS
PASSWORD = web.PASSWORD


@pytest.fixture(scope="module")
def shared_database(
    backend: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[str]:
    """The sample app in a database for this test module: a copy of the session's template
    (SQLite file, or the PostgreSQL dump restored into a schema of its own)."""
    if backend == "sqlite":
        template = request.getfixturevalue("sqlite_sample_template")
        path = tmp_path_factory.mktemp("api") / "kairos.db"
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
        return
    base = os.environ["KAIROS_TEST_DATABASE_URL"]
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    schema = f"api_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = f"{base}?options=-csearch_path%3D{schema}"
    engine = create_engine(base, schema=schema)
    try:
        web._restore_postgres_sample(request.getfixturevalue("postgres_sample_dump"), engine)
        yield url
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="module")
def api_app(shared_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = create_app(
        {
            "DATABASE_URL": shared_database,
            "SECRET_KEY": "test",
            "TESTING": True,
            "FILES_DIR": str(tmp_path_factory.mktemp("files")),
        }
    )
    yield app
    app.extensions["kairos"].engine.dispose()


@dataclass
class Api:
    """A JSON client of /api/v1 with one token."""

    client: FlaskClient
    secret: str
    token_id: int

    def call(self, method: str, path: str, **options: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.secret}", **options.pop("headers", {})}
        url = path if path.startswith("/") else f"/api/v1/{path}"
        return self.client.open(url, method=method, headers=headers, **options)

    def get(self, path: str, **options: Any) -> Any:
        return self.call("GET", path, **options)

    def post(self, path: str, body: Any = None, **options: Any) -> Any:
        return self.call("POST", path, json=body, **options)

    def patch(self, path: str, body: Any = None, **options: Any) -> Any:
        return self.call("PATCH", path, json=body, **options)

    def delete(self, path: str, **options: Any) -> Any:
        return self.call("DELETE", path, **options)


def make_token(
    app: Flask,
    username: str,
    *,
    tables: tuple[str, ...] = ("*",),
    access: str = "write",
    **options: Any,
) -> tuple[str, int]:
    state = app.extensions["kairos"]
    uid = user_id(state.engine, username)
    known = [t.key for t in state.service().tables.app.tables]
    with write_transaction(state.engine) as conn:
        secret, info = tokens.create_token(
            conn,
            user_id=uid,
            app_key=state.app_key,
            name=f"test {username}",
            tables=tables,
            access=access,
            known_tables=known,
            **options,
        )
    return secret, info.id


@pytest.fixture
def api_as(api_app: Flask) -> Callable[..., Api]:
    """``api_as("zhang.wei", access="read", tables=("customer",))`` → an Api client."""

    def build(username: str, **options: Any) -> Api:
        secret, token_id = make_token(api_app, username, **options)
        return Api(api_app.test_client(), secret, token_id)

    return build
