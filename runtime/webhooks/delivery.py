"""Sending deliveries: sign, POST, log the attempt, retry with back-off, redeliver.

Deliveries are claimed one at a time exactly like jobs (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, compare-and-set on SQLite), so every worker thread sends a different one and a
slow receiver only occupies the thread talking to it. A delivery whose sender died
mid-request (claimed longer than SENDING_STALE ago) is claimed again; the attempt count
was raised at the claim, so a receiver that kills its caller cannot loop forever.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from runtime.db import is_postgres, read_transaction, write_transaction
from runtime.jobs._store import worker_name
from runtime.jobs._tables import utcnow
from runtime.webhooks._tables import ATTEMPT, DELIVERY, WEBHOOK
from runtime.webhooks.config import allowlist
from runtime.webhooks.targets import TargetRefused, check_target

TIMEOUT_SECONDS = 10.0
RETRY_DELAYS = (
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(hours=1),
    timedelta(hours=6),
)
"""Wait after the 1st, 2nd … failed attempt; the last step repeats until max_attempts."""
SENDING_STALE = timedelta(seconds=60)
RESPONSE_KEEP = 2000
USER_AGENT = "Kairos-Webhooks/1"


def signature(secret: str, body: bytes) -> str:
    """``X-Kairos-Signature``: ``sha256=`` + hex HMAC-SHA256 of the raw body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def retry_delay(attempts: int) -> timedelta:
    return RETRY_DELAYS[min(max(attempts, 1), len(RETRY_DELAYS)) - 1]


@dataclass(frozen=True)
class Outcome:
    status: int | None
    body: str | None
    error: str | None
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args: Any, **_kwargs: Any) -> None:
        return None  # a 3xx is reported as the response, never followed


_OPENER = urllib.request.build_opener(_NoRedirects())


