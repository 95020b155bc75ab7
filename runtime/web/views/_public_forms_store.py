"""Public forms (公开表单) as stored: which table, which fields, the fixed values, the
success message and the limits; plus the per-visitor submission log the rate limit
counts, and the dedicated user the submissions are made as.

The client address is kept only as a keyed hash (HMAC with the app secret): enough to
count a visitor's submissions, not a list of visitors' IP addresses.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from form_engine.fields.sqltypes import UTCDateTime, json_column_type
from runtime import org
from runtime.records import Actor
from runtime.storage.system import ID_TYPE
from runtime.web.storage import UI_METADATA

SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
RATE_WINDOW = timedelta(hours=1)
DEFAULT_RATE_LIMIT = 10
DEFAULT_MIN_SECONDS = 3
FORM_USERNAME = "kairos.public-form"
FORM_USER_NAME = "公开表单 (Public form)"
"""The dedicated user every public submission is made as: the audit trail and the
record's 创建人 say "公开表单", and the service's default owner is that user, so new
leads wait in the pool until someone assigns them."""

PUBLIC_FORM = sa.Table(
    "kairos_public_form",
    UI_METADATA,
    sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column("app_key", sa.String(64), nullable=False),
    sa.Column("slug", sa.String(64), nullable=False, unique=True),
    sa.Column("table_key", sa.String(64), nullable=False),
    sa.Column("title", json_column_type(), nullable=False),
    sa.Column("intro", json_column_type(), nullable=True),
    sa.Column("fields", json_column_type(), nullable=False),
    sa.Column("fixed_values", json_column_type(), nullable=False),
    sa.Column("success_message", json_column_type(), nullable=False),
    sa.Column("enabled", sa.Boolean(), nullable=False),
    sa.Column("rate_limit", sa.Integer(), nullable=False),
    sa.Column("min_seconds", sa.Integer(), nullable=False),
    sa.Column("created_by", ID_TYPE, sa.ForeignKey("kairos_user.id"), nullable=True),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
)

PUBLIC_FORM_HIT = sa.Table(
    "kairos_public_form_hit",
    UI_METADATA,
    sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column("form_id", ID_TYPE, sa.ForeignKey("kairos_public_form.id"), nullable=False),
    sa.Column("client", sa.String(64), nullable=False),
    sa.Column("at", UTCDateTime(), nullable=False),
    sa.Column("created", sa.Boolean(), nullable=False),
    sa.Index("ix_kairos_public_form_hit_client", "form_id", "client", "at"),
)


@dataclass
class PublicForm:
    """One published form. Labels are ``{"zh-CN": …, "en": …}``."""

    slug: str
    table_key: str
    title: dict[str, str]
    fields: list[str]
    fixed_values: dict[str, Any] = field(default_factory=dict)
    success_message: dict[str, str] = field(default_factory=dict)
    intro: dict[str, str] = field(default_factory=dict)
    enabled: bool = True
    rate_limit: int = DEFAULT_RATE_LIMIT
    min_seconds: int = DEFAULT_MIN_SECONDS
    id: int | None = None
    created_by: int | None = None
    updated_at: datetime | None = None

    @classmethod
    def from_row(cls, row: Any) -> PublicForm:
        return cls(
            id=int(row["id"]),
            slug=row["slug"],
            table_key=row["table_key"],
            title=dict(row["title"] or {}),
            intro=dict(row["intro"] or {}),
            fields=list(row["fields"] or []),
            fixed_values=dict(row["fixed_values"] or {}),
            success_message=dict(row["success_message"] or {}),
            enabled=bool(row["enabled"]),
            rate_limit=int(row["rate_limit"]),
            min_seconds=int(row["min_seconds"]),
            created_by=row["created_by"],
            updated_at=row["updated_at"],
        )


def list_forms(conn: sa.Connection, app_key: str) -> list[PublicForm]:
    rows = conn.execute(
        sa.select(PUBLIC_FORM).where(PUBLIC_FORM.c.app_key == app_key).order_by(PUBLIC_FORM.c.id)
    ).mappings()
    return [PublicForm.from_row(r) for r in rows]


def get_form(conn: sa.Connection, app_key: str, *, form_id: int | None = None,
             slug: str | None = None) -> PublicForm | None:  # fmt: skip
    query = sa.select(PUBLIC_FORM).where(PUBLIC_FORM.c.app_key == app_key)
    if form_id is not None:
        query = query.where(PUBLIC_FORM.c.id == form_id)
    if slug is not None:
        query = query.where(PUBLIC_FORM.c.slug == slug)
    row = conn.execute(query).mappings().first()
    return None if row is None else PublicForm.from_row(row)


def slug_taken(conn: sa.Connection, slug: str, other_than: int | None) -> bool:
    query = sa.select(PUBLIC_FORM.c.id).where(PUBLIC_FORM.c.slug == slug)
    if other_than is not None:
        query = query.where(PUBLIC_FORM.c.id != other_than)
    return conn.execute(query).first() is not None


def save_form(conn: sa.Connection, app_key: str, form: PublicForm, *, user_id: int,
              now: datetime) -> int:  # fmt: skip
    """Insert or update ``form``; returns its id."""
    values = {
        "app_key": app_key,
        "slug": form.slug,
        "table_key": form.table_key,
        "title": form.title,
        "intro": form.intro,
        "fields": form.fields,
        "fixed_values": form.fixed_values,
        "success_message": form.success_message,
        "enabled": form.enabled,
        "rate_limit": form.rate_limit,
        "min_seconds": form.min_seconds,
        "updated_at": now,
    }
    if form.id is None:
        inserted = conn.execute(
            PUBLIC_FORM.insert().values(**values, created_by=user_id).returning(PUBLIC_FORM.c.id)
        )
        return int(inserted.scalar_one())
    conn.execute(PUBLIC_FORM.update().where(PUBLIC_FORM.c.id == form.id).values(**values))
    return form.id


def delete_form(conn: sa.Connection, form_id: int) -> None:
    conn.execute(PUBLIC_FORM_HIT.delete().where(PUBLIC_FORM_HIT.c.form_id == form_id))
    conn.execute(PUBLIC_FORM.delete().where(PUBLIC_FORM.c.id == form_id))


# --- rate limit ----------------------------------------------------------------------------
def client_key(secret: str, address: str | None) -> str:
    """A keyed hash of the visitor's address (the raw address is never stored)."""
    return hmac.new(secret.encode(), (address or "-").encode(), hashlib.sha256).hexdigest()


