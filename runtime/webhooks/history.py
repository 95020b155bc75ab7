"""Reading the delivery log for the admin page and the CLI."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from runtime.db import read_transaction
from runtime.webhooks._tables import ATTEMPT, DELIVERY, WEBHOOK


def deliveries(engine: sa.Engine, webhook_id: int, *, limit: int = 50) -> list[dict[str, Any]]:
    """The webhook's newest deliveries, each with its ``attempts_log`` (oldest first)."""
    with read_transaction(engine) as conn:
        rows = [
            dict(r)
            for r in conn.execute(
                sa.select(DELIVERY)
                .where(DELIVERY.c.webhook_id == webhook_id)
                .order_by(DELIVERY.c.id.desc())
                .limit(limit)
            ).mappings()
        ]
        log: dict[int, list[dict[str, Any]]] = {r["id"]: [] for r in rows}
        if log:
            for attempt in conn.execute(
                sa.select(ATTEMPT)
                .where(ATTEMPT.c.delivery_id.in_(list(log)))
                .order_by(ATTEMPT.c.id)
            ).mappings():
                log[attempt["delivery_id"]].append(dict(attempt))
    for row in rows:
        row["attempts_log"] = log[row["id"]]
    return rows


def delivery_webhook(engine: sa.Engine, delivery_id: int) -> tuple[int, str] | None:
    """(webhook id, app key) of a delivery, or None."""
    with read_transaction(engine) as conn:
        row = conn.execute(
            sa.select(WEBHOOK.c.id, WEBHOOK.c.app_key)
            .join(DELIVERY, DELIVERY.c.webhook_id == WEBHOOK.c.id)
            .where(DELIVERY.c.id == delivery_id)
        ).first()
    return (int(row.id), str(row.app_key)) if row else None


def last_statuses(engine: sa.Engine, app_key: str) -> dict[int, str]:
    """Webhook id → status of its newest delivery (for the list page)."""
    newest = (
        sa.select(sa.func.max(DELIVERY.c.id))
        .join(WEBHOOK, WEBHOOK.c.id == DELIVERY.c.webhook_id)
        .where(WEBHOOK.c.app_key == app_key)
        .group_by(DELIVERY.c.webhook_id)
    )
    with read_transaction(engine) as conn:
        rows = conn.execute(
            sa.select(DELIVERY.c.webhook_id, DELIVERY.c.status).where(DELIVERY.c.id.in_(newest))
        )
        return {int(r.webhook_id): str(r.status) for r in rows}
