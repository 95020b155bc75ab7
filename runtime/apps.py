"""Open a published app: its current definition, tables and record service."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from form_engine.fields import default_registry
from runtime.org import USER
from runtime.publish import load_published
from runtime.records import RecordService
from runtime.storage import AppTables


def open_app(engine: Engine, app_key: str) -> RecordService:
    """The record service of the currently published version of ``app_key``.

    Raises ``runtime.publish.VersionNotFound`` when the app was never published."""
    spec, _document = load_published(engine, app_key)
    return RecordService(engine, AppTables(spec, default_registry()))


def user_id_by_name(conn: sa.Connection, username: str) -> int | None:
    return conn.execute(sa.select(USER.c.id).where(USER.c.username == username)).scalar()