def recent_submissions(conn: sa.Connection, form_id: int, client: str, now: datetime) -> int:
    return int(
        conn.execute(
            sa.select(sa.func.count())
            .select_from(PUBLIC_FORM_HIT)
            .where(
                PUBLIC_FORM_HIT.c.form_id == form_id,
                PUBLIC_FORM_HIT.c.client == client,
                PUBLIC_FORM_HIT.c.at > now - RATE_WINDOW,
            )
        ).scalar_one()
    )


def record_submission(conn: sa.Connection, form_id: int, client: str, now: datetime,
                      *, created: bool) -> None:  # fmt: skip
    """Log one submission and forget those older than the window (they no longer count)."""
    conn.execute(
        PUBLIC_FORM_HIT.delete().where(
            PUBLIC_FORM_HIT.c.form_id == form_id, PUBLIC_FORM_HIT.c.at <= now - RATE_WINDOW
        )
    )
    conn.execute(
        PUBLIC_FORM_HIT.insert().values(form_id=form_id, client=client, at=now, created=created)
    )


def submission_counts(conn: sa.Connection, now: datetime) -> dict[int, int]:
    """Leads created per form within the rate window (shown on the admin list)."""
    rows = conn.execute(
        sa.select(PUBLIC_FORM_HIT.c.form_id, sa.func.count())
        .where(PUBLIC_FORM_HIT.c.created.is_(True), PUBLIC_FORM_HIT.c.at > now - RATE_WINDOW)
        .group_by(PUBLIC_FORM_HIT.c.form_id)
    )
    return {int(form_id): int(count) for form_id, count in rows}


# --- the actor --------------------------------------------------------------------------
def form_actor(conn: sa.Connection, app_key: str, locale: str) -> Actor:
    """The dedicated, sign-in-less user public submissions are made as (created once).

    It is an inactive account (nobody can sign in as it or pick it as an assignee); the
    actor is unrestricted because the visitor only ever sends the fields the
    administrator put on the form, plus the fixed values."""
    user_id = conn.execute(
        sa.select(org.USER.c.id).where(org.USER.c.username == FORM_USERNAME)
    ).scalar()
    if user_id is None:
        user_id = org.create_user(conn, FORM_USERNAME, FORM_USER_NAME, locale=locale)
        org.deactivate_user(conn, user_id)
    return Actor(
        user_id=int(user_id),
        is_admin=True,
        locale=locale,
        channel="ui",
        display_name=FORM_USER_NAME,
    )
