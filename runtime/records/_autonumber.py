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
    return reserve_numbers(conn, sequence, app_key, table_key, field, [now], timezone)[0]


def reserve_numbers(
    conn: sa.Connection,
    sequence: sa.Table,
    app_key: str,
    table_key: str,
    field: FieldSpec,
    created: list[datetime],
    timezone: str,
) -> list[str]:
    """Numbers for records created at ``created`` (in that order): one counter bump of
    +n per reset period, so a batch takes a consecutive block."""
    zone = ZoneInfo(timezone)
    reset = str(field.config.get("reset", "never"))
    pattern = str(field.config.get("pattern", "{seq:6}"))
    local = [at.astimezone(zone) for at in created]
    periods = [period_key(reset, at) for at in local]
    counts: dict[str, int] = {}
    for period in periods:
        counts[period] = counts.get(period, 0) + 1
    next_seq = {
        period: _bump(conn, sequence, app_key, table_key, field.key, period, n) - n + 1
        for period, n in counts.items()
    }
    out = []
    for at, period in zip(local, periods, strict=True):
        out.append(format_auto_number(pattern, next_seq[period], at))
        next_seq[period] += 1
    return out


def _bump(
    conn: sa.Connection,
    sequence: sa.Table,
    app: str,
    table: str,
    field: str,
    period: str,
    count: int = 1,
) -> int:
    """Add ``count`` to the counter; returns its new value (the last number taken)."""
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    statement = insert(sequence).values(
        app_key=app, table_key=table, field_key=field, period=period, value=count
    )
    statement = statement.on_conflict_do_update(
        index_elements=["app_key", "table_key", "field_key", "period"],
        set_={"value": sequence.c.value + count},
    ).returning(sequence.c.value)
    return int(conn.execute(statement).scalar_one())
