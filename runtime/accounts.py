"""Credentials of users: setting and checking passwords (login itself arrives with the UI)."""

from __future__ import annotations

import sqlalchemy as sa

from runtime.org import USER
from runtime.passwords import hash_password, verify_password


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
