"""The sample app (quickstart) in this test's database, its record service and actors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from runtime import org
from runtime.apps import open_app, user_id_by_name
from runtime.records import Actor, RecordService
from tests.runtime.web.conftest import (  # noqa: F401  (fixtures)
    postgres_sample_dump,
    sample,
    sqlite_sample_template,
)


@pytest.fixture
def svc(sample: str, engine: sa.Engine) -> RecordService:  # noqa: F811
    return open_app(engine, "opportunity")


@pytest.fixture
def actor_of(engine: sa.Engine, sample: str) -> Callable[[str], Actor]:  # noqa: F811
    def load(username: str) -> Actor:
        with engine.connect() as conn:
            user_id = user_id_by_name(conn, username)
            assert user_id is not None
            return org.load_actor(conn, user_id, "opportunity", channel="ui")

    return load


def count(svc: RecordService, table: str, where: Any = None) -> int:
    return svc.count(Actor.system(), table, where)
