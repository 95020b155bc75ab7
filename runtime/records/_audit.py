"""The audit trail: one ``kairos_audit`` row per write, with who, when, through which
channel and, per changed field, ``[old, new]`` in the fields' JSON form. Child rows are
summarised on their parent's entry as ``{"added": [ids], "updated": [ids], "removed": [ids]}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from runtime.records.actor import Actor

ACTIONS = ("create", "update", "delete", "restore")


@dataclass(frozen=True)
class AuditEntry:
    """One change of one record, as ``history()`` returns it."""

    id: int
    action: str
    actor_id: int | None
    actor_name: str | None
    channel: str
    at: datetime
    changes: Mapping[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "action": self.action,
            "actor_id": self.actor_id,
            "actor_name": self.actor_name,
            "channel": self.channel,
            "at": self.at.isoformat(),
            "changes": dict(self.changes),
        }


def record_change(
    conn: sa.Connection,
    audit: sa.Table,
    *,
    app_key: str,
    table_key: str,
    record_id: int,
    action: str,
    actor: Actor,
    at: datetime,
    changes: Mapping[str, Any],
) -> None:
    conn.execute(
        audit.insert(),
        audit_row(
            app_key=app_key,
            table_key=table_key,
            record_id=record_id,
            action=action,
            actor=actor,
            at=at,
            changes=changes,
        ),
    )


def audit_row(
    *,
    app_key: str,
    table_key: str,
    record_id: int,
    action: str,
    actor: Actor,
    at: datetime,
    changes: Mapping[str, Any],
) -> dict[str, Any]:
    """The ``kairos_audit`` row of one change (a batch inserts many at once)."""
    return {
        "app_key": app_key,
        "table_key": table_key,
        "record_id": record_id,
        "action": action,
        "actor_id": actor.user_id,
        "channel": actor.channel,
        "at": at,
        "changes": dict(changes),
    }


def read_history(
    conn: sa.Connection,
    audit: sa.Table,
    users: sa.Table,
    app_key: str,
    table_key: str,
    record_id: int,
) -> list[AuditEntry]:
    """Every entry of one record, oldest first, with the actor's display name."""
    rows = conn.execute(
        sa.select(audit, users.c.display_name)
        .select_from(audit.outerjoin(users, users.c.id == audit.c.actor_id))
        .where(
            audit.c.app_key == app_key,
            audit.c.table_key == table_key,
            audit.c.record_id == record_id,
        )
        .order_by(audit.c.id)
    ).mappings()
    return [
        AuditEntry(
            id=int(r["id"]),
            action=r["action"],
            actor_id=r["actor_id"],
            actor_name=r["display_name"],
            channel=r["channel"],
            at=r["at"],
            changes=r["changes"] or {},
        )
        for r in rows
    ]
