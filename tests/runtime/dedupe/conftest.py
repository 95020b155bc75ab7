"""Fixtures: the dedupe test app in a fresh database, with an admin and two reps."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from _app import dedupe_app
from sqlalchemy.engine import Engine

from form_engine.fields import default_registry
from runtime import org
from runtime.db import write_transaction
from runtime.records import Actor, RecordService
from runtime.storage.tables import AppTables


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def service(engine: Engine) -> RecordService:
    tables = AppTables(dedupe_app(), default_registry())
    tables.metadata.create_all(engine)
    return RecordService(engine, tables, clock=Clock())


@pytest.fixture
def actors(service: RecordService) -> dict[str, Actor]:
    """admin (administrator), zhang and li (reps, each sees own customers only)."""
    with write_transaction(service.engine) as conn:
        dept = org.create_department(conn, "销售部")
        out = {}
        for name, admin in (("admin", True), ("zhang", False), ("li", False)):
            user = org.create_user(conn, name, name, dept, is_admin=admin)
            if not admin:
                org.assign_role(conn, user, "crm", "rep")
            out[name] = org.load_actor(conn, user, "crm")
    return out
