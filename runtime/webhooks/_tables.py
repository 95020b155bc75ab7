"""The webhooks' own tables: subscriptions, deliveries (one per event and webhook), the
log of every HTTP attempt, and the admin's settings (the target allowlist)."""

from __future__ import annotations

import sqlalchemy as sa

from form_engine.fields.sqltypes import UTCDateTime, json_column_type
from runtime.storage.system import ID_TYPE, define_system_tables

WEBHOOKS_METADATA = sa.MetaData()
SYSTEM = define_system_tables(WEBHOOKS_METADATA)
USER = SYSTEM["kairos_user"]

WEBHOOK = sa.Table(
    "kairos_webhook",
    WEBHOOKS_METADATA,
    sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column("app_key", sa.String(20), nullable=False),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("table_key", sa.String(30), nullable=False),
    sa.Column("events", json_column_type(), nullable=False),  # ["created", "updated", …]
    sa.Column("condition", json_column_type(), nullable=True),  # condition language
    sa.Column("url", sa.String(2000), nullable=False),
    sa.Column("secret", sa.String(80), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, default=True),
    sa.Column("max_attempts", sa.Integer, nullable=False, default=6),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("created_by", ID_TYPE, nullable=True),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.Index("ix_kairos_webhook_table", "app_key", "table_key"),
)

DELIVERY = sa.Table(
    "kairos_webhook_delivery",
    WEBHOOKS_METADATA,
    sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column(
        "webhook_id",
        ID_TYPE,
        sa.ForeignKey("kairos_webhook.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("uid", sa.String(36), nullable=False, unique=True),  # X-Kairos-Delivery
    sa.Column("event_id", ID_TYPE, nullable=True),  # kairos_outbox.id
    sa.Column("topic", sa.String(40), nullable=False),
    sa.Column("table_key", sa.String(30), nullable=False),
    sa.Column("record_id", ID_TYPE, nullable=True),
    sa.Column("body", sa.Text, nullable=False),  # the exact bytes signed and sent (UTF-8)
    # pending → sending → succeeded | failed (back to pending between retries)
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("max_attempts", sa.Integer, nullable=False),
    sa.Column("available_at", UTCDateTime(), nullable=False),
    sa.Column("claimed_by", sa.String(80), nullable=True),
    sa.Column("claimed_at", UTCDateTime(), nullable=True),
    sa.Column("response_status", sa.Integer, nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("finished_at", UTCDateTime(), nullable=True),
    sa.Column("redelivery_of", ID_TYPE, nullable=True),
    sa.Index("ix_kairos_webhook_delivery_due", "status", "available_at"),
    sa.Index("ix_kairos_webhook_delivery_hook", "webhook_id", "id"),
    sa.Index("ix_kairos_webhook_delivery_finished", "status", "finished_at"),  # pruning
)

ATTEMPT = sa.Table(
    "kairos_webhook_attempt",
    WEBHOOKS_METADATA,
    sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column(
        "delivery_id",
        ID_TYPE,
        sa.ForeignKey("kairos_webhook_delivery.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("attempt", sa.Integer, nullable=False),
    sa.Column("started_at", UTCDateTime(), nullable=False),
    sa.Column("duration_ms", sa.Integer, nullable=False),
    sa.Column("response_status", sa.Integer, nullable=True),
    sa.Column("response_body", sa.Text, nullable=True),  # first RESPONSE_KEEP characters
    sa.Column("error", sa.Text, nullable=True),
    sa.Index("ix_kairos_webhook_attempt_delivery", "delivery_id", "id"),
)

SETTING = sa.Table(
    "kairos_webhook_setting",
    WEBHOOKS_METADATA,
    sa.Column("key", sa.String(40), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)


def ensure_webhook_tables(engine: sa.Engine) -> None:
    """Create the webhook tables (and the system tables) that do not exist yet, and the
    indexes added since a table was created (``create_all`` only indexes new tables)."""
    WEBHOOKS_METADATA.create_all(engine, checkfirst=True)
    for index in DELIVERY.indexes:
        index.create(engine, checkfirst=True)
