"""API tokens: ``kai_`` + 43 url-safe characters, stored only as a SHA-256 hex digest.

A token acts as its user in one app, narrowed by its scope: ``tables`` (``["*"]`` or table
keys) and ``access`` (``read`` or ``write``). The secret is shown once, when it is made;
afterwards only its prefix (``kai_`` + 8 characters) identifies it. Revoked or expired
tokens stay listed (who made which token, when it was last used) but authenticate nobody.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from form_engine.fields.sqltypes import UTCDateTime, json_column_type
from runtime.storage.system import ID_TYPE
from runtime.web.storage import SYSTEM, UI_METADATA

TOKEN_PREFIX = "kai_"
SECRET_PATTERN = re.compile(r"kai_[A-Za-z0-9_-]{43}")
"""What a token looks like; anything else is refused before the database is asked."""
SHOWN_PREFIX = 12
"""Characters kept in clear (``kai_`` + 8) so a user can tell their tokens apart."""
ACCESS_LEVELS = ("read", "write")
ALL_TABLES = "*"
MAX_NAME = 100
MAX_ID = 2**63 - 1
TOUCH_INTERVAL = timedelta(minutes=1)
"""``last_used_at`` is written at most this often per token: not one write per request."""

TOKEN = sa.Table(
    "kairos_api_token",
    UI_METADATA,
    sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column("user_id", ID_TYPE, sa.ForeignKey("kairos_user.id"), nullable=False),
    sa.Column("app_key", sa.String(64), nullable=False),
    sa.Column("name", sa.String(MAX_NAME), nullable=False),
    sa.Column("prefix", sa.String(SHOWN_PREFIX), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("tables", json_column_type(), nullable=False),
    sa.Column("access", sa.String(8), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("created_by", ID_TYPE, sa.ForeignKey("kairos_user.id"), nullable=True),
    sa.Column("last_used_at", UTCDateTime(), nullable=True),
    sa.Column("expires_at", UTCDateTime(), nullable=True),
    sa.Column("revoked_at", UTCDateTime(), nullable=True),
    sa.Index("ix_kairos_api_token_user", "user_id"),
)


class TokenError(ValueError):
    """A token cannot be made as asked (bad name, scope or access); ``code`` names why."""

    def __init__(self, code: str, value: Any = None) -> None:
        self.code = code
        self.value = value
        super().__init__(f"{code}: {value!r}")


@dataclass(frozen=True)
class TokenInfo:
    """One stored token (never its secret)."""

    id: int
    user_id: int
    app_key: str
    name: str
    prefix: str
    tables: tuple[str, ...]
    access: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None
    username: str | None = None
    display_name: str | None = None

    @property
    def all_tables(self) -> bool:
        return ALL_TABLES in self.tables

    def covers(self, table: str) -> bool:
        return self.all_tables or table in self.tables

    def active(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    def scope(self) -> dict[str, Any]:
        return {"name": self.name, "tables": list(self.tables), "access": self.access}


def ensure_token_table(engine: sa.Engine) -> None:
    """Create ``kairos_api_token`` when missing (the web app does it at start; the CLI
    calls this, after ``ensure_system_tables``)."""
    TOKEN.create(engine, checkfirst=True)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


def check_scope(tables: Sequence[str], access: str, known: Sequence[str]) -> tuple[str, ...]:
    """The scope normalised: ``("*",)`` or the distinct table keys, each one of ``known``."""
    if access not in ACCESS_LEVELS:
        raise TokenError("bad_access", access)
    if isinstance(tables, str) or not tables:
        raise TokenError("no_tables", tables)
    if ALL_TABLES in tables:
        return (ALL_TABLES,)
    chosen: list[str] = []
    for table in tables:
        if table not in known:
            raise TokenError("unknown_table", table)
        if table not in chosen:
            chosen.append(table)
    return tuple(chosen)


def create_token(
    conn: sa.Connection,
    *,
    user_id: int,
    app_key: str,
    name: str,
    tables: Sequence[str],
    access: str,
    known_tables: Sequence[str],
    expires_at: datetime | None = None,
    created_by: int | None = None,
    now: datetime | None = None,
) -> tuple[str, TokenInfo]:
    """Make a token; returns (secret, info). The secret exists only in the return value."""
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME or "\x00" in name:
        raise TokenError("bad_name", name)
    scope = check_scope(tables, access, known_tables)
    now = now or _now()
    if expires_at is not None and expires_at <= now:
        raise TokenError("expired", expires_at)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    values = {
        "user_id": user_id,
        "app_key": app_key,
        "name": name,
        "prefix": secret[:SHOWN_PREFIX],
        "token_hash": hash_secret(secret),
        "tables": list(scope),
        "access": access,
        "created_at": now,
        "created_by": created_by if created_by is not None else user_id,
        "expires_at": expires_at,
    }
    token_id = conn.execute(TOKEN.insert().values(**values).returning(TOKEN.c.id)).scalar_one()
    return secret, _info({**values, "id": token_id, "last_used_at": None, "revoked_at": None})


def _info(row: Any) -> TokenInfo:
    return TokenInfo(
        id=int(row["id"]),
        user_id=int(row["user_id"]),
        app_key=row["app_key"],
        name=row["name"],
        prefix=row["prefix"],
        tables=tuple(row["tables"] or ()),
        access=row["access"],
        created_at=row["created_at"],
        last_used_at=row["last_used_at"],
        expires_at=row["expires_at"],
        revoked_at=row["revoked_at"],
        username=row.get("username"),
        display_name=row.get("display_name"),
    )


def list_tokens(conn: sa.Connection, *, user_id: int | None = None) -> list[TokenInfo]:
    """Tokens of one user (or of everybody), newest first, with the owner's names."""
    users = SYSTEM["kairos_user"]
    query = (
        sa.select(TOKEN, users.c.username, users.c.display_name)
        .select_from(TOKEN.join(users, users.c.id == TOKEN.c.user_id))
        .order_by(TOKEN.c.created_at.desc(), TOKEN.c.id.desc())
    )
    if user_id is not None:
        query = query.where(TOKEN.c.user_id == user_id)
    return [_info(row) for row in conn.execute(query).mappings()]


