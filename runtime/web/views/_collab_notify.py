"""Followers and notifications, and the consumer that turns the kernel's outbox events
into notifications for the followers of the changed records.

``consume_outbox`` is called at the start of the workspace and notification requests (it
is cheap: one indexed range read past this consumer's cursor). A background job will call
it instead once the job runner exists. The cursor lives in ``kairos_ui_outbox_cursor``
rather than in ``kairos_outbox.processed_at``, which belongs to the webhook dispatcher.

Notification ``text`` by kind: ``mention`` / ``comment`` — the comment's first words;
``changed`` — the changed field keys, comma-separated (labels are looked up when shown, in
the reader's language); ``assigned`` — the user field that now names the reader;
``deleted`` / ``restored`` — empty. Kinds are codes: the words are chosen when shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from runtime import org
from runtime.db import is_postgres, read_transaction, write_transaction
from runtime.records import RecordService
from runtime.storage.system import define_system_tables
from runtime.web.views._collab_store import FOLLOWER, NOTIFICATION, OUTBOX_CURSOR, now

CONSUMER = "ui.notifications"
BATCH = 500
TOPICS = ("record.created", "record.updated", "record.deleted", "record.restored")
OUTBOX = define_system_tables(sa.MetaData())["kairos_outbox"]


# --- followers ----------------------------------------------------------------------
def _record(app_key: str, table: str, record_id: int) -> sa.ColumnElement[bool]:
    return sa.and_(
        FOLLOWER.c.app_key == app_key,
        FOLLOWER.c.table_key == table,
        FOLLOWER.c.record_id == record_id,
    )


def followers(conn: sa.Connection, app_key: str, table: str, record_id: int) -> set[int]:
    rows = conn.execute(sa.select(FOLLOWER.c.user_id).where(_record(app_key, table, record_id)))
    return {int(r.user_id) for r in rows}


def follow(
    conn: sa.Connection, app_key: str, table: str, record_id: int, user_ids: Iterable[int | None]
) -> None:
    """Make the users follow the record (users already following are left alone)."""
    wanted = {u for u in user_ids if u is not None} - followers(conn, app_key, table, record_id)
    if wanted:
        conn.execute(
            FOLLOWER.insert(),
            [
                {
                    "app_key": app_key,
                    "table_key": table,
                    "record_id": record_id,
                    "user_id": u,
                    "created_at": now(),
                }
                for u in sorted(wanted)
            ],
        )


def unfollow(conn: sa.Connection, app_key: str, table: str, record_id: int, user_id: int) -> None:
    conn.execute(
        FOLLOWER.delete().where(_record(app_key, table, record_id), FOLLOWER.c.user_id == user_id)
    )


# --- notifications ------------------------------------------------------------------
def notify(
    conn: sa.Connection,
    user_ids: Iterable[int],
    kind: str,
    app_key: str,
    table: str,
    record_id: int,
    actor_id: int | None,
    text: str,
) -> None:
    """One notification per user; nobody is notified of their own action."""
    targets = sorted({u for u in user_ids if u is not None and u != actor_id})
    if targets:
        conn.execute(
            NOTIFICATION.insert(),
            [
                {
                    "user_id": u,
                    "app_key": app_key,
                    "kind": kind,
                    "table_key": table,
                    "record_id": record_id,
                    "actor_id": actor_id,
                    "text": text[:500],
                    "created_at": now(),
                    "read_at": None,
                }
                for u in targets
            ],
        )


def unread_count(engine: sa.Engine, app_key: str, user_id: int) -> int:
    with read_transaction(engine) as conn:
        return int(
            conn.execute(
                sa.select(sa.func.count())
                .select_from(NOTIFICATION)
                .where(
                    NOTIFICATION.c.user_id == user_id,
                    NOTIFICATION.c.app_key == app_key,
                    NOTIFICATION.c.read_at.is_(None),
                )
            ).scalar_one()
        )


def inbox(
    engine: sa.Engine, app_key: str, user_id: int, *, unread_only: bool = False, limit: int = 50
) -> list[dict[str, Any]]:
    """The user's notifications, newest first."""
    query = (
        sa.select(NOTIFICATION)
        .where(NOTIFICATION.c.user_id == user_id, NOTIFICATION.c.app_key == app_key)
        .order_by(NOTIFICATION.c.id.desc())
        .limit(limit)
    )
    if unread_only:
        query = query.where(NOTIFICATION.c.read_at.is_(None))
    with read_transaction(engine) as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def mark_read(
    engine: sa.Engine, app_key: str, user_id: int, ids: Iterable[int] | None = None
) -> None:
    """Mark the given notifications (all when ``ids`` is None) of the user read."""
    statement = NOTIFICATION.update().where(
        NOTIFICATION.c.user_id == user_id,
        NOTIFICATION.c.app_key == app_key,
        NOTIFICATION.c.read_at.is_(None),
    )
    if ids is not None:
        statement = statement.where(NOTIFICATION.c.id.in_(list(ids)))
    with write_transaction(engine) as conn:
        conn.execute(statement.values(read_at=now()))


