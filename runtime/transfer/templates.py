"""Saved column mappings ("import templates"), named, per app table.

A template stores ``{header text: field key or null}``, so it still applies when the
columns of next month's file moved. Kept in the app database (``kairos_import_template``),
created on first use so the command line and the web app share it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from runtime.db import read_transaction, write_transaction

METADATA = sa.MetaData()
TEMPLATE = sa.Table(
    "kairos_import_template",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("app_key", sa.String(100), nullable=False),
    sa.Column("table_key", sa.String(100), nullable=False),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("mapping", sa.Text, nullable=False),
    sa.Column("options", sa.Text, nullable=False, server_default="{}"),
    sa.Column("created_by", sa.Integer, nullable=True),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("app_key", "table_key", "name", name="uq_kairos_import_template"),
)
_READY: set[int] = set()


def ensure(engine: Engine) -> None:
    """Create the table once per engine (checkfirst)."""
    if id(engine) not in _READY:
        METADATA.create_all(engine, checkfirst=True)
        _READY.add(id(engine))


def save_template(
    engine: Engine,
    app_key: str,
    table: str,
    name: str,
    mapping: Mapping[str, str | None],
    *,
    options: Mapping[str, Any] | None = None,
    user_id: int | None = None,
) -> None:
    """Create or replace the template ``name`` of ``table``."""
    ensure(engine)
    values = {
        "mapping": json.dumps(dict(mapping), ensure_ascii=False),
        "options": json.dumps(dict(options or {}), ensure_ascii=False),
        "created_by": user_id,
        "updated_at": datetime.now(UTC),
    }
    where = (
        (TEMPLATE.c.app_key == app_key)
        & (TEMPLATE.c.table_key == table)
        & (TEMPLATE.c.name == name)
    )
    with write_transaction(engine) as conn:
        if conn.execute(sa.update(TEMPLATE).where(where).values(**values)).rowcount == 0:
            conn.execute(
                sa.insert(TEMPLATE).values(app_key=app_key, table_key=table, name=name, **values)
            )


def load_template(engine: Engine, app_key: str, table: str, name: str) -> dict[str, Any] | None:
    """``{"name", "mapping", "options"}`` or None."""
    ensure(engine)
    with read_transaction(engine) as conn:
        row = conn.execute(
            sa.select(TEMPLATE.c.name, TEMPLATE.c.mapping, TEMPLATE.c.options).where(
                TEMPLATE.c.app_key == app_key,
                TEMPLATE.c.table_key == table,
                TEMPLATE.c.name == name,
            )
        ).first()
    if row is None:
        return None
    return {
        "name": row.name,
        "mapping": json.loads(row.mapping),
        "options": json.loads(row.options),
    }


def template_names(engine: Engine, app_key: str, table: str) -> list[str]:
    ensure(engine)
    with read_transaction(engine) as conn:
        return list(
            conn.execute(
                sa.select(TEMPLATE.c.name)
                .where(TEMPLATE.c.app_key == app_key, TEMPLATE.c.table_key == table)
                .order_by(TEMPLATE.c.name)
            ).scalars()
        )
