"""Jobs fixtures: the job tables in the test database, a second engine on the same
database (a second "process"), a private KAIROS_HOME, and registries that each test
starts empty and leaves as it found them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from runtime.db import create_engine
from runtime.jobs import _runner, ensure_job_tables, outbox, workers
from tests.conftest import TEST_DATABASE_URL


@pytest.fixture
def jobs_engine(engine: sa.Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> sa.Engine:
    monkeypatch.setenv("KAIROS_HOME", str(tmp_path / "home"))
    ensure_job_tables(engine)
    return engine


@pytest.fixture(autouse=True)
def empty_registries() -> Iterator[None]:
    registries = (_runner._HANDLERS, _runner._LABELS, outbox._CONSUMERS, workers._PUMPS)
    saved = [dict(registry) for registry in registries]
    for registry in registries:
        registry.clear()
    yield
    for registry, content in zip(registries, saved, strict=True):
        registry.clear()
        registry.update(content)


def twin_engine(engine: sa.Engine) -> sa.Engine:
    """Another engine (own pool, own connections) on the same test database."""
    if engine.dialect.name == "sqlite":
        return create_engine(engine.url.render_as_string(hide_password=False))
    with engine.connect() as conn:
        schema = conn.execute(sa.text("select current_schema()")).scalar()
    return create_engine(TEST_DATABASE_URL, schema=schema)


def _web_fixtures() -> dict[str, object]:
    """The web tests' fixtures (sample app, signed-in client), for the job page tests."""
    from tests.runtime.web import conftest as web_fixtures

    return {
        name: value
        for name, value in vars(web_fixtures).items()
        if type(value).__name__ == "FixtureFunctionDefinition"
    }


globals().update(_web_fixtures())
