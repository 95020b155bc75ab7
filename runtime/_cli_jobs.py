"""``kairos worker`` (background jobs, outbox and webhook deliveries in a process of their
own), ``kairos webhook redeliver`` and ``kairos webhook prune``.

The web app runs the same work in ``JOB_WORKERS`` threads; a separate worker process is
for installations that serve the web app with ``JOB_WORKERS=0`` or want more throughput.
Any number of workers may run at once: every claim is atomic (see docs/jobs.md).
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from datetime import timedelta
from importlib import import_module
from importlib.metadata import entry_points
from types import FrameType

import click

from runtime._cli_common import database_option, open_database

JOB_MODULES = ("runtime.webhooks", "runtime.transfer")
"""Modules that register job kinds, outbox consumers or pumps when imported; the web app
imports them through its pages. More come from ``$KAIROS_JOB_MODULES`` (comma-separated)
and the ``kairos.jobs`` entry-point group."""


def load_job_modules() -> list[str]:
    """Import every module that registers work; returns the names imported. A listed
    module that is not installed is skipped (``runtime.transfer`` is optional)."""
    wanted = list(JOB_MODULES)
    wanted += [m.strip() for m in os.environ.get("KAIROS_JOB_MODULES", "").split(",") if m.strip()]
    wanted += [e.value for e in entry_points(group="kairos.jobs")]
    loaded = []
    for name in wanted:
        try:
            import_module(name)
        except ModuleNotFoundError as missing:
            if missing.name != name:
                raise
            continue
        loaded.append(name)
    return loaded


@click.command("worker")
@click.option(
    "--threads", type=click.IntRange(1, 64), default=2, show_default=True, help="Worker threads."
)
@click.option("--once", is_flag=True, help="Do all work that is due now, then exit.")
@database_option
def worker_command(threads: int, once: bool, database_url: str | None) -> None:
    """Run background jobs, the outbox dispatcher and webhook deliveries."""
    from runtime.jobs import (
        ensure_job_tables,
        recover_stale,
        registered_kinds,
        start_workers,
        work_once,
    )
    from runtime.jobs._store import worker_name
    from runtime.storage.system import ensure_system_tables
    from runtime.webhooks import ensure_webhook_tables

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    modules = load_job_modules()
    engine = open_database(database_url)
    ensure_system_tables(engine)  # an upgraded database may meet the worker first
    ensure_job_tables(engine)
    ensure_webhook_tables(engine)
    kinds = ", ".join(sorted(registered_kinds())) or "-"
    click.echo(f"Modules: {', '.join(modules)}; job kinds: {kinds}")
    try:
        if once:
            recover_stale(engine)
            total = 0
            while (done := work_once(engine, worker_name())) > 0:
                total += done
            click.echo(f"Done: {total} unit(s) of work.")
            return
        stopped = threading.Event()

        def stop(_signum: int, _frame: FrameType | None) -> None:
            stopped.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        pool = start_workers(engine, threads)
        click.echo(f"Kairos worker running with {threads} thread(s)  (Ctrl+C to stop)")
        stopped.wait()
        click.echo("Stopping: finishing the work in hand …")
        if pool is not None:
            pool.stop()
    finally:
        engine.dispose()


@click.group("webhook")
def webhook_group() -> None:
    """Outbound webhooks."""


@webhook_group.command("redeliver")
@click.argument("delivery_id", type=int)
@database_option
def redeliver_command(delivery_id: int, database_url: str | None) -> None:
    """Queue a fresh copy of delivery DELIVERY_ID (a worker sends it)."""
    from runtime.webhooks import ensure_webhook_tables, redeliver

    engine = open_database(database_url, create=False)
    try:
        ensure_webhook_tables(engine)
        try:
            new_id = redeliver(engine, delivery_id)
        except LookupError:
            raise click.ClickException(f"there is no webhook delivery {delivery_id}") from None
        click.echo(f"Delivery {delivery_id} queued again as delivery {new_id}.")
    finally:
        engine.dispose()


@webhook_group.command("prune")
@click.option(
    "--older-than",
    "older_than",
    type=click.IntRange(min=1),
    default=None,
    metavar="DAYS",
    help="Delete deliveries (delivered or failed) that finished more than DAYS days ago. "
    "Default: the configured retention ($KAIROS_WEBHOOK_RETENTION_DAYS, 30; failed ones "
    "$KAIROS_WEBHOOK_FAILED_RETENTION_DAYS, 90).",
)
@click.option("--dry-run", is_flag=True, help="Only count what would be deleted.")
@database_option
def prune_command(older_than: int | None, dry_run: bool, database_url: str | None) -> None:
    """Delete old entries of the webhook delivery log (waiting ones are kept)."""
    from runtime.jobs._tables import utcnow
    from runtime.webhooks import (
        Retention,
        configured_retention,
        count_prunable,
        ensure_webhook_tables,
        prune_deliveries,
    )

    retention = configured_retention()
    if older_than is not None:
        retention = Retention(timedelta(days=older_than), timedelta(days=older_than))
    if retention.off:
        click.echo("Retention is off (0 days): nothing to prune.")
        return
    now = utcnow()
    policy = ", ".join(
        f"{'delivered' if status == 'succeeded' else 'failed'} before {cutoff:%Y-%m-%d %H:%M} UTC"
        for status, cutoff in retention.cutoffs(now).items()
    )
    engine = open_database(database_url, create=False)
    try:
        ensure_webhook_tables(engine)
        if dry_run:
            found = sum(count_prunable(engine, retention, now=now).values())
            click.echo(f"Would delete {found} webhook deliveries ({policy}).")
            return
        deleted = prune_deliveries(engine, retention, now=now)
        click.echo(f"Deleted {deleted} webhook deliveries ({policy}).")
    finally:
        engine.dispose()
