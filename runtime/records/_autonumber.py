"""Serial numbers (流水号) that never repeat, even under concurrent writers.

The counter lives in ``kairos_sequence`` (one row per app, table, field and reset period)
and is bumped with one atomic ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` inside the
record's write transaction: PostgreSQL row-locks the counter until commit, SQLite's write
transaction is IMMEDIATE so writers are serialised. A rolled-back create gives its number
back, so numbers stay gap-free as well as unique.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from form_engine.fields.auto_number import format_auto_number, period_key
from schemas.spec import FieldSpec


def next_number(
    conn: sa.Connection,
    sequence: sa.Table,
    app_key: str,
    table_key: str,
    field: FieldSpec,
    now: datetime,
    timezone: str,
) -> str:
    """Allocate the next serial number of ``field`` for a record created at ``now``."""
    local = now.astimezone(ZoneInfo(timezone))
    period = period_key(str(field.config.get("reset", "never")), local)
    seq = _bump(conn, sequence, app_key, table_key, field.key, period)
    return format_auto_number(str(field.config.get("pattern", "{seq:6}")), seq, local)


def _bump(
    conn: sa.Connection, sequence: sa.Table, app: str, table: str, field: str, period: str
) -> int:
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    statement = insert(sequence).values(
        app_key=app, table_key=table, field_key=field, period=period, value=1
    )
    statement = statement.on_conflict_do_update(
        index_elements=["app_key", "table_key", "field_key", "period"],
        set_={"value": sequence.c.value + 1},
    ).returning(sequence.c.value)
    return int(conn.execute(statement).scalar_one())
