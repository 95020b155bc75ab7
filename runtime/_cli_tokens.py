"""``kairos token …``: API tokens from the shell (create, list, revoke).

The secret is printed once by ``create``; the database keeps only its SHA-256 digest.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import click

from runtime._cli_common import database_option, locale_option, open_database, pad, say
from runtime._cli_data import app_option, open_service
from runtime.api import tokens
from runtime.apps import user_id_by_name
from runtime.db import read_transaction, write_transaction
from runtime.storage.system import ensure_system_tables

_ERRORS = {
    "bad_access": ("访问权限应为 read 或 write", "--access must be read or write"),
    "no_tables": ("请用 --tables 指定数据表，或用 * 表示全部", "Name tables with --tables, or *"),
    "unknown_table": ("应用中没有数据表“{v}”", "The app has no table {v!r}"),
    "bad_name": ("令牌名称应为 1 到 100 个字符", "The name must be 1 to 100 characters"),
    "expired": ("有效天数应大于 0", "--expires-days must be above 0"),
}


@click.group("token")
def token_group() -> None:
    """API tokens for the REST API (docs/api.md)."""


@token_group.command("create")
@click.argument("username")
@click.option("--name", required=True, help="What the token is for, e.g. 'ERP sync'.")
@click.option("--tables", default="*", show_default=True, help="Comma-separated table keys.")
@click.option(
    "--access", type=click.Choice(tokens.ACCESS_LEVELS), default="read", show_default=True
)
@click.option("--expires-days", type=int, default=None, help="Expire after N days (default never).")
@app_option
@database_option
@locale_option
def create_token_command(
    username: str,
    name: str,
    tables: str,
    access: str,
    expires_days: int | None,
    app_key: str,
    database_url: str | None,
    locale: str,
) -> None:
    """Create a token acting as USERNAME; prints the secret once."""
    engine = open_database(database_url, create=False)
    try:
        ensure_system_tables(engine)
        tokens.ensure_token_table(engine)
        service = open_service(engine, app_key, locale)
        known = [t.key for t in service.tables.app.tables if not t.parent]
        now = datetime.now(UTC)
        expires_at = None
        if expires_days is not None:
            if expires_days < 1 or expires_days > 3650:
                raise click.ClickException(
                    say(locale, "有效天数应为 1 到 3650", "--expires-days must be 1 to 3650")
                )
            expires_at = now + timedelta(days=expires_days)
        with write_transaction(engine) as conn:
            user_id = user_id_by_name(conn, username)
            if user_id is None:
                raise click.ClickException(
                    say(locale, "用户“{u}”不存在", "No user named {u!r}", u=username)
                )
            try:
                secret, info = tokens.create_token(
                    conn,
                    user_id=user_id,
                    app_key=app_key,
                    name=name,
                    tables=[t.strip() for t in tables.split(",") if t.strip()],
                    access=access,
                    known_tables=known,
                    expires_at=expires_at,
                    now=now,
                )
            except tokens.TokenError as error:
                zh, en = _ERRORS[error.code]
                raise click.ClickException(say(locale, zh, en, v=error.value)) from None
    finally:
        engine.dispose()
    click.echo(
        say(
            locale,
            "已创建令牌 {i}（{n}）。请立即保存，它只显示这一次：",
            "Created token {i} ({n}). Save it now, it is shown only once:",
            i=info.id,
            n=info.name,
        )
    )
    click.echo(secret)


@token_group.command("list")
@click.option("--user", "username", default=None, help="Only this user's tokens.")
@database_option
@locale_option
def list_tokens_command(username: str | None, database_url: str | None, locale: str) -> None:
    """List tokens: id, user, name, prefix, scope, last use, status."""
    engine = open_database(database_url, create=False)
    try:
        ensure_system_tables(engine)
        tokens.ensure_token_table(engine)
        with read_transaction(engine) as conn:
            user_id = None
            if username is not None:
                user_id = user_id_by_name(conn, username)
                if user_id is None:
                    raise click.ClickException(
                        say(locale, "用户“{u}”不存在", "No user named {u!r}", u=username)
                    )
            rows = tokens.list_tokens(conn, user_id=user_id)
    finally:
        engine.dispose()
    now = datetime.now(UTC)
    for row in rows:
        if row.revoked_at is not None:
            state = say(locale, "已撤销", "revoked")
        elif not row.active(now):
            state = say(locale, "已过期", "expired")
        else:
            state = say(locale, "有效", "active")
        used = row.last_used_at.strftime("%Y-%m-%d %H:%M") if row.last_used_at else "-"
        click.echo(
            f"{row.id:>4}  {pad(row.username or '', 12)}  {pad(row.name, 20)}  {row.prefix}…  "
            f"{row.access:<5}  {pad(','.join(row.tables), 20)}  {used:<16}  {state}"
        )
    if not rows:
        click.echo(say(locale, "没有令牌", "No tokens"))


@token_group.command("revoke")
@click.argument("token_id", type=int)
@database_option
@locale_option
def revoke_token_command(token_id: int, database_url: str | None, locale: str) -> None:
    """Revoke token TOKEN_ID: requests with it get 401 from now on."""
    engine = open_database(database_url, create=False)
    try:
        ensure_system_tables(engine)
        tokens.ensure_token_table(engine)
        with write_transaction(engine) as conn:
            done = tokens.revoke_token(conn, token_id)
    finally:
        engine.dispose()
    if not done:
        raise click.ClickException(
            say(locale, "没有有效的令牌 {i}", "No live token {i}", i=token_id)
        )
    click.echo(say(locale, "已撤销令牌 {i}", "Revoked token {i}", i=token_id))
