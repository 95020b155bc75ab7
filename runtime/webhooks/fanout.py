"""The outbox consumer: turns each record event into one pending delivery per matching
webhook. It runs in the outbox dispatcher's transaction and only writes rows, so a slow
or dead receiver never holds up events; the HTTP calls happen in ``delivery``.

A webhook matches an event when it is active, belongs to the event's app and table,
subscribes to the event (created/updated/deleted/restored), was created before the event
(a new webhook does not replay history) and its condition, if any, holds. The condition
sees the record as the event carries it (the full record after the change); for
``updated`` the record before the change is rebuilt from the event's old values, so
``changed``, ``changed_from`` and ``changed_to`` work; for ``created`` every field counts
as previously empty; for ``deleted``/``restored`` nothing changed.
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

import sqlalchemy as sa

from form_engine.conditions import ConditionContext, ConditionError, evaluate
from form_engine.kinds import Kind
from runtime.apps import open_app
from runtime.jobs._tables import SYSTEM, utcnow
from runtime.webhooks._tables import DELIVERY, USER, WEBHOOK

log = logging.getLogger("kairos.webhooks")
CONSUMER = "webhooks"
_APPS = SYSTEM["kairos_app"]
_PLANS: dict[tuple[str, int], tuple[dict[str, dict[str, Kind]], str]] = {}


def consume(conn: sa.Connection, event: dict[str, Any]) -> None:
    """Queue the deliveries for one outbox event (see the module docstring)."""
    topic = str(event["topic"])
    if not topic.startswith("record."):
        return
    name = topic.removeprefix("record.")
    hooks = conn.execute(
        sa.select(WEBHOOK).where(
            WEBHOOK.c.app_key == event["app_key"],
            WEBHOOK.c.table_key == event["table_key"],
            WEBHOOK.c.active.is_(True),
            WEBHOOK.c.created_at <= event["created_at"],
        )
    ).mappings()
    matching = [h for h in hooks if name in (h["events"] or ())]
    if not matching:
        return
    payload = event["payload"]
    actor = _actor(conn, payload.get("actor_id"))
    for hook in matching:
        if hook["condition"] is not None and not _holds(conn, hook, event):
            continue
        uid = str(uuid.uuid4())
        conn.execute(
            DELIVERY.insert(),
            {
                "webhook_id": hook["id"],
                "uid": uid,
                "event_id": event["id"],
                "topic": topic,
                "table_key": event["table_key"],
                "record_id": event["record_id"],
                "body": body_text(payload, actor, uid),
                "status": "pending",
                "attempts": 0,
                "max_attempts": hook["max_attempts"],
                "available_at": utcnow(),
                "created_at": utcnow(),
            },
        )


def body_text(payload: dict[str, Any], actor: dict[str, Any], delivery_uid: str) -> str:
    """The JSON document a receiver gets (its UTF-8 bytes are what is signed)."""
    document = {
        "event": payload["event"],
        "app": payload["app"],
        "table": payload["table"],
        "record": payload.get("record") or {},
        "changes": payload.get("changes"),
        "actor": actor,
        "occurred_at": payload.get("at"),
        "delivery_id": delivery_uid,
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def previous_record(event: dict[str, Any]) -> dict[str, Any] | None:
    """The record before the event's change, for the ``changed*`` operators."""
    payload = event["payload"]
    record = dict(payload.get("record") or {})
    if payload["event"] == "record.created":
        return None
    for field, change in (payload.get("changes") or {}).items():
        record[field] = change.get("old")
    return record


def _holds(conn: sa.Connection, hook: Any, event: dict[str, Any]) -> bool:
    try:
        tables, timezone = _plan(conn, str(event["app_key"]))
        kinds = tables.get(str(event["table_key"]))
        if kinds is None:
            return False
        payload = event["payload"]
        context = ConditionContext.at(
            user_id=payload.get("actor_id"), timezone=timezone, now=event["created_at"]
        )
        return evaluate(
            hook["condition"],
            payload.get("record") or {},
            kinds,
            context=context,
            previous=previous_record(event),
        )
    except (ConditionError, LookupError, ValueError):
        # The table changed since the condition was written: skip rather than misfire.
        log.warning("webhook %s: condition no longer applies to %s", hook["id"], event["id"])
        return False


def _plan(conn: sa.Connection, app_key: str) -> tuple[dict[str, dict[str, Kind]], str]:
    """Field kinds per table and the app's timezone, cached per published version."""
    version = conn.execute(
        sa.select(_APPS.c.current_version).where(_APPS.c.app_key == app_key)
    ).scalar()
    key = (app_key, int(version or 0))
    if key not in _PLANS:
        service = open_app(conn.engine, app_key)
        plans = {name: dict(plan.kinds) for name, plan in service.app.plans.items()}
        _PLANS.clear()
        _PLANS[key] = (plans, service.app.timezone)
    return _PLANS[key]


def _actor(conn: sa.Connection, user_id: int | None) -> dict[str, Any]:
    if user_id is None:
        return {"id": None, "name": None}
    name = conn.execute(sa.select(USER.c.display_name).where(USER.c.id == user_id)).scalar()
    return {"id": user_id, "name": name}
