"""Comments on records: sanitised bodies, @mentions, small attachments kept in the
database, and the notifications a comment sends (mentioned users; followers)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import nh3
import sqlalchemy as sa
from markupsafe import Markup, escape

from runtime import org
from runtime.db import read_transaction, write_transaction
from runtime.web.views._collab_notify import follow, followers, notify
from runtime.web.views._collab_store import COMMENT, COMMENT_FILE, MAX_ATTACHMENT_BYTES, now

MAX_BODY = 10_000
MAX_FILES = 5
ALLOWED_TAGS = {"a", "b", "br", "code", "em", "i", "li", "ol", "p", "span", "strong", "ul"}
ALLOWED_ATTRIBUTES = {"a": {"href"}, "span": {"class", "data-user"}}
# ``@username`` anywhere except inside an e-mail address or a longer ASCII word: Chinese
# writes "请@lin.feng看一下" with no spaces, so CJK may sit on either side. A username is
# ASCII ([A-Za-z0-9_.-]) and does not end on "." or "-" (sentence punctuation).
MENTION = re.compile(r"(?<![A-Za-z0-9_.@\-])@([A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_])?)")


@dataclass(frozen=True)
class Upload:
    name: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Posted:
    """A saved comment and the mentioned users who were not notified because they
    cannot read the record (display names), so the author can be told."""

    comment_id: int
    unseen: list[str] = field(default_factory=list)


class CommentError(ValueError):
    """A comment that cannot be saved; ``code`` is a msgid shown to the user."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def mentioned_users(conn: sa.Connection, text: str) -> dict[str, int]:
    """Active users named ``@username`` in the text: username → id."""
    return {name: user_id for name, (user_id, _shown) in _mentioned(conn, text).items()}


def _mentioned(conn: sa.Connection, text: str) -> dict[str, tuple[int, str]]:
    """Active users named ``@username`` in the text: username → (id, display name)."""
    names = {m.group(1).lower() for m in MENTION.finditer(text)}
    if not names:
        return {}
    user = org.USER
    rows = conn.execute(
        sa.select(user.c.id, user.c.username, user.c.display_name).where(
            sa.func.lower(user.c.username).in_(names), user.c.is_active.is_(True)
        )
    )
    return {r.username.lower(): (int(r.id), r.display_name or r.username) for r in rows}


def render_body(text: str, mentions: dict[str, int]) -> str:
    """Plain comment text → safe HTML: escaped, line breaks kept, known mentions marked."""

    def mark(match: re.Match[str]) -> str:
        name = match.group(1)
        user_id = mentions.get(name.lower())
        if user_id is None:
            return match.group(0)
        return f'<span class="mention" data-user="{user_id}">@{escape(name)}</span>'

    html = MENTION.sub(mark, str(escape(text.strip()))).replace("\n", "<br>")
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES)


def add_comment(
    engine: sa.Engine,
    app_key: str,
    table: str,
    record: dict[str, Any],
    author_id: int,
    text: str,
    uploads: list[Upload],
    may_read: Callable[[int], bool],
) -> Posted:
    """Save a comment and notify: mentioned users get ``mention``, other followers
    ``comment``. The author, the record's owner and its creator follow the record.

    Notifications carry the comment's first words, so only users for whom ``may_read``
    (user id → can they read this record) is true are notified; mentioned users who
    cannot read it are returned in ``Posted.unseen``."""
    if not text.strip() and not uploads:
        raise CommentError("Write a comment or attach a file.")
    if len(text) > MAX_BODY:
        raise CommentError("The comment is too long (at most %(max)d characters).", max=MAX_BODY)
    if len(uploads) > MAX_FILES:
        raise CommentError("At most %(max)d files per comment.", max=MAX_FILES)
    for upload in uploads:
        if len(upload.data) > MAX_ATTACHMENT_BYTES:
            raise CommentError("%(name)s is larger than 5 MB.", name=upload.name)
    record_id = int(record["id"])
    with read_transaction(engine) as conn:
        named = _mentioned(conn, text)
        watching = followers(conn, app_key, table, record_id)
    mentions = {name: user_id for name, (user_id, _shown) in named.items()}
    starters = {record.get("owner_id"), record.get("created_by")} - {None, author_id}
    candidates = (set(mentions.values()) | watching | starters) - {author_id}
    readers = {u for u in candidates if isinstance(u, int) and may_read(u)}
    unseen = sorted(
        shown for user_id, shown in named.values() if user_id not in readers | {author_id}
    )
    with write_transaction(engine) as conn:
        comment_id = conn.execute(
            COMMENT.insert()
            .values(
                app_key=app_key,
                table_key=table,
                record_id=record_id,
                author_id=author_id,
                body=render_body(text, mentions),
                created_at=now(),
                attachments=[],
            )
            .returning(COMMENT.c.id)
        ).scalar_one()
        files = []
        for upload in uploads:
            file_id = conn.execute(
                COMMENT_FILE.insert()
                .values(
                    comment_id=comment_id,
                    name=upload.name[:255],
                    content_type=upload.content_type[:120] or "application/octet-stream",
                    size=len(upload.data),
                    data=upload.data,
                )
                .returning(COMMENT_FILE.c.id)
            ).scalar_one()
            files.append({"id": int(file_id), "name": upload.name[:255], "size": len(upload.data)})
        if files:
            conn.execute(
                COMMENT.update().where(COMMENT.c.id == comment_id).values(attachments=files)
            )
        follow(
            conn,
            app_key,
            table,
            record_id,
            [author_id, record.get("owner_id"), record.get("created_by")],
        )
        excerpt = " ".join(text.split())[:140] or ", ".join(f["name"] for f in files)
        mentioned = set(mentions.values()) & readers
        notify(conn, mentioned, "mention", app_key, table, record_id, author_id, excerpt)
        watchers = (followers(conn, app_key, table, record_id) & readers) - mentioned
        notify(conn, watchers, "comment", app_key, table, record_id, author_id, excerpt)
    return Posted(int(comment_id), unseen)


def comments(engine: sa.Engine, app_key: str, table: str, record_id: int) -> list[dict[str, Any]]:
    """The record's comments, oldest first, with the author's display name and the body
    as Markup (it was sanitised when saved)."""
    user = org.USER
    query = (
        sa.select(COMMENT, user.c.display_name, user.c.username)
        .join(user, user.c.id == COMMENT.c.author_id)
        .where(
            COMMENT.c.app_key == app_key,
            COMMENT.c.table_key == table,
            COMMENT.c.record_id == record_id,
        )
        .order_by(COMMENT.c.id)
    )
    with read_transaction(engine) as conn:
        rows = [dict(r) for r in conn.execute(query).mappings()]
    for row in rows:
        row["body_html"] = Markup(row["body"])
    return rows


def comment_file(engine: sa.Engine, app_key: str, file_id: int) -> dict[str, Any] | None:
    """A file with the table and record of its comment (the caller checks that the user
    may read that record)."""
    query = (
        sa.select(COMMENT_FILE, COMMENT.c.table_key, COMMENT.c.record_id)
        .join(COMMENT, COMMENT.c.id == COMMENT_FILE.c.comment_id)
        .where(COMMENT_FILE.c.id == file_id, COMMENT.c.app_key == app_key)
    )
    with read_transaction(engine) as conn:
        row = conn.execute(query).mappings().first()
    return dict(row) if row else None
