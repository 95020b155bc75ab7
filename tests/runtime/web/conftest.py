"""Web fixtures: the sample app set up in a test database, a Flask test client signed in as
a given user, and (for browser tests) a live server plus headless Chromium.

Browser tests use Debian's Chromium through Playwright (never `playwright install`). With
CI=true a missing Chromium fails the run; elsewhere those tests are skipped with a reason.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from runtime.accounts import set_password
from runtime.apps import user_id_by_name
from runtime.cli import main
from runtime.db import write_transaction
from runtime.web import create_app

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "kairos-test-pass"
ARTIFACTS = Path(__file__).resolve().parents[2] / ".artifacts"


def setup_sample(database_url: str, engine: sa.Engine, opportunities: int = 60) -> None:
    """Quickstart into the test database; every user gets the password PASSWORD."""
    result = CliRunner().invoke(
        main, ["quickstart", "--opportunities", str(opportunities), "--database", database_url]
    )
    assert result.exit_code == 0, result.output
    with write_transaction(engine) as conn:
        for (user_id,) in conn.execute(sa.text("select id from kairos_user")):
            set_password(conn, user_id, PASSWORD)
    # A running server dispatches the demo data's outbox events once, right after
    # install; doing it in the template spares every live-server test that work.
    from runtime.jobs import dispatch_outbox, ensure_job_tables
    from runtime.webhooks._tables import ensure_webhook_tables  # registers the consumer too

    ensure_job_tables(engine)
    ensure_webhook_tables(engine)
    while dispatch_outbox(engine):
        pass


@pytest.fixture(scope="session")
def sqlite_sample_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample set up once per session in a SQLite file, copied for each test."""
    from runtime.db import create_engine

    path = tmp_path_factory.mktemp("sample") / "template.db"
    engine = create_engine(f"sqlite:///{path}")
    setup_sample(f"sqlite:///{path}", engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_sample_dump() -> Iterator[str]:
    """The sample set up once per session in a PostgreSQL schema of its own and dumped as
    SQL with the schema name as a placeholder. Restoring the dump into a test's schema
    takes a fraction of a second; a quickstart takes several."""
    from runtime.db import create_engine

    base_url = os.environ["KAIROS_TEST_DATABASE_URL"]
    schema = f"kairos_sample_template_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        engine = create_engine(base_url, schema=schema)
        setup_sample(f"{base_url}?options=-csearch_path%3D{schema}", engine)
        engine.dispose()
        dump = subprocess.run(
            ["pg_dump", "--no-owner", "--no-privileges", f"--schema={schema}", base_url],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()
    kept = [
        line
        for line in dump.splitlines()
        if not line.startswith(("CREATE SCHEMA", "ALTER SCHEMA", "COMMENT ON SCHEMA"))
    ]
    yield "\n".join(kept).replace(schema, SCHEMA_PLACEHOLDER) + "\n"


SCHEMA_PLACEHOLDER = "__kairos_test_schema__"


def _restore_postgres_sample(dump: str, engine: sa.Engine) -> None:
    with engine.connect() as conn:
        schema = conn.exec_driver_sql("select current_schema()").scalar()
    engine.dispose()
    subprocess.run(
        [
            "psql",
            "--quiet",
            "--no-psqlrc",
            "-v",
            "ON_ERROR_STOP=1",
            os.environ["KAIROS_TEST_DATABASE_URL"],
        ],
        input=dump.replace(SCHEMA_PLACEHOLDER, str(schema)),
        check=True,
        capture_output=True,
        text=True,
    )


@pytest.fixture
def sample(database_url: str, engine: sa.Engine, request: pytest.FixtureRequest) -> str:
    """The sample app in this test's own database: a copy of a session template (a file
    copy on SQLite, a schema dump restored on PostgreSQL)."""
    if engine.dialect.name == "sqlite":
        template = request.getfixturevalue("sqlite_sample_template")
        engine.dispose()
        shutil.copyfile(template, engine.url.database)
    else:
        _restore_postgres_sample(request.getfixturevalue("postgres_sample_dump"), engine)
    return database_url


@pytest.fixture
def web_app(sample: str, tmp_path: Path) -> Iterator[Flask]:
    app = create_app(
        {
            "DATABASE_URL": sample,
            "SECRET_KEY": "test",
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "FILES_DIR": str(tmp_path / "files"),  # uploads stay inside the test
        }
    )
    yield app
    app.extensions["kairos"].engine.dispose()


@pytest.fixture
def login(web_app: Flask) -> Callable[[str], FlaskClient]:
    """``login("zhang.wei")`` → a test client signed in as that user."""

    def sign_in(username: str, locale: str = "zh-CN") -> FlaskClient:
        client = web_app.test_client()
        client.post(f"/locale/{locale}")
        response = client.post("/login", data={"username": username, "password": PASSWORD})
        assert response.status_code == 302, response.text
        return client

    return sign_in


def user_id(engine: sa.Engine, username: str) -> int:
    with engine.connect() as conn:
        found = user_id_by_name(conn, username)
    assert found is not None
    return found


# --- browser tests ------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def live_server(sample: str, tmp_path: Path) -> Iterator[str]:
    """The web app served by waitress on a free loopback port, for the browser."""
    from waitress.server import create_server

    app = create_app(
        {"DATABASE_URL": sample, "SECRET_KEY": "test-live", "FILES_DIR": str(tmp_path / "files")}
    )
    server = create_server(app, host="127.0.0.1", port=_free_port(), threads=4)
    closing = threading.Event()

    def serve() -> None:
        try:
            server.run()
        except OSError:
            # close() from this thread races the loop's select(): EBADF on the way out
            # is the shutdown, not a failure; while serving it is one.
            if not closing.is_set():
                raise

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        closing.set()
        server.close()
        thread.join(timeout=5)
        app.extensions["kairos"].engine.dispose()


@pytest.fixture
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing: browser tests cannot run in CI")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium fonts-noto-cjk)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any, live_server: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context(
        base_url=live_server, locale="zh-CN", viewport={"width": 1366, "height": 860}
    )
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    try:
        yield tab
    finally:
        failed = getattr(request.node, "rep_call", None)
        if failed is not None and failed.failed:
            ARTIFACTS.mkdir(exist_ok=True)
            tab.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
        context.close()


def sign_in(page: Any, username: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("[data-testid=login-submit]")
    page.wait_for_url("**/")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
