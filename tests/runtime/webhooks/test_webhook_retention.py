"""Retention of the webhook delivery log: finished deliveries past their age are deleted
in bounded batches, by ``kairos webhook prune`` and by the worker pump at most once per
interval; waiting ones are never touched."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from runtime.cli import main
from runtime.db import write_transaction
from runtime.jobs import ensure_job_tables, work_once
from runtime.jobs._tables import utcnow
from runtime.webhooks import (
    ATTEMPT,
    DELIVERY,
    Retention,
    configured_retention,
    count_prunable,
    create_webhook,
    ensure_webhook_tables,
    prune_deliveries,
)
from runtime.webhooks import retention as retention_module
from runtime.webhooks._tables import SETTING
from runtime.webhooks.retention import claim_prune_run, prune_batch, prune_pump

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=utcnow().tzinfo)


@pytest.fixture
def log_engine(engine: sa.Engine) -> sa.Engine:
    ensure_webhook_tables(engine)
    return engine


@pytest.fixture
def hook(log_engine: sa.Engine) -> int:
    cleaned = {
        "name": "ERP",
        "table_key": "customer",
        "events": ["created"],
        "url": "https://erp.example.com/hook",
        "condition": None,
        "active": True,
        "max_attempts": 6,
    }
    return create_webhook(log_engine, "opportunity", cleaned, user_id=None)


def _delivery(
    engine: sa.Engine, hook: int, status: str, age_days: float, now: datetime = NOW
) -> int:
    """A delivery that finished (or, when waiting, was created) ``age_days`` before
    ``now``, with one logged attempt."""
    at = now - timedelta(days=age_days)
    finished = status in ("succeeded", "failed")
    with write_transaction(engine) as conn:
        delivery_id = conn.execute(
            DELIVERY.insert().returning(DELIVERY.c.id),
            {
                "webhook_id": hook,
                "uid": str(uuid.uuid4()),
                "topic": "record.created",
                "table_key": "customer",
                "record_id": 1,
                "body": "{}",
                "status": status,
                "attempts": 1,
                "max_attempts": 6,
                "available_at": at,
                "created_at": at - timedelta(hours=1),
                "finished_at": at if finished else None,
            },
        ).scalar_one()
        conn.execute(
            ATTEMPT.insert(),
            {"delivery_id": delivery_id, "attempt": 1, "started_at": at, "duration_ms": 5},
        )
    return int(delivery_id)


def _left(engine: sa.Engine) -> set[int]:
    with engine.connect() as conn:
        return set(conn.execute(sa.select(DELIVERY.c.id)).scalars())


def _attempts(engine: sa.Engine) -> set[int]:
    with engine.connect() as conn:
        return set(conn.execute(sa.select(ATTEMPT.c.delivery_id)).scalars())


def test_the_default_keeps_delivered_30_days_failed_90_and_waiting_ones_for_ever(
    log_engine: sa.Engine, hook: int
) -> None:
    old_ok = _delivery(log_engine, hook, "succeeded", 31)
    young_ok = _delivery(log_engine, hook, "succeeded", 29)
    old_failed = _delivery(log_engine, hook, "failed", 91)
    failed_60 = _delivery(log_engine, hook, "failed", 60)
    waiting = _delivery(log_engine, hook, "pending", 400)
    sending = _delivery(log_engine, hook, "sending", 400)
    retention = configured_retention({})
    assert retention == Retention(timedelta(days=30), timedelta(days=90))
    assert count_prunable(log_engine, retention, now=NOW) == {"succeeded": 1, "failed": 1}
    assert prune_deliveries(log_engine, retention, now=NOW) == 2
    kept = {young_ok, failed_60, waiting, sending}
    assert _left(log_engine) == kept and _attempts(log_engine) == kept
    assert old_ok not in _left(log_engine) and old_failed not in _left(log_engine)


def test_retention_settings_from_the_environment() -> None:
    days = timedelta(days=1)
    env = {"KAIROS_WEBHOOK_RETENTION_DAYS": "7", "KAIROS_WEBHOOK_FAILED_RETENTION_DAYS": "14"}
    assert configured_retention(env) == Retention(7 * days, 14 * days)
    # failed deliveries are never kept shorter than delivered ones
    assert configured_retention({"KAIROS_WEBHOOK_RETENTION_DAYS": "120"}) == Retention(
        120 * days, 120 * days
    )
    # 0 keeps for ever; keeping delivered ones for ever keeps failed ones too
    assert configured_retention({"KAIROS_WEBHOOK_FAILED_RETENTION_DAYS": "0"}) == Retention(
        30 * days, None
    )
    assert configured_retention({"KAIROS_WEBHOOK_RETENTION_DAYS": "0"}).off
    # a typo falls back to the default rather than stopping the workers
    assert configured_retention({"KAIROS_WEBHOOK_RETENTION_DAYS": "thirty"}) == Retention(
        30 * days, 90 * days
    )
    assert configured_retention({"KAIROS_WEBHOOK_RETENTION_DAYS": "-3"}).delivered == 30 * days


def test_deliveries_go_in_bounded_batches(log_engine: sa.Engine, hook: int) -> None:
    old = [_delivery(log_engine, hook, "succeeded", 40 + n) for n in range(5)]
    young = _delivery(log_engine, hook, "succeeded", 1)
    retention = Retention.days(30, 90)
    assert prune_batch(log_engine, retention, now=NOW, batch=2) == 2
    assert len(_left(log_engine)) == 4
    assert prune_deliveries(log_engine, retention, now=NOW, batch=2) == 3
    assert _left(log_engine) == {young} and not set(old) & _attempts(log_engine)
    assert prune_batch(log_engine, retention, now=NOW, batch=2) == 0


def test_a_prune_run_starts_once_per_interval_across_processes(log_engine: sa.Engine) -> None:
    assert claim_prune_run(log_engine, now=NOW)
    assert not claim_prune_run(log_engine, now=NOW + timedelta(minutes=59))
    assert claim_prune_run(log_engine, now=NOW + timedelta(minutes=61))
    assert not claim_prune_run(log_engine, now=NOW + timedelta(minutes=62))
    with write_transaction(log_engine) as conn:  # a clock that was far ahead once
        conn.execute(SETTING.update().values(value=(NOW + timedelta(days=3)).isoformat()))
    assert claim_prune_run(log_engine, now=NOW + timedelta(hours=2))


def test_the_worker_pump_drains_in_rounds_then_waits_for_the_interval(
    log_engine: sa.Engine, hook: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retention_module, "PRUNE_BATCH", 2)
    monkeypatch.setattr(retention_module, "CHECK_SECONDS", 0.0)
    monkeypatch.delenv("KAIROS_WEBHOOK_RETENTION_DAYS", raising=False)
    monkeypatch.delenv("KAIROS_WEBHOOK_FAILED_RETENTION_DAYS", raising=False)
    for n in range(5):
        _delivery(log_engine, hook, "succeeded", 31 + n)
    waiting = _delivery(log_engine, hook, "pending", 100)
    assert [prune_pump(log_engine, now=NOW) for _ in range(4)] == [2, 2, 1, 0]
    assert _left(log_engine) == {waiting}
    _delivery(log_engine, hook, "succeeded", 31)
    assert prune_pump(log_engine, now=NOW + timedelta(minutes=30)) == 0  # run within the hour
    assert prune_pump(log_engine, now=NOW + timedelta(minutes=61)) == 1


def test_worker_rounds_prune_through_the_registered_pump(
    log_engine: sa.Engine, hook: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retention_module, "CHECK_SECONDS", 0.0)
    monkeypatch.setenv("KAIROS_WEBHOOK_RETENTION_DAYS", "1")
    for _ in range(3):
        _delivery(log_engine, hook, "succeeded", 2, utcnow())
    ensure_job_tables(log_engine)
    assert work_once(log_engine, "test-worker") == 3
    assert _left(log_engine) == set()


def test_the_prune_command(
    log_engine: sa.Engine, hook: int, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KAIROS_WEBHOOK_RETENTION_DAYS", raising=False)
    monkeypatch.delenv("KAIROS_WEBHOOK_FAILED_RETENTION_DAYS", raising=False)
    now = utcnow()
    ages = {"succeeded": (3, 10, 40), "failed": (10, 40, 100)}
    for status, days in ages.items():
        for age in days:
            _delivery(log_engine, hook, status, age, now)
    waiting = _delivery(log_engine, hook, "pending", 50, now)
    runner = CliRunner()
    dry = runner.invoke(main, ["webhook", "prune", "--dry-run", "--database", database_url])
    assert dry.exit_code == 0, dry.output
    assert "Would delete 2 webhook deliveries" in dry.output  # succeeded 40, failed 100
    assert len(_left(log_engine)) == 7
    done = runner.invoke(main, ["webhook", "prune", "--database", database_url])
    assert done.exit_code == 0, done.output
    assert "Deleted 2 webhook deliveries" in done.output and "failed before" in done.output
    week = runner.invoke(
        main, ["webhook", "prune", "--older-than", "7", "--database", database_url]
    )
    assert week.exit_code == 0, week.output
    assert "Deleted 3 webhook deliveries" in week.output  # succeeded 10, failed 10 and 40
    assert len(_left(log_engine)) == 2 and waiting in _left(log_engine)
    refused = runner.invoke(
        main, ["webhook", "prune", "--older-than", "0", "--database", database_url]
    )
    assert refused.exit_code == 2
    monkeypatch.setenv("KAIROS_WEBHOOK_RETENTION_DAYS", "0")
    off = runner.invoke(main, ["webhook", "prune", "--database", database_url])
    assert off.exit_code == 0 and "nothing to prune" in off.output


def test_the_pruning_index_is_added_to_an_existing_log(log_engine: sa.Engine) -> None:
    with write_transaction(log_engine) as conn:
        conn.exec_driver_sql("DROP INDEX ix_kairos_webhook_delivery_finished")
    ensure_webhook_tables(log_engine)
    names = {i["name"] for i in sa.inspect(log_engine).get_indexes("kairos_webhook_delivery")}
    assert "ix_kairos_webhook_delivery_finished" in names
