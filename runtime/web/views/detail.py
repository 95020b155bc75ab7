"""The record detail page (fields by form layout, related lists, timeline, history,
comments, quick actions), soft delete and restore, and the recycle bin."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)

from runtime.records import RecordNotFound, RecordValidationError
from runtime.records._validate import holds
from runtime.records.errors import PermissionDenied, RecordConflict
from runtime.web.auth import login_required
from runtime.web.context import abort_for, actor, can, service, table_spec
from runtime.web.i18n import current_locale, t
from runtime.web.i18n import gettext as _
from runtime.web.views import _collab_activity as activity
from runtime.web.views._collab_comments import comments
from runtime.web.views._collab_display import Displayer
from runtime.web.views._collab_notify import followers
from runtime.web.views._collab_related import child_rows, related_lists
from runtime.web.views._collab_store import ensure_collab_tables
from schemas.spec import TableSpec

blueprint = Blueprint("detail", __name__)
TRASH_PAGE = 50


@blueprint.record_once
def _create_tables(state: Any) -> None:
    ensure_collab_tables(state.app.extensions["kairos"].engine)


@blueprint.app_template_filter("detail_time")
def detail_time(value: Any, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored UTC instant in the app's timezone (as field values are shown)."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    zone = ZoneInfo(str(service().tables.app.settings.get("timezone", "Asia/Shanghai")))
    return value.astimezone(zone).strftime(fmt)


def endpoint_url(endpoint: str, **values: Any) -> str | None:
    """A link into another area, or None while that area is not installed."""
    return url_for(endpoint, **values) if endpoint in current_app.view_functions else None


def layout(spec: TableSpec, record: dict[str, Any], display: Displayer) -> list[dict[str, Any]]:
    """Tabs → sections → (field, shown value) of the fields the actor may see; fields the
    form leaves out land in a last section; sections whose visible_when fails vanish."""
    svc = service()
    plan = svc.plan(spec.key)
    context = svc.context(actor())
    placed: set[str] = set()
    tabs = []
    for tab in (spec.form or {}).get("tabs", ()):
        sections = []
        for section in tab.get("sections", ()):
            placed.update(section.get("fields", ()))
            if section.get("visible_when") and not holds(
                section["visible_when"], record, plan, context
            ):
                continue
            fields = [_entry(spec, key, record, display) for key in section.get("fields", ())]
            fields = [f for f in fields if f]
            if fields:
                sections.append(
                    {
                        "label": section.get("label"),
                        "columns": section.get("columns", 2),
                        "fields": fields,
                    }
                )
        if sections:
            tabs.append({"key": tab.get("key"), "label": tab.get("label"), "sections": sections})
    rest = [_entry(spec, f.key, record, display) for f in spec.fields if f.key not in placed]
    rest = [f for f in rest if f]
    if rest:
        section = {"label": None, "columns": 2, "fields": rest}
        if tabs:
            tabs[-1]["sections"].append(section)
        else:
            tabs.append({"key": "main", "label": spec.label, "sections": [section]})
    return tabs


def _entry(
    spec: TableSpec, key: str, record: dict[str, Any], display: Displayer
) -> dict[str, Any] | None:
    if not spec.has_field(key) or key not in record:
        return None  # hidden for this actor
    field = spec.field(key)
    if field.hidden:
        return None
    if field.visible_when and not holds(
        field.visible_when, record, service().plan(spec.key), service().context(actor())
    ):
        return None
    if field.type == "child_table":
        columns, rows = child_rows(service(), actor(), display, spec, field, record)
        return {"spec": field, "child": {"columns": columns, "rows": rows}}
    return {"spec": field, "shown": display.value(spec, field, record)}


@blueprint.route("/t/<table>/<int:record_id>")
@login_required
def show(table: str, record_id: int) -> Any:
    spec = table_spec(table)
    svc, me = service(), actor()
    try:
        record = svc.get(me, table, record_id)
    except (RecordNotFound, PermissionDenied) as error:
        return abort_for(error)
    display = Displayer(svc, me, current_locale())
    display.prepare(spec, [record])
    state = current_app.extensions["kairos"]
    notes = comments(state.engine, state.app_key, table, record_id)
    changes = activity.history(svc, me, display, spec, record_id)
    with state.engine.connect() as conn:
        watching = g.user["id"] in followers(conn, state.app_key, table, record_id)
    return render_template(
        "detail/show.html",
        spec=spec,
        record=record,
        title=display.title_of(spec, record),
        tabs=layout(spec, record, display),
        key_facts=_key_facts(spec, record, display),
        related=related_lists(svc, me, display, table, record_id),
        timeline=activity.timeline(svc, me, display, spec, record_id, notes, changes),
        history=changes,
        comments=notes,
        following=watching,
        owner=display.user_name(record.get("owner_id")),
        edit_url=endpoint_url("forms.edit_record", table=table, record_id=record_id)
        if can(table, "update")
        else None,
        list_url=endpoint_url("records.list_view", table=table),
        can_delete=can(table, "delete"),
        **_quick_context(spec),
    )


def _key_facts(spec: TableSpec, record: dict[str, Any], display: Displayer) -> list[dict[str, Any]]:
    """Up to four short facts for the header: select, money, relation, date fields of the
    first form section, in that order of appearance."""
    wanted = ("single_select", "money", "relation", "date", "lookup", "user", "auto_number")
    facts = []
    for tab in (spec.form or {}).get("tabs", ())[:1]:
        for section in tab.get("sections", ()):
            for key in section.get("fields", ()):
                if key == spec.title_field or key not in record or not spec.has_field(key):
                    continue
                field = spec.field(key)
                shown = display.value(spec, field, record)
                if field.type in wanted and shown.text:
                    facts.append({"spec": field, "shown": shown})
                if len(facts) == 4:
                    return facts
    return facts


def _choices(source: str, key: str) -> list[tuple[str, str]]:
    """(option key, label) of a select field of a quick-action table, for its modal."""
    app = service().tables.app
    if not app.has_table(source) or not app.table(source).has_field(key):
        return []
    options = app.table(source).field(key).config.get("options", ())
    return [(o["key"], t(o["label"])) for o in options]


def _quick_context(spec: TableSpec) -> dict[str, Any]:
    return {
        "quick": _quick_actions(spec),
        "follow_up_types": _choices("follow_up", "type"),
        "task_priorities": _choices("task", "priority"),
    }


def _quick_actions(spec: TableSpec) -> list[str]:
    app = service().tables.app
    return [
        source
        for source in activity.QUICK_TABLES
        if app.has_table(source)
        and source != spec.key
        and activity.relation_to(service(), source, spec.key)
        and can(source, "create")
    ]


@blueprint.route("/t/<table>/<int:record_id>/quick/<source>", methods=["POST"])
@login_required
def quick_create(table: str, record_id: int, source: str) -> Any:
    """Log a follow-up or add a task linked to the record (the modal forms)."""
    spec = table_spec(table)
    if source not in _quick_actions(spec):
        abort(404)
    svc, me = service(), actor()
    try:
        record = svc.get(me, table, record_id)
    except (RecordNotFound, PermissionDenied) as error:
        return abort_for(error)
    links = activity.quick_links(svc, spec, record, source)
    form = request.form.to_dict()
    if source == "follow_up":
        values = activity.follow_up_values(form, links)
    else:
        values = activity.task_values(form, links, me.user_id)
    target = url_for("detail.show", table=table, record_id=record_id)
    try:
        svc.create(me, source, values)
    except RecordValidationError as error:
        errors = error.by_field(current_locale())
        if request.headers.get("HX-Request"):
            # 200, not 422: htmx 2 does not swap error responses into the modal.
            return render_template(
                f"detail/_quick_{source}.html",
                spec=spec,
                record=record,
                errors=errors,
                form=form,
                **_quick_context(spec),
            )
        for messages in errors.values():
            for message in messages if isinstance(messages, list) else [messages]:
                flash(message, "error")
        return redirect(target)
    except PermissionDenied as error:
        return abort_for(error)
    flash(_("Follow-up logged.") if source == "follow_up" else _("Task added."), "success")
    if request.headers.get("HX-Request"):
        response = make_response("", 204)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target)


@blueprint.route("/t/<table>/<int:record_id>/delete", methods=["POST"])
@login_required
def delete(table: str, record_id: int) -> Any:
    table_spec(table)
    version = request.form.get("row_version", type=int)
    try:
        service().delete(actor(), table, record_id, row_version=version)
    except (RecordNotFound, PermissionDenied) as error:
        return abort_for(error)
    except (RecordConflict, RecordValidationError) as error:
        flash(error.message(current_locale()), "error")
        return redirect(url_for("detail.show", table=table, record_id=record_id))
    flash(_("Moved to the recycle bin."), "success")
    return redirect(
        endpoint_url("records.list_view", table=table) or url_for("detail.trash", table=table)
    )


@blueprint.route("/t/<table>/<int:record_id>/restore", methods=["POST"])
@login_required
def restore(table: str, record_id: int) -> Any:
    table_spec(table)
    try:
        service().restore(actor(), table, record_id)
    except (RecordNotFound, PermissionDenied) as error:
        return abort_for(error)
    except RecordValidationError as error:
        flash(error.message(current_locale()), "error")
        return redirect(url_for("detail.trash", table=table))
    flash(_("Restored."), "success")
    return redirect(url_for("detail.show", table=table, record_id=record_id))


@blueprint.route("/t/<table>/trash")
@login_required
def trash(table: str) -> Any:
    spec = table_spec(table)
    if not can(table, "delete"):
        abort(403)
    svc, me = service(), actor()
    try:
        page = svc.list_deleted(me, table, limit=TRASH_PAGE, after=request.args.get("after"))
    except PermissionDenied as error:
        return abort_for(error)
    display = Displayer(svc, me, current_locale())
    display.prepare(spec, page.rows)
    rows = [
        {
            "id": r["id"],
            "title": display.title_of(spec, r),
            "owner": display.user_name(r.get("owner_id")),
            "deleted_by": display.user_name(r.get("updated_by")),
            "deleted_at": r.get("deleted_at") or r.get("updated_at"),
        }
        for r in page.rows
    ]
    return render_template(
        "detail/trash.html",
        spec=spec,
        rows=rows,
        next_cursor=page.next_cursor,
        list_url=endpoint_url("records.list_view", table=table),
    )
