"""Tables of the collaboration features: comments (with small attachments), followers,
notifications and this consumer's cursor over the kernel's outbox.

They live on ``UI_METADATA`` in the app database. ``ensure_collab_tables`` creates them
when the blueprints are registered, so they exist even though ``ensure_ui_tables`` runs
before the feature modules are imported.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from form_engine.fields.sqltypes import UTCDateTime, json_column_type
from runtime.storage.system import ID_TYPE
from runtime.web.storage import UI_METADATA

MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
"""Comment attachments are kept in the database, so they stay small."""

COMMENT = sa.Table(
    "kairos_ui_comment",
    UI_METADATA,
    sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column("app_key", sa.String(20), nullable=False),
    sa.Column("table_key", sa.String(30), nullable=False),
    sa.Column("record_id", ID_TYPE, nullable=False),
    sa.Column("author_id", ID_TYPE, sa.ForeignKey("kairos_user.id"), nullable=False),
    # Sanitised HTML (nh3): only the markup the comment box produces survives.
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    # [{"id": file id, "name": …, "size": …, "content_type": …}]
    sa.Column("attachments", json_column_type(), nullable=False),
    sa.Index("ix_kairos_ui_comment_record", "app_key", "table_key", "record_id", "id"),
)

COMMENT_FILE = sa.Table(
    "kairos_ui_comment_file",
    UI_METADATA,
    sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column("comment_id", ID_TYPE, sa.ForeignKey("kairos_ui_comment.id"), nullable=False),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("content_type", sa.String(120), nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("data", sa.LargeBinary, nullable=False),
    sa.Index("ix_kairos_ui_comment_file_comment", "comment_id"),
)

FOLLOWER = sa.Table(
    "kairos_ui_follower",
    UI_METADATA,
    sa.Column("app_key", sa.String(20), primary_key=True),
    sa.Column("table_key", sa.String(30), primary_key=True),
    sa.Column("record_id", ID_TYPE, primary_key=True),
    sa.Column("user_id", ID_TYPE, sa.ForeignKey("kairos_user.id"), primary_key=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
)

NOTIFICATION = sa.Table(
    "kairos_ui_notification",
    UI_METADATA,
    sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column("user_id", ID_TYPE, sa.ForeignKey("kairos_user.id"), nullable=False),
    sa.Column("app_key", sa.String(20), nullable=False),
    # mention / comment / changed / assigned
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("table_key", sa.String(30), nullable=False),
    sa.Column("record_id", ID_TYPE, nullable=False),
    sa.Column("actor_id", ID_TYPE, nullable=True),
    # Plain text summary, e.g. the comment's first words or the changed fields.
    sa.Column("text", sa.String(500), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("read_at", UTCDateTime(), nullable=True),
    sa.Index("ix_kairos_ui_notification_inbox", "user_id", "read_at", "id"),
)

OUTBOX_CURSOR = sa.Table(
    "kairos_ui_outbox_cursor",
    UI_METADATA,
    # One row per consumer of kairos_outbox; webhooks etc. keep their own.
    sa.Column("consumer", sa.String(40), primary_key=True),
    sa.Column("last_event_id", ID_TYPE, nullable=False),
)

COLLAB_TABLES = (COMMENT, COMMENT_FILE, FOLLOWER, NOTIFICATION, OUTBOX_CURSOR)


def ensure_collab_tables(engine: sa.Engine) -> None:
    UI_METADATA.create_all(engine, tables=list(COLLAB_TABLES), checkfirst=True)


def now() -> datetime:
    return datetime.now(UTC)
