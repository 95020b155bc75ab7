"""My workspace: my tasks due today or overdue, my open opportunities, and the
notifications inbox (with the unread count the header bell shows)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, current_app, g, redirect, render_template, request, url_for

from runtime.records.errors import PermissionDenied, QueryError
from runtime.web.auth import login_required
from runtime.web.context import actor, service
from runtime.web.i18n import current_locale
from runtime.web.navigation import can_read
from runtime.web.views._collab_display import Displayer
from runtime.web.views._collab_notify import consume_outbox, inbox, mark_read, unread_count
from runtime.web.views._collab_related import display_columns
from runtime.web.views._collab_store import ensure_collab_tables

blueprint = Blueprint("workspace", __name__)
OPEN_TASK = ["not_started", "in_progress"]
CLOSED_STAGE_TYPES = ["won", "lost", "invalid"]
LEGACY_EVENT_TEXT = ("deleted", "restored")


@blueprint.record_once
def _create_tables(state: Any) -> None:
    ensure_collab_tables(state.app.extensions["kairos"].engine)


@blueprint.app_context_processor
def bell() -> dict[str, Any]:
    """``unread_notifications()`` for ``workspace/_bell.html`` in the header."""

    def unread() -> int:
        if g.get("user") is None:
            return 0
        state = current_app.extensions["kairos"]
        return unread_count(state.engine, state.app_key, g.user["id"])

    return {"unread_notifications": unread}


def _state() -> Any:
    return current_app.extensions["kairos"]


def _mine(
    table: str, where: dict[str, Any], order: list[tuple[str, str]], display: Displayer
) -> dict[str, Any] | None:
    svc, me = service(), actor()
    if not svc.tables.app.has_table(table) or not can_read(svc, me, table):
        return None
    spec = svc.tables.app.table(table)
    columns = display_columns(svc, me, spec, limit=5)
    try:
        page = svc.query(
            me,
            table,
            where=where,
            order_by=order,
            limit=50,
            with_count=True,
            fields=[c.key for c in columns],
        )
    except (PermissionDenied, QueryError):
        return None
    display.prepare(spec, page.rows)
    rows = [(r["id"], r, [display.value(spec, c, r) for c in columns]) for r in page.rows]
    return {"spec": spec, "columns": columns, "rows": rows, "total": page.total or 0}


def notification_view(display: Displayer, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Notifications with the record's title and link and, for changes, field labels.
    The template words each kind in the reader's language."""
    app = service().tables.app
    by_table: dict[str, set[int]] = {}
    for row in rows:
        by_table.setdefault(row["table_key"], set()).add(row["record_id"])
    for table, ids in by_table.items():
        display.load_titles(table, ids)
    display.load_users(r["actor_id"] for r in rows)
    out = []
    for row in rows:
        text, kind = row["text"], row["kind"]
        if kind == "changed" and text in LEGACY_EVENT_TEXT:  # stored before kinds existed
            text, kind = "", text
        if kind in ("changed", "assigned") and app.has_table(row["table_key"]):
            spec = app.table(row["table_key"])
            text = ", ".join(display_label(spec, key) for key in text.split(",") if key)
        out.append(
            {
                **row,
                "kind": kind,
                "link": display.record_link(row["table_key"], row["record_id"]),
                "actor": display.user_name(row["actor_id"]),
                "summary": text,
            }
        )
    return out


def display_label(spec: Any, key: str) -> str:
    from runtime.web.i18n import t

    if key == "owner_id":
        return t({"zh-CN": "负责人", "en": "Owner"})
    return t(spec.field(key).label) if spec.has_field(key) else key


@blueprint.route("/me")
@login_required
def index() -> Any:
    state = _state()
    consume_outbox(state.engine, service())
    display = Displayer(service(), actor(), current_locale())
    me = g.user["id"]
    today = date.today().isoformat()
    tasks = _mine(
        "task",
        {
            "all": [
                {"field": "assignee", "op": "eq", "value": me},
                {"field": "status", "op": "in", "value": OPEN_TASK},
                {"field": "due_date", "op": "lte", "value": today},
            ]
        },
        [("due_date", "asc")],
        display,
    )
    deals = _mine(
        "opportunity",
        {
            "all": [
                {"field": "owner_id", "op": "eq", "value": me},
                {"field": "status", "op": "not_in", "value": CLOSED_STAGE_TYPES},
            ]
        },
        [("expected_close_date", "asc")],
        display,
    )
    notes = notification_view(display, inbox(state.engine, state.app_key, me, limit=10))
    return render_template(
        "workspace/index.html",
        tasks=tasks,
        deals=deals,
        notes=notes,
        today=today,
        unread=unread_count(state.engine, state.app_key, me),
    )


@blueprint.route("/me/notifications")
@login_required
def notifications() -> Any:
    state = _state()
    consume_outbox(state.engine, service())
    only_unread = request.args.get("unread") == "1"
    display = Displayer(service(), actor(), current_locale())
    rows = inbox(state.engine, state.app_key, g.user["id"], unread_only=only_unread, limit=200)
    return render_template(
        "workspace/notifications.html",
        notes=notification_view(display, rows),
        only_unread=only_unread,
        unread=unread_count(state.engine, state.app_key, g.user["id"]),
    )


@blueprint.route("/me/notifications/read", methods=["POST"])
@login_required
def read() -> Any:
    """Mark one notification (``id``) or all read; with ``next`` go to the record."""
    state = _state()
    ids = [int(i) for i in request.form.getlist("id") if i.isdigit()] or None
    mark_read(state.engine, state.app_key, g.user["id"], ids)
    target = request.form.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect(url_for("workspace.notifications"))