# --- outbox consumer ----------------------------------------------------------------
def consume_outbox(engine: sa.Engine, service: RecordService) -> int:
    """Turn outbox events past this consumer's cursor into follower notifications
    (``changed``) and assignment notifications (``assigned``); returns events handled.

    The first run starts at the newest event: data imported before notifications
    existed notifies nobody."""
    app_key = service.tables.app.key
    with write_transaction(engine) as conn:
        cursor = _lock_cursor(conn)
        if cursor is None:
            latest = conn.execute(sa.select(sa.func.max(OUTBOX.c.id))).scalar() or 0
            conn.execute(OUTBOX_CURSOR.insert().values(consumer=CONSUMER, last_event_id=latest))
            return 0
        events = conn.execute(
            sa.select(OUTBOX.c.id, OUTBOX.c.app_key, OUTBOX.c.topic, OUTBOX.c.payload)
            .where(OUTBOX.c.id > cursor)
            .order_by(OUTBOX.c.id)
            .limit(BATCH)
        ).all()
        for event in events:
            if event.app_key == app_key and event.topic in TOPICS:
                _handle(conn, service, event.payload)
        if events:
            conn.execute(
                OUTBOX_CURSOR.update()
                .where(OUTBOX_CURSOR.c.consumer == CONSUMER)
                .values(last_event_id=events[-1].id)
            )
        return len(events)


def _lock_cursor(conn: sa.Connection) -> int | None:
    query = sa.select(OUTBOX_CURSOR.c.last_event_id).where(OUTBOX_CURSOR.c.consumer == CONSUMER)
    if is_postgres(conn):
        query = query.with_for_update()  # two requests never hand out the same events
    value = conn.execute(query).scalar()
    return None if value is None else int(value)


def _handle(conn: sa.Connection, service: RecordService, payload: dict[str, Any]) -> None:
    app = service.tables.app
    table, record_id = payload.get("table"), payload.get("id")
    if not app.has_table(str(table)) or not isinstance(record_id, int):
        return
    spec = app.table(str(table))
    actor_id = payload.get("actor_id")
    topic = payload.get("event")
    record = payload.get("record") or {}
    changed = list((payload.get("changes") or {}).keys()) if topic == "record.updated" else []
    watchers = followers(conn, app.key, spec.key, record_id)
    assigned: dict[int, str] = {}
    user_fields = [f.key for f in spec.fields if f.type == "user"] + ["owner_id"]
    for key in user_fields:
        if topic == "record.created" or key in changed:
            target = record.get(key)
            if isinstance(target, int) and target != actor_id:
                assigned.setdefault(target, key)
    for user_id, key in assigned.items():
        if _may_see(conn, service, user_id, spec.key, key):
            notify(conn, [user_id], "assigned", app.key, spec.key, record_id, actor_id, key)
    if topic == "record.created":
        return
    for user_id in watchers - set(assigned):
        keys = [k for k in changed if _may_see(conn, service, user_id, spec.key, k)]
        if topic == "record.updated" and not keys:
            continue
        if topic == "record.updated":
            notify(
                conn, [user_id], "changed", app.key, spec.key, record_id, actor_id, ",".join(keys)
            )
        else:  # "deleted" / "restored": the kind says it all, worded when shown
            kind = str(topic).removeprefix("record.")
            notify(conn, [user_id], kind, app.key, spec.key, record_id, actor_id, "")


def _may_see(
    conn: sa.Connection, service: RecordService, user_id: int, table: str, key: str
) -> bool:
    """Whether the user's roles let them read the table and see the field (a follower
    must not learn that a hidden field changed)."""
    try:
        reader = org.load_actor(conn, user_id, service.tables.app.key)
    except org.UnknownUser:
        return False
    access = service.access(reader, service.plan(table))
    if not access.can("read"):
        return False
    return key == "owner_id" or key not in service.plan(table).fields or access.visible(key)
