"""Credentials of users: passwords and login throttling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from runtime.org import USER
from runtime.passwords import hash_password, verify_password
from runtime.storage.system import define_system_tables

LOGIN_ATTEMPT = define_system_tables(sa.MetaData())["kairos_login_attempt"]


def set_password(conn: sa.Connection, user_id: int, password: str) -> None:
    conn.execute(
        USER.update().where(USER.c.id == user_id).values(password_hash=hash_password(password))
    )


def check_password(conn: sa.Connection, username: str, password: str) -> int | None:
    """The id of the active user ``username`` when ``password`` is right, else None."""
    row = conn.execute(
        sa.select(USER.c.id, USER.c.password_hash).where(
            USER.c.username == username, USER.c.is_active.is_(True)
        )
    ).first()
    if row is None or not verify_password(password, row.password_hash):
        return None
    return int(row.id)


def recent_failures(conn: sa.Connection, username: str, *, minutes: int) -> int:
    """Failed logins of ``username`` since its last success, within ``minutes``."""
    since = datetime.now(UTC) - timedelta(minutes=minutes)
    last_success = conn.execute(
        sa.select(sa.func.max(LOGIN_ATTEMPT.c.at)).where(
            LOGIN_ATTEMPT.c.username == username, LOGIN_ATTEMPT.c.success.is_(True)
        )
    ).scalar()
    if last_success is not None:
        if last_success.tzinfo is None:
            last_success = last_success.replace(tzinfo=UTC)
        since = max(since, last_success)
    return int(
        conn.execute(
            sa.select(sa.func.count()).where(
                LOGIN_ATTEMPT.c.username == username,
                LOGIN_ATTEMPT.c.success.is_(False),
                LOGIN_ATTEMPT.c.at > since,
            )
        ).scalar_one()
    )


def record_attempt(conn: sa.Connection, username: str, ip: str | None, success: bool) -> None:
    conn.execute(
        LOGIN_ATTEMPT.insert().values(
            username=username[:64], ip=ip, at=datetime.now(UTC), success=success
        )
    )
