"""The API rate limit counted in the database: shared by every process on it, windows
that start at a token's first request and roll over a minute later, Retry-After to the
second, and a broken counter that lets requests through instead of failing them."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from runtime.api.ratelimit import (
    RATE,
    DatabaseRateLimiter,
    RateLimiter,
    Verdict,
    ensure_rate_table,
    limiter_for,
)
from runtime.db import create_engine, read_transaction
from runtime.web import create_app
from tests.runtime.api.conftest import Api, make_token

T0 = 1_772_352_000.0  # 2026-03-01 08:00:00 UTC, a whole second


class Clock:
    """A settable Unix clock shared by the limiters of one test."""

    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def other_engine(engine: sa.Engine, database_url: str) -> Iterator[sa.Engine]:
    """A second engine (own connection pool) on the test's database: another process."""
    ensure_rate_table(engine)
    second = create_engine(database_url)
    yield second
    second.dispose()


def _limiter(engine: sa.Engine, clock: Clock, limit: int = 3) -> DatabaseRateLimiter:
    return DatabaseRateLimiter(engine, limit, clock=clock)


def test_two_limiters_on_one_database_share_the_count(
    engine: sa.Engine, other_engine: sa.Engine, clock: Clock
) -> None:
    first, second = _limiter(engine, clock), _limiter(other_engine, clock)
    assert first.hit(7) == Verdict(True, 2, 0)
    assert second.hit(7) == Verdict(True, 1, 0)
    assert first.hit(7) == Verdict(True, 0, 0)
    assert second.hit(7) == Verdict(False, 0, 60)  # the third hit used the last slot
    assert first.hit(7).allowed is False
    assert second.hit(8) == Verdict(True, 2, 0)  # counted per token