def get_token(conn: sa.Connection, token_id: int) -> TokenInfo | None:
    if not isinstance(token_id, int) or not 0 < token_id <= MAX_ID:
        return None
    row = conn.execute(sa.select(TOKEN).where(TOKEN.c.id == token_id)).mappings().first()
    return None if row is None else _info(row)


def revoke_token(
    conn: sa.Connection, token_id: int, *, user_id: int | None = None, now: datetime | None = None
) -> bool:
    """Revoke a token (only one of ``user_id``'s when given). False when there is no such
    live token; revoking twice keeps the first time."""
    if not isinstance(token_id, int) or not 0 < token_id <= MAX_ID:
        return False  # not an id a BIGINT column can hold: no such token
    query = TOKEN.update().where(TOKEN.c.id == token_id, TOKEN.c.revoked_at.is_(None))
    if user_id is not None:
        query = query.where(TOKEN.c.user_id == user_id)
    return conn.execute(query.values(revoked_at=now or _now())).rowcount == 1


def authenticate(conn: sa.Connection, secret: str, now: datetime | None = None) -> TokenInfo | None:
    """The live token whose secret this is, else None (malformed, unknown, revoked,
    expired). Lookup by hash, then a constant-time comparison of the digests."""
    if not isinstance(secret, str) or not SECRET_PATTERN.fullmatch(secret):
        return None
    digest = hash_secret(secret)
    row = conn.execute(sa.select(TOKEN).where(TOKEN.c.token_hash == digest)).mappings().first()
    if row is None or not hmac.compare_digest(str(row["token_hash"]), digest):
        return None
    info = _info(row)
    return info if info.active(now or _now()) else None


def touch(conn: sa.Connection, token: TokenInfo, now: datetime | None = None) -> bool:
    """Record a use, at most once per TOUCH_INTERVAL (the guard is in the UPDATE, so
    concurrent requests still write once)."""
    now = now or _now()
    if token.last_used_at is not None and now - token.last_used_at < TOUCH_INTERVAL:
        return False
    stale = sa.or_(TOKEN.c.last_used_at.is_(None), TOKEN.c.last_used_at <= now - TOUCH_INTERVAL)
    result = conn.execute(
        TOKEN.update().where(TOKEN.c.id == token.id, stale).values(last_used_at=now)
    )
    return result.rowcount == 1
