"""The merge log (``kairos_merge_log``): one row per merge, with everything ``undo_merge``
needs to put it back exactly — before-images of every touched record, every re-pointed
reference and the ``row_version`` each touched record had right after the merge (a later
edit changes it, and undo is then refused)."""

from __future__ import annotations

import weakref
from typing import Any

import sqlalchemy as sa

from runtime.db import write_transaction

MERGE_METADATA = sa.MetaData()

MERGE_LOG = sa.Table(
    "kairos_merge_log",
    MERGE_METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("app_key", sa.String(20), nullable=False),
    sa.Column("table_key", sa.String(30), nullable=False),
    sa.Column("master_id", sa.Integer, nullable=False),
    # Ids of the records merged into the master (moved to the recycle bin).
    sa.Column("merged_ids", sa.JSON, nullable=False),
    sa.Column("field_choices", sa.JSON, nullable=False),
    # {"master": {field: JSON value}, "merged": {id: {...}}} before the merge.
    sa.Column("before", sa.JSON, nullable=False),
    # [{"table", "field", "id", "old", "new"}] references moved to the master.
    sa.Column("repointed", sa.JSON, nullable=False),
    # [[table, id, row_version]] of every touched record right after the merge.
    sa.Column("versions", sa.JSON, nullable=False),
    sa.Column("user_id", sa.Integer, nullable=True),
    sa.Column("channel", sa.String(10), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("undone_by", sa.Integer, nullable=True),
    sa.Index("kairos_merge_log_table_ix", "app_key", "table_key", "id"),
)

_READY: weakref.WeakSet[sa.Engine] = weakref.WeakSet()


def ensure_merge_log(engine: sa.Engine) -> None:
    """Create ``kairos_merge_log`` when missing (once per engine and process). In a write
    transaction: on SQLite a read transaction that turns into a write fails at once
    ("database is locked") when another writer committed meanwhile."""
    if engine not in _READY:
        with write_transaction(engine) as conn:
            MERGE_METADATA.create_all(conn, checkfirst=True)
        _READY.add(engine)


def list_merges(
    engine: sa.Engine, app_key: str, table_key: str, *, limit: int = 50
) -> list[dict[str, Any]]:
    """The latest merges of one table, newest first."""
    ensure_merge_log(engine)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(MERGE_LOG)
            .where(MERGE_LOG.c.app_key == app_key, MERGE_LOG.c.table_key == table_key)
            .order_by(MERGE_LOG.c.id.desc())
            .limit(limit)
        ).mappings()
        return [dict(row) for row in rows]


def get_merge(conn: sa.Connection, merge_id: int) -> dict[str, Any] | None:
    row = conn.execute(sa.select(MERGE_LOG).where(MERGE_LOG.c.id == merge_id)).mappings().first()
    return None if row is None else dict(row)
