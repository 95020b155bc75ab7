"""Shared fixtures: a fresh database per test, on SQLite or PostgreSQL.

Set ``KAIROS_TEST_DATABASE_URL`` (e.g. ``postgresql://postgres@127.0.0.1:5432/test``) to run
the suite against PostgreSQL; each test then gets its own schema, dropped afterwards. Without
it every test gets a new SQLite file. With ``CI=true`` an unreachable PostgreSQL fails the
run instead of skipping it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import settings
from sqlalchemy.engine import Engine

from runtime.db import create_engine, dispose_all

TEST_DATABASE_URL = os.environ.get("KAIROS_TEST_DATABASE_URL", "")

# CI runs property tests on fixed examples: a red CI must mean the change broke something,
# not that this run happened to draw a new counterexample (developers' runs keep exploring).
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI") == "true":
    settings.load_profile("ci")


def _postgres_admin_engine() -> Engine:
    engine = create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
    except sa.exc.OperationalError as exc:
        message = f"PostgreSQL at KAIROS_TEST_DATABASE_URL is unreachable: {exc}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)  # CI must not silently fall back to SQLite
        pytest.skip(message)
    return engine


@pytest.fixture(autouse=True)
def _close_every_pool() -> Iterator[None]:
    """Engines a test (or the app under test) opened are closed when it ends, so no
    connection is garbage-collected open during a later test (psycopg warns then)."""
    yield
    dispose_all()


@pytest.fixture(scope="session")
def backend() -> str:
    return "postgresql" if TEST_DATABASE_URL.startswith("postgres") else "sqlite"


@pytest.fixture
def engine(tmp_path: Path, backend: str) -> Iterator[Engine]:
    """A brand-new, empty database for one test."""
    if backend == "sqlite":
        eng = create_engine(f"sqlite:///{tmp_path / 'kairos.db'}")
        yield eng
        eng.dispose()
        return
    admin = _postgres_admin_engine()
    schema = f"t_{uuid.uuid4().hex[:16]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    eng = create_engine(TEST_DATABASE_URL, schema=schema)
    try:
        yield eng
    finally:
        eng.dispose()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
