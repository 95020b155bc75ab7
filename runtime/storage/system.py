"""Kairos' own tables: organisation, audit trail, outbox, versions, counters.

They live in the same database as the generated app tables so that a record write, its
audit entry, its outbox event and its auto-number all commit in one transaction.
"""

from __future__ import annotations

import sqlalchemy as sa

from form_engine.fields.sqltypes import UTCDateTime, json_column_type

ID_TYPE = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
"""Primary-key type: BIGINT on PostgreSQL, INTEGER (the rowid alias) on SQLite."""

SYSTEM_TABLE_NAMES = (
    "kairos_department",
    "kairos_user",
    "kairos_role_member",
    "kairos_app",
    "kairos_app_version",
    "kairos_audit",
    "kairos_outbox",
    "kairos_sequence",
    "kairos_login_attempt",
    "kairos_dedupe_slot",
    "kairos_dedupe_term",
    "kairos_dedupe_form",
)


def define_system_tables(metadata: sa.MetaData) -> dict[str, sa.Table]:
    """Add the system tables to ``metadata`` (idempotent) and return them by name."""
    if "kairos_user" in metadata.tables:
        return {name: metadata.tables[name] for name in SYSTEM_TABLE_NAMES}

    department = sa.Table(
        "kairos_department",
        metadata,
        sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("parent_id", ID_TYPE, sa.ForeignKey("kairos_department.id"), nullable=True),
        # Materialised path "/1/4/9/" so "department and below" is one prefix match.
        sa.Column("path", sa.String(500), nullable=False, index=True),
        sa.Column("head_user_id", ID_TYPE, nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    user = sa.Table(
        "kairos_user",
        metadata,
        sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("display_name", sa.String(100), nullable=False),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("phone", sa.String(32), nullable=True),
        sa.Column("department_id", ID_TYPE, sa.ForeignKey("kairos_department.id"), nullable=True),
        sa.Column("manager_id", ID_TYPE, sa.ForeignKey("kairos_user.id"), nullable=True),
        sa.Column("password_hash", sa.String(255), nullable=True),
        sa.Column("is_active", sa.Boolean, nullable=False, default=True),
        sa.Column("is_admin", sa.Boolean, nullable=False, default=False),
        sa.Column("locale", sa.String(10), nullable=False, default="zh-CN"),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    role_member = sa.Table(
        "kairos_role_member",
        metadata,
        sa.Column("user_id", ID_TYPE, sa.ForeignKey("kairos_user.id"), primary_key=True),
        sa.Column("app_key", sa.String(20), primary_key=True),
        sa.Column("role_key", sa.String(40), primary_key=True),
    )
    app = sa.Table(
        "kairos_app",
        metadata,
        sa.Column("app_key", sa.String(20), primary_key=True),
        sa.Column("current_version", sa.Integer, nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=False),
    )
    app_version = sa.Table(
        "kairos_app_version",
        metadata,
        sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
        sa.Column("app_key", sa.String(20), nullable=False),
        sa.Column("version_no", sa.Integer, nullable=False),
        sa.Column("definition", json_column_type(), nullable=False),
        sa.Column("checksum", sa.String(64), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=False),
        sa.Column("published_by", ID_TYPE, nullable=True),
        sa.Column("migration_plan", json_column_type(), nullable=True),
        sa.UniqueConstraint("app_key", "version_no", name="uq_kairos_app_version"),
    )
    audit = sa.Table(
        "kairos_audit",
        metadata,
        sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
        sa.Column("app_key", sa.String(20), nullable=False),
        sa.Column("table_key", sa.String(30), nullable=False),
        sa.Column("record_id", ID_TYPE, nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("actor_id", ID_TYPE, nullable=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        # {"field": [old, new], ...} in the fields' JSON form.
        sa.Column("changes", json_column_type(), nullable=False),
        sa.Index("ix_kairos_audit_record", "app_key", "table_key", "record_id", "id"),
    )
    outbox = sa.Table(
        "kairos_outbox",
        metadata,
        sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
        sa.Column("app_key", sa.String(20), nullable=False),
        sa.Column("topic", sa.String(40), nullable=False),
        sa.Column("table_key", sa.String(30), nullable=False),
        sa.Column("record_id", ID_TYPE, nullable=False),
        sa.Column("payload", json_column_type(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("available_at", UTCDateTime(), nullable=False),
        sa.Column("claimed_by", sa.String(64), nullable=True),
        sa.Column("claimed_at", UTCDateTime(), nullable=True),
        sa.Column("processed_at", UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False, default=0),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Index("ix_kairos_outbox_pending", "processed_at", "available_at", "id"),
    )
    sequence = sa.Table(
        "kairos_sequence",
        metadata,
        sa.Column("app_key", sa.String(20), primary_key=True),
        sa.Column("table_key", sa.String(30), primary_key=True),
        sa.Column("field_key", sa.String(40), primary_key=True),
        sa.Column("period", sa.String(16), primary_key=True),
        sa.Column("value", sa.BigInteger, nullable=False),
    )
    login_attempt = sa.Table(
        "kairos_login_attempt",
        metadata,
        sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("ip", sa.String(64), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("success", sa.Boolean, nullable=False),
        sa.Index("ix_kairos_login_attempt_user", "username", "at"),
    )
    # The duplicate check's search index (runtime.dedupe.terms): per record and per
    # non-exact field of a duplicate rule (a "slot"), the terms it can be found by. The
    # term table is its own index (no rowid on SQLite): one B-tree to write per term.
    dedupe_slot = sa.Table(
        "kairos_dedupe_slot",
        metadata,
        sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
        sa.Column("app_key", sa.String(20), nullable=False),
        sa.Column("table_key", sa.String(30), nullable=False),
        sa.Column("slot", sa.String(60), nullable=False),  # "field:match"
        sa.Column("built_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("app_key", "table_key", "slot", name="uq_kairos_dedupe_slot"),
    )
    dedupe_term = sa.Table(
        "kairos_dedupe_term",
        metadata,
        sa.Column("slot_id", ID_TYPE, primary_key=True, autoincrement=False),
        sa.Column("term", sa.String(60), primary_key=True),
        sa.Column("record_id", ID_TYPE, primary_key=True, autoincrement=False),
        sqlite_with_rowid=False,
    )
    # Per record and slot, the value's comparable form as text (a parsed company name …),
    # so a candidate is scored without reading and parsing its value again.
    dedupe_form = sa.Table(
        "kairos_dedupe_form",
        metadata,
        sa.Column("slot_id", ID_TYPE, primary_key=True, autoincrement=False),
        sa.Column("record_id", ID_TYPE, primary_key=True, autoincrement=False),
        sa.Column("form", sa.Text, nullable=False),
        sqlite_with_rowid=False,
    )
    tables = (
        department,
        user,
        role_member,
        app,
        app_version,
        audit,
        outbox,
        sequence,
        login_attempt,
        dedupe_slot,
        dedupe_term,
        dedupe_form,
    )
    return {t.name: t for t in tables}


def ensure_system_tables(engine: sa.Engine) -> None:
    """Create the system tables that do not exist yet (publishing does this too)."""
    metadata = sa.MetaData()
    define_system_tables(metadata)
    metadata.create_all(engine, checkfirst=True)
