"""Events for flows and webhooks, written to ``kairos_outbox`` in the record's own
transaction: an event exists exactly when its change was committed."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from runtime.records.actor import Actor

TOPICS = ("record.created", "record.updated", "record.deleted", "record.restored")


def emit(
    conn: sa.Connection,
    outbox: sa.Table,
    *,
    app_key: str,
    table_key: str,
    record_id: int,
    topic: str,
    record: Mapping[str, Any],
    actor: Actor,
    at: datetime,
    changes: Mapping[str, Any] | None = None,
) -> None:
    """Queue one event (see ``event_row``)."""
    row = event_row(
        app_key=app_key,
        table_key=table_key,
        record_id=record_id,
        topic=topic,
        record=record,
        actor=actor,
        at=at,
        changes=changes,
    )
    conn.execute(outbox.insert(), row)


def event_row(
    *,
    app_key: str,
    table_key: str,
    record_id: int,
    topic: str,
    record: Mapping[str, Any],
    actor: Actor,
    at: datetime,
    changes: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The ``kairos_outbox`` row of one event. ``record`` is the full record in JSON form
    (after the change); ``changes`` (updates only) is ``{field: {"old": …, "new": …}}``."""
    payload: dict[str, Any] = {
        "event": topic,
        "app": app_key,
        "table": table_key,
        "id": record_id,
        "record": dict(record),
        "actor_id": actor.user_id,
        "channel": actor.channel,
        "at": at.isoformat(),
    }
    if changes is not None:
        payload["changes"] = {k: {"old": v[0], "new": v[1]} for k, v in changes.items()}
    return {
        "app_key": app_key,
        "topic": topic,
        "table_key": table_key,
        "record_id": record_id,
        "payload": payload,
        "created_at": at,
        "available_at": at,
        "attempts": 0,
    }
