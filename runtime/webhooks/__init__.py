"""Outbound webhooks: administrators subscribe a URL to a table's record events; every
matching event becomes a signed, logged, retried HTTP POST. Guide: docs/webhooks.md.

Importing this package registers its outbox consumer (``fanout.consume``) and its worker
pumps (``delivery.deliver_due``, ``retention.prune_pump``) with ``runtime.jobs``; the web
app imports it through the admin page, ``kairos worker`` imports it explicitly.
"""

from __future__ import annotations

from runtime.jobs import register_consumer, register_pump
from runtime.webhooks import fanout
from runtime.webhooks._tables import ATTEMPT, DELIVERY, WEBHOOK, ensure_webhook_tables
from runtime.webhooks.config import (
    EVENTS,
    WebhookInvalid,
    allowlist,
    check_webhook,
    create_webhook,
    delete_webhook,
    get_webhook,
    list_webhooks,
    rotate_secret,
    save_allowlist,
    update_webhook,
)
from runtime.webhooks.delivery import deliver_due, redeliver, retry_delay, signature
from runtime.webhooks.history import deliveries, delivery_webhook, last_statuses
from runtime.webhooks.retention import (
    Retention,
    configured_retention,
    count_prunable,
    prune_deliveries,
    prune_pump,
)
from runtime.webhooks.targets import TargetRefused, check_target

register_consumer(fanout.CONSUMER, fanout.consume)
register_pump("webhooks", lambda engine: deliver_due(engine))
register_pump("webhooks-retention", lambda engine: prune_pump(engine))

__all__ = [
    "ATTEMPT",
    "DELIVERY",
    "EVENTS",
    "WEBHOOK",
    "Retention",
    "TargetRefused",
    "WebhookInvalid",
    "allowlist",
    "check_target",
    "check_webhook",
    "configured_retention",
    "count_prunable",
    "create_webhook",
    "delete_webhook",
    "deliver_due",
    "deliveries",
    "delivery_webhook",
    "ensure_webhook_tables",
    "get_webhook",
    "last_statuses",
    "list_webhooks",
    "prune_deliveries",
    "prune_pump",
    "redeliver",
    "retry_delay",
    "rotate_secret",
    "save_allowlist",
    "signature",
    "update_webhook",
]
