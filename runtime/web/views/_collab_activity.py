"""The activity timeline of a record, its change history, and the quick actions that log
a follow-up or add a task linked to it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from runtime.records import Actor, RecordService
from runtime.records.errors import PermissionDenied, QueryError
from runtime.web.i18n import gettext as _
from runtime.web.navigation import can_read
from runtime.web.views._collab_display import Displayer, Shown
from schemas.spec import TableSpec, localize

TIMELINE_ROWS = 20
ACTION_ICONS = {
    "create": "bi-plus-circle",
    "update": "bi-pencil",
    "delete": "bi-trash",
    "restore": "bi-arrow-counterclockwise",
}


@dataclass(frozen=True)
class Event:
    at: datetime
    icon: str
    color: str
    title: str
    body: str | None = None
    actor: str | None = None
    href: str | None = None


@dataclass(frozen=True)
class Change:
    label: str
    old: Shown
    new: Shown


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    action: str
    actor: str | None
    channel: str
    changes: tuple[Change, ...]


def relation_to(service: RecordService, source: str, target: str) -> str | None:
    """The first relation field of ``source`` pointing at ``target``."""
    app = service.tables.app
    if not app.has_table(source):
        return None
    for spec in app.table(source).fields:
        if spec.type == "relation" and spec.config.get("target") == target:
            return spec.key
    return None


def _aware(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _linked(
    service: RecordService, actor: Actor, source: str, table: str, record_id: int, order: str
) -> list[dict[str, Any]]:
    via = relation_to(service, source, table)
    if via is None or not can_read(service, actor, source):
        return []
    try:
        return service.query(
            actor,
            source,
            where={"field": via, "op": "eq", "value": record_id},
            order_by=[(order, "desc")],
            limit=TIMELINE_ROWS,
        ).rows
    except (PermissionDenied, QueryError):
        return []


def history(
    service: RecordService, actor: Actor, display: Displayer, table: TableSpec, record_id: int
) -> list[HistoryEntry]:
    """Audit entries newest first, each change as label: old → new display values."""
    entries = service.history(actor, table.key, record_id)
    records = [
        {k: v[i] for k, v in e.changes.items() if isinstance(v, list)}
        for e in entries
        for i in (0, 1)
    ]
    display.prepare(table, records)
    out = []
    for entry in reversed(entries):
        changes = []
        for key, change in entry.changes.items():
            if not table.has_field(key):
                continue
            spec = table.field(key)
            label = localize(spec.label, display.locale)
            if isinstance(change, list):
                old = display.raw(table, spec, change[0], {})
                new = display.raw(table, spec, change[1], {})
            else:  # child rows: {"added": [...], "updated": [...], "removed": [...]}
                counts = {k: len(v) for k, v in change.items() if v}
                old = Shown(None)
                new = Shown(
                    _(
                        "%(added)d added, %(updated)d changed, %(removed)d removed",
                        added=counts.get("added", 0),
                        updated=counts.get("updated", 0),
                        removed=counts.get("removed", 0),
                    )
                )
            changes.append(Change(label, old, new))
        out.append(
            HistoryEntry(
                _aware(entry.at), entry.action, entry.actor_name, entry.channel, tuple(changes)
            )
        )
    return out


def timeline(
    service: RecordService,
    actor: Actor,
    display: Displayer,
    table: TableSpec,
    record_id: int,
    comments: list[dict[str, Any]],
    changes: list[HistoryEntry],
) -> list[Event]:
    """Follow-ups, stage changes, comments and audit entries, newest first."""
    app = service.tables.app
    events: list[Event] = []
    for row in _linked(service, actor, "follow_up", table.key, record_id, "occurred_at"):
        spec = app.table("follow_up")
        kind = display.value(spec, spec.field("type"), row).text if spec.has_field("type") else None
        events.append(
            Event(
                _aware(row.get("occurred_at") or row["created_at"]),
                "bi-telephone",
                "green",
                f"{kind} · {row.get('subject') or ''}" if kind else str(row.get("subject")),
                row.get("content"),
                display.user_name(row.get("owner_id")),
            )
        )
    stage_rows = _linked(service, actor, "stage_history", table.key, record_id, "entered_at")
    if stage_rows:
        spec = app.table("stage_history")
        display.prepare(spec, stage_rows)
        for row in stage_rows:
            old = display.value(spec, spec.field("from_stage"), row).text or "—"
            new = display.value(spec, spec.field("to_stage"), row).text
            events.append(
                Event(
                    _aware(row.get("entered_at") or row["created_at"]),
                    "bi-signpost-split",
                    "purple",
                    _("Stage: %(old)s → %(new)s", old=old, new=new),
                    row.get("note"),
                    display.user_name(row.get("changed_by")),
                )
            )
    for comment in comments:
        events.append(
            Event(
                _aware(comment["created_at"]),
                "bi-chat-left-text",
                "azure",
                _("Comment"),
                comment["body_html"],
                comment["display_name"],
            )
        )
    for entry in changes:
        labels = ", ".join(c.label for c in entry.changes[:4])
        title = {
            "create": _("Created"),
            "update": _("Changed: %(fields)s", fields=labels),
            "delete": _("Moved to the recycle bin"),
            "restore": _("Restored"),
        }.get(entry.action, entry.action)
        events.append(
            Event(
                entry.at,
                ACTION_ICONS.get(entry.action, "bi-pencil"),
                "secondary",
                title,
                None,
                entry.actor,
            )
        )
    events.sort(key=lambda e: e.at, reverse=True)
    return events


# --- quick actions -------------------------------------------------------------------
QUICK_TABLES = {"follow_up": "log_follow_up", "task": "add_task"}


def quick_links(
    service: RecordService, table: TableSpec, record: dict[str, Any], source: str
) -> dict[str, Any]:
    """Relation values a new ``source`` record gets from the shown record: the link to
    it, and the same customer (etc.) when both tables point at it."""
    values: dict[str, Any] = {}
    via = relation_to(service, source, table.key)
    if via is None:
        return values
    values[via] = record["id"]
    for spec in service.tables.app.table(source).fields:
        if spec.type != "relation" or spec.key in values:
            continue
        for mine in table.fields:
            if mine.type == "relation" and mine.config.get("target") == spec.config.get("target"):
                if record.get(mine.key):
                    values[spec.key] = record[mine.key]
                break
    return values


def follow_up_values(form: dict[str, str], links: dict[str, Any]) -> dict[str, Any]:
    values = {k: form.get(k, "") for k in ("subject", "type", "content", "next_follow_up_date")}
    values["occurred_at"] = form.get("occurred_at") or datetime.now(UTC).isoformat()
    return {**values, **links}


def task_values(form: dict[str, str], links: dict[str, Any], me: int) -> dict[str, Any]:
    values = {k: form.get(k, "") for k in ("title", "priority", "due_date", "description")}
    values["assignee"] = form.get("assignee") or me
    values["due_date"] = values["due_date"] or (date.today() + timedelta(days=1)).isoformat()
    return {**values, **links}