def post(url: str, body: bytes, headers: dict[str, str]) -> Outcome:
    """POST ``body``; never raises for network or HTTP errors (they are the outcome)."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    started = time.monotonic()
    try:
        with _OPENER.open(request, timeout=TIMEOUT_SECONDS) as response:
            text = response.read(RESPONSE_KEEP * 4).decode("utf-8", "replace")
            status, error = response.status, None
    except urllib.error.HTTPError as exc:
        text = exc.read(RESPONSE_KEEP * 4).decode("utf-8", "replace") if exc.fp else ""
        status, error = exc.code, None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        text, status, error = None, None, f"{type(exc).__name__}: {reason}"
    elapsed = int((time.monotonic() - started) * 1000)
    return Outcome(status, text[:RESPONSE_KEEP] if text is not None else None, error, elapsed)


def deliver_due(engine: sa.Engine, *, now: datetime | None = None, limit: int = 10) -> int:
    """Send up to ``limit`` due deliveries, one claim at a time; returns how many were sent."""
    sent = 0
    while sent < limit:
        claimed = _claim(engine, now or utcnow())
        if claimed is None:
            break
        _send(engine, claimed, now)
        sent += 1
    return sent


def _due(now: datetime) -> sa.ColumnElement[bool]:
    return sa.or_(
        sa.and_(DELIVERY.c.status == "pending", DELIVERY.c.available_at <= now),
        sa.and_(DELIVERY.c.status == "sending", DELIVERY.c.claimed_at < now - SENDING_STALE),
    )


def _claim(engine: sa.Engine, now: datetime) -> dict[str, Any] | None:
    worker = worker_name()
    with read_transaction(engine) as conn:  # idle workers never take SQLite's write lock
        candidates = conn.execute(
            sa.select(DELIVERY.c.id, DELIVERY.c.status, DELIVERY.c.claimed_at)
            .where(_due(now))
            .order_by(DELIVERY.c.available_at, DELIVERY.c.id)
            .limit(5)
        ).all()
    for candidate in candidates:
        with write_transaction(engine) as conn:
            if is_postgres(conn):
                locked = conn.execute(
                    sa.select(DELIVERY.c.id)
                    .where(DELIVERY.c.id == candidate.id, _due(now))
                    .with_for_update(skip_locked=True)
                ).scalar()
                if locked is None:
                    continue
            won = conn.execute(
                DELIVERY.update()
                .where(
                    DELIVERY.c.id == candidate.id,
                    DELIVERY.c.status == candidate.status,
                    _claimed_at_is(candidate.claimed_at),
                )
                .values(
                    status="sending",
                    claimed_by=worker,
                    claimed_at=now,
                    attempts=DELIVERY.c.attempts + 1,
                )
            ).rowcount
            if won != 1:
                continue
            row = (
                conn.execute(
                    sa.select(DELIVERY, WEBHOOK.c.url, WEBHOOK.c.secret)
                    .join(WEBHOOK, WEBHOOK.c.id == DELIVERY.c.webhook_id)
                    .where(DELIVERY.c.id == candidate.id)
                )
                .mappings()
                .one()
            )
            return {**dict(row), "allowlist": allowlist(conn)}
    return None


def _claimed_at_is(value: datetime | None) -> sa.ColumnElement[bool]:
    if value is None:
        return DELIVERY.c.claimed_at.is_(None)
    return DELIVERY.c.claimed_at == value


def _send(engine: sa.Engine, delivery: dict[str, Any], now: datetime | None) -> None:
    body = delivery["body"].encode("utf-8")
    started = utcnow()
    try:
        url = check_target(delivery["url"], delivery["allowlist"])
    except TargetRefused as refused:
        outcome = Outcome(None, None, f"target refused ({refused.code})", 0)
    else:
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            "X-Kairos-Event": delivery["topic"],
            "X-Kairos-Delivery": delivery["uid"],
            "X-Kairos-Timestamp": str(int(started.timestamp())),
            "X-Kairos-Signature": signature(delivery["secret"], body),
        }
        outcome = post(url, body, headers)
    _record(engine, delivery, outcome, started, now or utcnow())


def _record(
    engine: sa.Engine, delivery: dict[str, Any], outcome: Outcome, started: datetime, now: datetime
) -> None:
    attempts = int(delivery["attempts"])
    values: dict[str, Any] = {
        "response_status": outcome.status,
        "last_error": outcome.error or (None if outcome.ok else f"HTTP {outcome.status}"),
        "claimed_by": None,
    }
    if outcome.ok:
        values.update(status="succeeded", finished_at=now)
    elif attempts >= int(delivery["max_attempts"]):
        values.update(status="failed", finished_at=now)
    else:
        values.update(status="pending", available_at=now + retry_delay(attempts))
    with write_transaction(engine) as conn:
        conn.execute(
            ATTEMPT.insert(),
            {
                "delivery_id": delivery["id"],
                "attempt": attempts,
                "started_at": started,
                "duration_ms": outcome.duration_ms,
                "response_status": outcome.status,
                "response_body": outcome.body,
                "error": outcome.error,
            },
        )
        conn.execute(DELIVERY.update().where(DELIVERY.c.id == delivery["id"]).values(**values))


def redeliver(engine: sa.Engine, delivery_id: int) -> int:
    """Queue a fresh copy of a delivery (same event, new delivery id, attempts from 0);
    returns the new delivery's id. Raises LookupError when there is no such delivery."""
    with write_transaction(engine) as conn:
        old = (
            conn.execute(
                sa.select(DELIVERY, WEBHOOK.c.max_attempts.label("hook_max"))
                .join(WEBHOOK, WEBHOOK.c.id == DELIVERY.c.webhook_id)
                .where(DELIVERY.c.id == delivery_id)
            )
            .mappings()
            .first()
        )
        if old is None:
            raise LookupError(delivery_id)
        uid = str(uuid.uuid4())
        document = json.loads(old["body"])
        document["delivery_id"] = uid
        return int(
            conn.execute(
                DELIVERY.insert().returning(DELIVERY.c.id),
                {
                    "webhook_id": old["webhook_id"],
                    "uid": uid,
                    "event_id": old["event_id"],
                    "topic": old["topic"],
                    "table_key": old["table_key"],
                    "record_id": old["record_id"],
                    "body": json.dumps(document, ensure_ascii=False, separators=(",", ":")),
                    "status": "pending",
                    "attempts": 0,
                    "max_attempts": old["hook_max"],
                    "available_at": utcnow(),
                    "created_at": utcnow(),
                    "redelivery_of": old["id"],
                },
            ).scalar_one()
        )