def test_concurrent_hits_from_two_processes_never_exceed_the_limit(
    engine: sa.Engine, other_engine: sa.Engine, clock: Clock
) -> None:
    limiters = [_limiter(engine, clock, limit=25), _limiter(other_engine, clock, limit=25)]
    verdicts: list[Verdict] = []
    lock = threading.Lock()

    def burst(limiter: DatabaseRateLimiter) -> None:
        for _ in range(10):
            verdict = limiter.hit(1)
            with lock:
                verdicts.append(verdict)

    threads = [threading.Thread(target=burst, args=(limiters[i % 2],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(verdicts) == 40
    assert sum(v.allowed for v in verdicts) == 25  # an atomic count: no lost update
    assert sorted(v.remaining for v in verdicts if v.allowed) == list(range(25))


def test_a_window_rolls_over_a_minute_after_its_first_request(
    engine: sa.Engine, clock: Clock
) -> None:
    ensure_rate_table(engine)
    limiter = _limiter(engine, clock, limit=2)
    clock.now = T0 + 10  # the window starts at the first request, not on the minute
    assert limiter.hit(1).allowed
    clock.now = T0 + 50
    assert limiter.hit(1) == Verdict(True, 0, 0)
    clock.now = T0 + 69.999
    assert limiter.hit(1) == Verdict(False, 0, 1)
    clock.now = T0 + 70
    assert limiter.hit(1) == Verdict(True, 1, 0)  # a new window, denied hits forgotten
    clock.now = T0 + 129.5
    assert limiter.hit(1) == Verdict(True, 0, 0)
    assert limiter.hit(1) == Verdict(False, 0, 1)
    clock.now = T0 + 1000  # idle for many windows
    assert limiter.hit(1) == Verdict(True, 1, 0)


@pytest.mark.parametrize(
    ("elapsed", "retry_after"),
    [(0.0, 60), (0.001, 60), (14.7, 46), (45.3, 15), (59.0, 1), (59.2, 1), (59.999, 1)],
)
def test_retry_after_is_the_whole_seconds_left_in_the_window(
    engine: sa.Engine, clock: Clock, elapsed: float, retry_after: int
) -> None:
    ensure_rate_table(engine)
    limiter = _limiter(engine, clock, limit=1)
    assert limiter.hit(1).allowed
    clock.now = T0 + elapsed
    assert limiter.hit(1) == Verdict(False, 0, retry_after)


def test_a_process_whose_clock_lags_counts_into_the_current_window(
    engine: sa.Engine, other_engine: sa.Engine
) -> None:
    ahead, behind = Clock(T0 + 61), Clock(T0 + 59)
    fast, slow = _limiter(engine, ahead, limit=2), _limiter(other_engine, behind, limit=2)
    assert fast.hit(1) == Verdict(True, 1, 0)
    assert slow.hit(1) == Verdict(True, 0, 0)  # not a reset back into an older window
    assert slow.hit(1) == Verdict(False, 0, 60)  # 62 s by its own clock, never over a window


def test_the_counter_keeps_one_row_per_token(engine: sa.Engine, clock: Clock) -> None:
    ensure_rate_table(engine)
    limiter = _limiter(engine, clock)
    for minute in range(5):
        clock.now = T0 + 60 * minute
        for token in (1, 2, 3):
            limiter.hit(token)
    with read_transaction(engine) as conn:
        rows = conn.execute(sa.select(RATE.c.token_id, RATE.c.hits, RATE.c.window_started_ms))
        assert sorted(rows) == [(t, 1, int((T0 + 240) * 1000)) for t in (1, 2, 3)]


def test_a_failing_counter_lets_requests_through_and_warns_once_a_minute(
    engine: sa.Engine, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    limiter = _limiter(engine, clock, limit=1)  # kairos_api_rate was never created
    with caplog.at_level(logging.WARNING, logger="runtime.api.ratelimit"):
        for moment in (0, 10, 59, 60, 61):
            clock.now = T0 + moment
            assert limiter.hit(1) == Verdict(True, None, 0)
    warnings = [r for r in caplog.records if r.name == "runtime.api.ratelimit"]
    assert len(warnings) == 2  # at T0 and T0 + 60
    assert all(r.levelno == logging.WARNING and r.exc_info for r in warnings)


def test_the_config_chooses_the_store(engine: sa.Engine) -> None:
    chosen = limiter_for({"API_RATE_LIMIT": "5"}, engine)
    assert isinstance(chosen, DatabaseRateLimiter) and chosen.limit == 5
    assert sa.inspect(engine).has_table(RATE.name)
    memory = limiter_for({"API_RATE_STORE": "memory"}, engine)
    assert isinstance(memory, RateLimiter) and memory.limit == 120
    with pytest.raises(ValueError, match="API_RATE_STORE"):
        limiter_for({"API_RATE_STORE": "redis"}, engine)
    with pytest.raises(ValueError, match="at least 1"):
        limiter_for({"API_RATE_LIMIT": 0}, engine)


# --- over HTTP ---------------------------------------------------------------------------


@pytest.fixture
def two_processes(shared_database: str) -> Iterator[tuple[Flask, Flask]]:
    """Two web apps over one database, as two web processes would be."""
    config = {"DATABASE_URL": shared_database, "SECRET_KEY": "t", "TESTING": True,
              "API_RATE_LIMIT": 3}  # fmt: skip
    apps = (create_app(config), create_app(config))
    yield apps
    for app in apps:
        app.extensions["kairos"].engine.dispose()


def test_two_web_processes_share_one_limit(two_processes: tuple[Flask, Flask]) -> None:
    first, second = two_processes
    secret, _ = make_token(first, "li.na")
    auth = {"Authorization": f"Bearer {secret}"}
    clients = [first.test_client(), second.test_client()]
    answers = [clients[i % 2].get("/api/v1/me", headers=auth) for i in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [a.headers["X-RateLimit-Remaining"] for a in answers] == ["2", "1", "0"]
    assert {a.headers["X-RateLimit-Limit"] for a in answers} == {"3"}
    for client in clients:  # each process alone has seen fewer than 3 requests
        limited = client.get("/api/v1/me", headers={**auth, "Accept-Language": "en"})
        assert limited.status_code == 429
        assert limited.mimetype == "application/problem+json"
        body = limited.get_json()
        assert body["code"] == "rate_limited"
        assert body["detail"].startswith("At most 3 requests per minute; retry in")
        assert 1 <= int(limited.headers["Retry-After"]) <= 60
        assert limited.headers["X-RateLimit-Remaining"] == "0"


def test_a_broken_counter_never_fails_the_request(
    api_as: Callable[..., Api],
    api_app: Flask,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    api = api_as("zhang.wei")
    empty = create_engine(f"sqlite:///{tmp_path / 'no-rate-table.db'}")
    monkeypatch.setitem(api_app.extensions, "kairos_api_rate", DatabaseRateLimiter(empty, 1))
    with caplog.at_level(logging.WARNING, logger="runtime.api.ratelimit"):
        answers = [api.get("me") for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert not any("X-RateLimit-Remaining" in a.headers for a in answers)
    assert [r.name for r in caplog.records].count("runtime.api.ratelimit") == 1
    empty.dispose()
