"""Driver-level inserts (runtime.storage.rows): rows written by ``insert_rows`` are
stored exactly as SQLAlchemy's own ``insert()`` stores them, on every backend."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import sqlalchemy as sa

from form_engine.fields.sqltypes import UTCDateTime
from runtime.storage import rows
from runtime.storage.rows import insert_rows


def _table() -> sa.Table:
    return sa.Table(
        "rows_probe",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("at", UTCDateTime(), nullable=True),
        sa.Column("day", sa.Date, nullable=True),
        sa.Column("amount", sa.Numeric(18, 2), nullable=True),
        sa.Column("payload", sa.JSON, nullable=True),
        sa.Column("name", sa.String(50), nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False, default=0),
    )


def _row(record_id: int) -> dict:
    return {
        "id": record_id,
        # Whole seconds: SQLite's driver would write "10:00:00", SQLAlchemy "10:00:00.000000".
        "at": datetime(2026, 3, 1, 10, 0, 0, tzinfo=UTC),
        "day": date(2026, 3, 1),
        "amount": Decimal("1234.50"),
        "payload": {"name": "杭州恒瑞达", "n": [1, None]},
        "name": "恒瑞达",
    }


def test_rows_are_stored_as_sqlalchemy_stores_them(engine, monkeypatch) -> None:
    """Two rows each way (PostgreSQL: by COPY, which a real batch of 500+ rows takes)."""
    monkeypatch.setattr(rows, "COPY_FROM", 2)
    table = _table()
    table.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(table.insert(), [_row(1), {**_row(2), "name": None}])
        insert_rows(conn, table, [_row(3), {**_row(4), "name": None}])
    with engine.connect() as conn:
        raw = sa.select(
            table.c.id,
            sa.cast(table.c.at, sa.String),
            sa.cast(table.c.day, sa.String),
            sa.cast(table.c.amount, sa.String),
            sa.cast(table.c.payload, sa.String),
            table.c.name,
            table.c.attempts,
        ).order_by(table.c.id)
        stored = [tuple(row[1:]) for row in conn.execute(raw)]
        read = conn.execute(sa.select(table).order_by(table.c.id))
        typed = [tuple(row[1:]) for row in read]
    assert stored[2:] == stored[:2]  # the very same text in the database …
    assert typed[2:] == typed[:2]  # … and the same values read back
    assert typed[2][-1] == 0  # a left-out column with a default gets it
