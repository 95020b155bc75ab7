"""``kairos seed``, ``kairos demo-data`` and ``kairos records …``: data from the shell.

Everything goes through the record service, so validation, permissions and audit apply to
the command line exactly as to the web UI and the API.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import date
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import click
from sqlalchemy.engine import Engine

from runtime import org
from runtime._cli_common import SAMPLE_APP, database_option, locale_option, open_database, say
from runtime.apps import open_app, user_id_by_name
from runtime.db import read_transaction
from runtime.publish import VersionNotFound
from runtime.records import Actor, RecordError, RecordService
from runtime.seed import DemoDataRejected, SeedError, SeedReport, load_seed
from runtime.storage.system import ensure_system_tables
from schemas.spec import localize

app_option = click.option("--app", "app_key", default="opportunity", show_default=True)


def open_service(engine: Engine, app_key: str, locale: str) -> RecordService:
    # A database upgraded to a version with new system tables (the duplicate-check
    # index) may meet the CLI before the web app created them.
    ensure_system_tables(engine)
    try:
        return open_app(engine, app_key)
    except VersionNotFound:
        raise click.ClickException(
            say(
                locale,
                "应用“{a}”尚未发布：先运行 kairos app publish",
                "App {a!r} is not published: run 'kairos app publish' first",
                a=app_key,
            )
        ) from None


def actor_for(engine: Engine, app_key: str, username: str | None, locale: str) -> Actor:
    """``--as USERNAME`` acts as that user (their roles and scopes); default: the system."""
    if username is None:
        return Actor.system()
    with read_transaction(engine) as conn:
        user_id = user_id_by_name(conn, username)
        if user_id is None:
            raise click.ClickException(
                say(locale, "用户“{u}”不存在", "No user named {u!r}", u=username)
            )
        return org.load_actor(conn, user_id, app_key, channel="api")


def seed_app(service: RecordService, folder: Path) -> SeedReport:
    try:
        return load_seed(service, Actor.system(), folder)
    except SeedError as exc:
        raise click.ClickException(str(exc)) from None


def demo_loader(app_key: str, locale: str) -> Any:
    for entry in entry_points(group="kairos.demo_data"):
        if entry.name == app_key:
            return entry.load()
    raise click.ClickException(
        say(
            locale, "应用“{a}”没有演示数据生成器", "App {a!r} has no demo-data generator", a=app_key
        )
    )


def load_demo_data(
    service: RecordService, app_key: str, n: int, reference_ids: Any, locale: str, seed: int = 7
) -> dict[str, int]:
    loader = demo_loader(app_key, locale)
    started = time.perf_counter()
    total = 0

    interactive = sys.stderr.isatty()
    last_line = 0.0

    def progress(table: str, rows: int) -> None:
        # A live counter on a terminal; one line every few seconds in logs and CI.
        nonlocal total, last_line
        total += rows
        elapsed = time.perf_counter() - started
        line = f"  {total:>12,} rows  {total / max(elapsed, 1e-9):>8,.0f} rows/s  ({table})"
        if interactive:
            click.echo("\r" + line, nl=False, err=True)
        elif elapsed - last_line >= 5:
            last_line = elapsed
            click.echo(line, err=True)

    try:
        written = loader(
            service,
            n,
            reference_ids=reference_ids,
            today=date.today(),
            seed=seed,
            progress=progress,
        )
    except (DemoDataRejected, RecordError) as exc:
        click.echo("", err=True)
        message = exc.message(locale) if isinstance(exc, RecordError) else str(exc)
        raise click.ClickException(message) from None
    click.echo("", err=True)
    return written


@click.command("seed")
@app_option
@click.option(
    "--folder",
    type=click.Path(exists=True, file_okay=False),
    help="Seed folder (default: the sample app's seed/).",
)
@database_option
@locale_option
def seed_command(app_key: str, folder: str | None, database_url: str | None, locale: str) -> None:
    """Load reference data (stages, lost reasons, products …); safe to run twice."""
    engine = open_database(database_url, create=False)
    try:
        service = open_service(engine, app_key, locale)
        report = seed_app(service, Path(folder) if folder else SAMPLE_APP / "seed")
    finally:
        engine.dispose()
    click.echo(
        say(
            locale,
            "参考数据：新建 {c} 条，更新 {u} 条",
            "Reference data: {c} created, {u} updated",
            c=sum(report.created.values()),
            u=sum(report.updated.values()),
        )
    )


@click.command("demo-data")
@app_option
@click.option(
    "--opportunities",
    "n",
    type=click.IntRange(1, 5_000_000),
    default=1000,
    show_default=True,
    help="How many opportunities (with their customers …).",
)
@click.option("--seed", "random_seed", type=int, default=7, show_default=True)
@database_option
@locale_option
def demo_data_command(
    app_key: str, n: int, random_seed: int, database_url: str | None, locale: str
) -> None:
    """Generate realistic demo data into an app that has reference data but no records yet."""
    engine = open_database(database_url, create=False)
    try:
        service = open_service(engine, app_key, locale)
        if service.count(Actor.system(), "customer"):
            raise click.ClickException(
                say(
                    locale,
                    "演示数据只能写入还没有客户记录的应用（请使用新数据库）",
                    "Demo data goes into an app without customer records yet (use a new database)",
                )
            )
        report = seed_app(service, SAMPLE_APP / "seed")
        started = time.perf_counter()
        try:
            written = load_demo_data(service, app_key, n, report.ids, locale, random_seed)
        except RecordError as exc:
            raise click.ClickException(exc.message(locale)) from None
    finally:
        engine.dispose()
    rows = sum(written.values())
    seconds = time.perf_counter() - started
    click.echo(
        say(
            locale,
            "演示数据：{r:,} 行（{n:,} 个商机），用时 {s:.0f} 秒",
            "Demo data: {r:,} rows ({n:,} opportunities) in {s:.0f} s",
            r=rows,
            n=n,
            s=seconds,
        )
    )


@click.group("records")
def records_group() -> None:
    """Read records as a given user (permissions apply)."""


@records_group.command("query")
@click.argument("table")
@app_option
@click.option(
    "--where", help='Condition as JSON, e.g. \'{"field": "stage", "op": "eq", "value": 3}\'.'
)
@click.option(
    "--sort",
    "sort",
    default="-updated_at",
    show_default=True,
    help="Field to sort by; prefix with - for descending.",
)
@click.option("--fields", help="Comma-separated field keys to show.")
@click.option("--limit", type=click.IntRange(1, 500), default=20, show_default=True)
@click.option("--as", "username", help="Act as this user (default: the system).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines.")
@database_option
@locale_option
def query_command(
    table: str,
    app_key: str,
    where: str | None,
    sort: str,
    fields: str | None,
    limit: int,
    username: str | None,
    as_json: bool,
    database_url: str | None,
    locale: str,
) -> None:
    """List records of TABLE that the actor may see."""
    engine = open_database(database_url, create=False)
    try:
        service = open_service(engine, app_key, locale)
        if not service.tables.app.has_table(table):
            raise click.ClickException(say(locale, "没有表“{t}”", "No table {t!r}", t=table))
        actor = actor_for(engine, app_key, username, locale)
        try:
            condition = json.loads(where) if where else None
        except json.JSONDecodeError as exc:
            raise click.ClickException(f"--where: {exc}") from None
        direction = "desc" if sort.startswith("-") else "asc"
        keys = [k.strip() for k in fields.split(",")] if fields else None
        try:
            page = service.query(
                actor,
                table,
                where=condition,
                order_by=[(sort.lstrip("-"), direction)],
                fields=keys,
                limit=limit,
                with_count=True,
            )
        except RecordError as exc:
            raise click.ClickException(exc.message(locale)) from None
    finally:
        engine.dispose()
    if as_json:
        for row in page.rows:
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    spec = service.tables.app.table(table)
    shown = keys or [f.key for f in spec.fields if f.type != "child_table"][:6]
    click.echo(
        "\t".join(
            [
                "id",
                *(localize(spec.field(k).label, locale) if spec.has_field(k) else k for k in shown),
            ]
        )
    )
    for row in page.rows:
        click.echo("\t".join(str(v) for v in [row["id"], *(_cell(row.get(k)) for k in shown)]))
    click.echo(
        say(
            locale,
            "共 {t} 条，显示 {n} 条",
            "{t} matching, {n} shown",
            t=page.total,
            n=len(page.rows),
        )
    )


@records_group.command("history")
@click.argument("table")
@click.argument("record_id", type=int)
@app_option
@click.option("--as", "username", help="Act as this user (default: the system).")
@database_option
@locale_option
def history_command(
    table: str,
    record_id: int,
    app_key: str,
    username: str | None,
    database_url: str | None,
    locale: str,
) -> None:
    """Print the change history (audit trail) of one record."""
    engine = open_database(database_url, create=False)
    try:
        service = open_service(engine, app_key, locale)
        actor = actor_for(engine, app_key, username, locale)
        try:
            entries = service.history(actor, table, record_id)
        except RecordError as exc:
            raise click.ClickException(exc.message(locale)) from None
    finally:
        engine.dispose()
    for entry in entries:
        click.echo(
            f"{entry.at:%Y-%m-%d %H:%M:%S}  {entry.action:<8} {entry.actor_name or '-'} "
            f"({entry.channel})"
        )
        for key, change in entry.changes.items():
            if isinstance(change, list | tuple) and len(change) == 2:
                click.echo(f"    {key}: {_cell(change[0])} → {_cell(change[1])}")
            else:
                click.echo(f"    {key}: {_cell(change)}")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)[:40]
    text = str(value)
    return text if len(text) <= 40 else text[:39] + "…"
