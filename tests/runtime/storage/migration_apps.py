"""Helpers for the migration tests: tiny inline app definitions and direct row access.

Rows are written with SQLAlchemy Core on purpose: these tests are about the schema, and
the record service sits above it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from form_engine.fields import default_registry
from runtime.publish import PublishResult, publish
from runtime.storage.tables import AppTables
from schemas.spec import AppSpec

APP = "crm"


def field(key: str, type: str = "text", **extra: Any) -> dict[str, Any]:
    return {"key": key, "type": type, "label": {"zh-CN": key, "en": key}, **extra}


def table(key: str, *fields: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"key": key, "label": {"zh-CN": key, "en": key}, "fields": list(fields), **extra}


def app(*tables: dict[str, Any]) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "key": APP,
        "name": {"zh-CN": "客户管理", "en": "CRM"},
        "version": "1",
        "tables": list(tables),
    }


def release(engine: Engine, document: dict[str, Any], **kwargs: Any) -> PublishResult:
    """Publish an inline definition."""
    return publish(engine, AppSpec.from_dict(document), document, **kwargs)


def insert(
    engine: Engine, document: dict[str, Any], table_key: str, rows: Iterable[Mapping[str, Any]]
) -> list[int]:
    """Insert rows (field values as stored) into a table of ``document``; returns ids."""
    target = AppTables(AppSpec.from_dict(document), default_registry()).table(table_key)
    now = datetime(2026, 3, 1, tzinfo=UTC)
    ids = []
    with engine.begin() as conn:
        for row in rows:
            values = {"created_at": now, "updated_at": now, "row_version": 1, **row}
            ids.append(conn.execute(target.insert().values(values)).inserted_primary_key[0])
    return ids


def select(engine: Engine, name: str, *columns: str) -> list[tuple[Any, ...]]:
    """``id`` and ``columns`` of every row of SQL table ``name``, by id."""
    table_clause = sa.table(name, sa.column("id"), *(sa.column(c) for c in columns))
    query = sa.select(*table_clause.c).order_by(table_clause.c.id)
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(query)]


def columns(engine: Engine, name: str) -> set[str]:
    return {c["name"] for c in sa.inspect(engine).get_columns(name)}


def indexes(engine: Engine, name: str) -> dict[str, dict[str, Any]]:
    return {ix["name"]: ix for ix in sa.inspect(engine).get_indexes(name)}


def tables(engine: Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names())
