"""Fixtures for runtime tests that drive the CLI against the per-test database."""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa


@pytest.fixture
def database_url(engine: sa.Engine) -> str:
    """A URL the CLI can open that points at this test's database (PostgreSQL: its schema)."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            schema = conn.exec_driver_sql("show search_path").scalar()
        return f"{os.environ['KAIROS_TEST_DATABASE_URL']}?options=-csearch_path%3D{schema}"
    return engine.url.render_as_string(hide_password=False)
