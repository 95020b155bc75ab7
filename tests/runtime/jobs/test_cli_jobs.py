"""``kairos worker --once`` and ``kairos webhook redeliver``."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from runtime._cli_jobs import load_job_modules, redeliver_command, worker_command
from runtime.jobs import get_job, register, submit
from runtime.jobs._tables import utcnow
from runtime.webhooks import DELIVERY, create_webhook, ensure_webhook_tables
from runtime.webhooks.fanout import body_text
from tests.conftest import TEST_DATABASE_URL


def _url(engine: sa.Engine) -> str:
    """The test database as a URL the CLI can open (on PostgreSQL: with its schema)."""
    if engine.dialect.name == "sqlite":
        return engine.url.render_as_string(hide_password=False)
    with engine.connect() as conn:
        schema = conn.execute(sa.text("select current_schema()")).scalar()
    return f"{TEST_DATABASE_URL}?options=-csearch_path%3D{schema}"


def test_worker_once_runs_what_is_due_and_exits(jobs_engine: sa.Engine) -> None:
    register("cli.square", lambda _ctx, payload: {"square": payload["n"] ** 2})
    job_id = submit(jobs_engine, kind="cli.square", payload={"n": 12}, app_key="crm", user_id=None)
    result = CliRunner().invoke(worker_command, ["--once", "--database", _url(jobs_engine)])
    assert result.exit_code == 0, result.output
    assert "runtime.webhooks" in result.output and "cli.square" in result.output
    assert "Done: 1 unit(s) of work." in result.output
    assert get_job(jobs_engine, job_id)["result"] == {"square": 144}


def test_the_job_modules_skip_what_is_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAIROS_JOB_MODULES", "runtime.no_such_module, runtime.jobs")
    loaded = load_job_modules()
    assert "runtime.webhooks" in loaded and "runtime.jobs" in loaded
    assert "runtime.no_such_module" not in loaded


def test_webhook_redeliver_queues_a_copy(jobs_engine: sa.Engine) -> None:
    ensure_webhook_tables(jobs_engine)
    hook = create_webhook(
        jobs_engine,
        "crm",
        {
            "name": "ERP",
            "table_key": "customer",
            "events": ["created"],
            "url": "http://127.0.0.1:9/",
            "condition": None,
            "active": True,
            "max_attempts": 3,
        },
        user_id=None,
    )
    payload = {"event": "record.created", "app": "crm", "table": "customer", "record": {"id": 1}}
    with jobs_engine.begin() as conn:
        delivery = conn.execute(
            DELIVERY.insert().returning(DELIVERY.c.id),
            {
                "webhook_id": hook,
                "uid": "u-1",
                "topic": "record.created",
                "table_key": "customer",
                "record_id": 1,
                "body": body_text(payload, {"id": None, "name": None}, "u-1"),
                "status": "failed",
                "attempts": 3,
                "max_attempts": 3,
                "available_at": utcnow(),
                "created_at": utcnow(),
            },
        ).scalar_one()
    runner = CliRunner()
    result = runner.invoke(redeliver_command, [str(delivery), "--database", _url(jobs_engine)])
    assert result.exit_code == 0, result.output
    assert f"Delivery {delivery} queued again" in result.output
    with jobs_engine.connect() as conn:
        copy = conn.execute(sa.select(DELIVERY).where(DELIVERY.c.redelivery_of == delivery))
        row = copy.mappings().one()
    assert (row["status"], row["attempts"], row["max_attempts"]) == ("pending", 0, 3)
    missing = runner.invoke(redeliver_command, ["999", "--database", _url(jobs_engine)])
    assert missing.exit_code == 1 and "no webhook delivery 999" in missing.output
