"""Requests per API token per minute, counted where every web process sees the same count.

The default store is the app database (``API_RATE_STORE = "database"``): one row per token
in ``kairos_api_rate`` holds when its current one-minute window started and how many
requests it has seen; each request bumps it with one upsert, so N web processes (or hosts)
share one limit. A window starts at the token's first request after the previous one ended
— the same semantics as Redis ``INCR`` + ``EXPIRE`` on the first hit, should a Redis store
be added. The row is overwritten in place when a new window starts, so there is nothing to
prune: the table holds at most one small row per token ever used.

``API_RATE_STORE = "memory"`` counts in the process instead (a sliding window; N processes
allow N × the limit): for unit tests, or a single-process install that wants to skip the
write.

If the store fails (database locked past its timeout, table missing …) the request is let
through uncounted and a warning is logged at most once a minute: the limit guards against
runaway scripts, and refusing every call because the counter broke would turn a counter
problem into an outage. The request then carries no ``X-RateLimit-*`` headers.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple, Protocol

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from runtime.db import write_transaction
from runtime.storage.system import ID_TYPE
from runtime.web.storage import UI_METADATA

DEFAULT_LIMIT = 120
WINDOW_SECONDS = 60.0
STORES = ("database", "memory")
"""Values of the ``API_RATE_STORE`` config key; the first is the default."""
log = logging.getLogger(__name__)

RATE = sa.Table(
    "kairos_api_rate",
    UI_METADATA,
    # No foreign key to kairos_api_token: the counter must never wait on a token's row lock.
    sa.Column("token_id", ID_TYPE, primary_key=True, autoincrement=False),
    # Unix time in milliseconds: integers compare the same way on every backend.
    sa.Column("window_started_ms", sa.BigInteger, nullable=False),
    sa.Column("hits", sa.Integer, nullable=False),
)


class Verdict(NamedTuple):
    """One request's outcome. ``remaining`` is None when the store failed (then the request
    is allowed, uncounted); ``retry_after`` is whole seconds, 0 when allowed."""

    allowed: bool
    remaining: int | None
    retry_after: int


class Limiter(Protocol):
    """What the API asks of a rate limiter: ``hit(token_id)`` counts one request."""

    limit: int

    def hit(self, key: int) -> Verdict: ...


def _check_limit(limit: int) -> int:
    if limit < 1:
        raise ValueError("the rate limit must be at least 1 request per window")
    return limit


class RateLimiter:
    """In-process sliding window: ``hit(key)`` → (allowed, remaining, retry_after seconds).
    Each process counts for itself (``API_RATE_STORE = "memory"``, and unit tests)."""

    def __init__(
        self,
        limit: int = DEFAULT_LIMIT,
        window: float = WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = _check_limit(limit)
        self.window = window
        self.clock = clock
        self._hits: dict[int, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: int) -> Verdict:
        now = self.clock()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                retry = max(1, math.ceil(hits[0] + self.window - now))
                return Verdict(False, 0, retry)
            hits.append(now)
            if len(self._hits) > 10_000:  # forget idle tokens so memory stays bounded
                for idle in [
                    k for k, v in self._hits.items() if not v or v[-1] <= now - self.window
                ]:
                    del self._hits[idle]
            return Verdict(True, self.limit - len(hits), 0)


def _upsert(dialect: str, window_ms: int) -> Any:
    """INSERT … ON CONFLICT DO UPDATE … RETURNING: start a window or count into the current
    one, atomically, in one statement. A process whose clock lags behind the stored window
    start counts into that window instead of resetting it."""
    inserts = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}
    if dialect not in inserts:
        raise ValueError(
            f"the database rate limit supports SQLite and PostgreSQL, not {dialect}; "
            'set API_RATE_STORE = "memory"'
        )
    insert = inserts[dialect](RATE).values(
        token_id=sa.bindparam("token_id"),
        window_started_ms=sa.bindparam("now_ms"),
        hits=1,
    )
    ended = insert.excluded.window_started_ms >= RATE.c.window_started_ms + window_ms
    return insert.on_conflict_do_update(
        index_elements=[RATE.c.token_id],
        set_={  # both right-hand sides see the row as it was before this update
            "hits": sa.case((ended, 1), else_=RATE.c.hits + 1),
            "window_started_ms": sa.case(
                (ended, insert.excluded.window_started_ms), else_=RATE.c.window_started_ms
            ),
        },
    ).returning(RATE.c.hits, RATE.c.window_started_ms)


class DatabaseRateLimiter:
    """Windows counted in ``kairos_api_rate``, shared by every process on the database.
    ``clock`` is Unix time (``time.time``): a monotonic clock means nothing to another
    process."""

    def __init__(
        self,
        engine: sa.Engine,
        limit: int = DEFAULT_LIMIT,
        window: float = WINDOW_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.limit = _check_limit(limit)
        self.engine = engine
        self.window = window
        self.clock = clock
        self._window_ms = round(window * 1000)
        self._statement = _upsert(engine.dialect.name, self._window_ms)
        self._warned_at: float | None = None

    def hit(self, key: int) -> Verdict:
        now = self.clock()
        try:
            with write_transaction(self.engine) as conn:
                row = conn.execute(
                    self._statement, {"token_id": key, "now_ms": math.floor(now * 1000)}
                ).one()
        except sa.exc.SQLAlchemyError:
            self._store_failed(now)
            return Verdict(True, None, 0)
        hits, started_ms = row
        if hits <= self.limit:
            return Verdict(True, self.limit - hits, 0)
        ends = (started_ms + self._window_ms) / 1000
        return Verdict(False, 0, min(math.ceil(self.window), max(1, math.ceil(ends - now))))

    def _store_failed(self, now: float) -> None:
        if self._warned_at is None or not 0 <= now - self._warned_at < self.window:
            self._warned_at = now
            log.warning(
                "API rate limit: the counter in %s failed; requests pass uncounted until it "
                "works again (logged at most once a minute)",
                RATE.name,
                exc_info=True,
            )


def ensure_rate_table(engine: sa.Engine) -> None:
    """Create ``kairos_api_rate`` when missing (the API blueprint does it at start)."""
    RATE.create(engine, checkfirst=True)


def limiter_for(config: Mapping[str, Any], engine: sa.Engine) -> Limiter:
    """The limiter the config asks for: ``API_RATE_LIMIT`` requests per token per minute
    (default 120), counted in ``API_RATE_STORE`` (``database``, the default, or
    ``memory``)."""
    limit = int(config.get("API_RATE_LIMIT", DEFAULT_LIMIT))
    store = config.get("API_RATE_STORE") or STORES[0]
    if store == "memory":
        return RateLimiter(limit)
    if store == "database":
        ensure_rate_table(engine)
        return DatabaseRateLimiter(engine, limit)
    raise ValueError(f"API_RATE_STORE must be one of {', '.join(STORES)}, not {store!r}")
