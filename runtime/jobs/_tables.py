"""The jobs package's own tables: background jobs and per-consumer outbox receipts.

They live in the app database beside ``kairos_outbox`` so that claiming a job or handling
an outbox event commits in the same transaction as the work it records.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from form_engine.fields.sqltypes import UTCDateTime, json_column_type
from runtime.storage.system import ID_TYPE, define_system_tables

JOBS_METADATA = sa.MetaData()
SYSTEM = define_system_tables(JOBS_METADATA)
OUTBOX = SYSTEM["kairos_outbox"]

JOB = sa.Table(
    "kairos_job",
    JOBS_METADATA,
    sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column("app_key", sa.String(20), nullable=False),
    sa.Column("kind", sa.String(60), nullable=False),
    sa.Column("payload", json_column_type(), nullable=False),
    # queued → running → succeeded | failed | cancelled
    sa.Column("status", sa.String(12), nullable=False),
    sa.Column("done", sa.Integer, nullable=False, default=0),
    sa.Column("total", sa.Integer, nullable=True),
    sa.Column("message", sa.String(500), nullable=True),
    sa.Column("result", json_column_type(), nullable=True),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("user_id", ID_TYPE, nullable=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("started_at", UTCDateTime(), nullable=True),
    sa.Column("finished_at", UTCDateTime(), nullable=True),
    sa.Column("claimed_by", sa.String(80), nullable=True),
    sa.Column("heartbeat_at", UTCDateTime(), nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("cancel_requested", sa.Boolean, nullable=False, default=False),
    sa.Index("ix_kairos_job_queue", "status", "id"),
    sa.Index("ix_kairos_job_user", "user_id", "id"),
)

OUTBOX_RECEIPT = sa.Table(
    "kairos_outbox_receipt",
    JOBS_METADATA,
    # Written for the consumers that succeeded on an event another consumer failed on, so
    # the retry runs only the failed ones (a fully handled event needs no receipts: its
    # effects and its processed mark commit together).
    sa.Column("consumer", sa.String(60), primary_key=True),
    sa.Column("event_id", ID_TYPE, primary_key=True),
    sa.Column("handled_at", UTCDateTime(), nullable=False),
)


def ensure_job_tables(engine: sa.Engine) -> None:
    """Create ``kairos_job`` and ``kairos_outbox_receipt`` (and the system tables) if missing."""
    JOBS_METADATA.create_all(engine, checkfirst=True)


def utcnow() -> datetime:
    return datetime.now(UTC)
