"""The record list of a table (``/t/<table>``): columns, sort, quick search, visual
filter, saved views, keyset pages, bulk edit and delete, and export of the current view to
CSV or XLSX. The record count and the totals of numeric columns cover the whole filtered
set, so they come after the page from ``/t/<table>/summary`` (see ``_list_summary``).

Every read and write goes through the record service with the signed-in actor, so row
scope, hidden and masked fields, validation and audit are the service's. The page state
lives in the query string (see ``_list_state``) so any view can be bookmarked or shared.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any
from urllib.parse import quote

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)

from runtime.records import PermissionDenied, QueryError
from runtime.web.auth import login_required
from runtime.web.context import actor, can, service, table_spec
from runtime.web.i18n import current_locale, t
from runtime.web.i18n import gettext as _
from runtime.web.views import _list_saved as saved
from runtime.web.views._list_bulk import (
    bulk_delete,
    bulk_field_choices,
    bulk_update,
    editable_columns,
    parse_ids,
)
from runtime.web.views._list_display import (
    References,
    badge_class,
    cell,
)
from runtime.web.views._list_export import EXCEL_MAX_ROWS, csv_stream, export_rows, xlsx_file
from runtime.web.views._list_filters import (
    builder_rules,
    chosen_titles,
    field_options,
    filter_fields,
)
from runtime.web.views._list_page import (
    first_page,
    list_context,
    picker_search,
    record_links,
    record_url,
)
from runtime.web.views._list_state import PAGE_SIZES
from runtime.web.views._list_summary import Summary, measures_of, summarize

blueprint = Blueprint("records", __name__)


@blueprint.route("/t/<table>")
@login_required
def list_view(table: str) -> Any:
    ctx = list_context(table)
    state, locale, svc, who = ctx.state, current_locale(), service(), actor()
    engine, app_key = svc.engine, svc.tables.app.key
    if request.args.get("use", "").isdigit():
        try:
            view = saved.get_view(engine, app_key, table, int(request.args["use"]), who)
        except saved.ViewNotFound:
            abort(404)
        return redirect(ctx.url(**view.spec, view=str(view.id)))
    page, where, problems = first_page(ctx, locale)
    problem = " ".join(problems) or None
    refs = References(svc, who, locale)
    refs.load(ctx.shown, page.rows)
    timezone = svc.tables.app.settings.get("timezone", "Asia/Shanghai")
    link = record_links(table)
    rows = [
        {
            "id": row["id"],
            "url": link(row["id"]),
            "cells": [cell(c, row, refs, locale, timezone) for c in ctx.shown],
        }
        for row in page.rows
    ]
    summary = None
    if not rows and not state.after:
        summary = Summary(0)
    elif request.args.get("summary") == "1":
        summary = summarize(svc, who, table, ctx.shown, where, state.search)
    search_url = picker_search(table)
    columns = ctx.columns
    choices: dict[str, Any] = {}  # user and department lists, loaded once for the page
    fields = filter_fields(columns, svc, who, table, locale, search_url, choices)
    rules = builder_rules(state.filter)
    views = saved.visible_views(engine, app_key, table, who)
    current_view = next((v for v in views if v.id == state.view), None)
    return render_template(
        "records/list.html",
        table=table,
        spec=table_spec(table),
        ctx=ctx,
        state=state,
        rows=rows,
        summary=summary,
        has_totals=bool(rows) and bool(measures_of(ctx.shown)),
        summary_url=url_for("records.summary", table=table, **state.args()),
        summary_page_url=ctx.url(**state.args(), summary="1"),
        next_args=state.next_args(page.next_cursor) if page.next_cursor else None,
        previous_args=state.previous_args(),
        problem=problem,
        views=views,
        current_view=current_view,
        view_changed=current_view is not None and current_view.spec != state.saved_spec(),
        page_sizes=PAGE_SIZES,
        badge_class=badge_class,
        can_update=can(table, "update"),
        can_delete=can(table, "delete"),
        can_export=can(table, "export"),
        can_import=can(table, "import"),
        has_duplicate_rules=bool(table_spec(table).duplicate_rules),
        new_url=url_for("forms.new_record", table=table)
        if "forms.new_record" in current_app.view_functions and can(table, "create")
        else None,
        builder={
            "fields": fields,
            "state": rules,
            "titles": chosen_titles(rules, columns, fields, refs),
            "base": ctx.url(**{k: v for k, v in state.args().items() if k != "filter"}),
        },
        chooser={
            "all": [{"key": k, "label": c.label} for k, c in columns.items()],
            "chosen": list(state.columns),
            "base": ctx.url(**{k: v for k, v in state.args().items() if k != "cols"}),
        },
        bulk_fields=bulk_field_choices(
            editable_columns(columns, svc, table),
            lambda column: field_options(column, svc, who, locale, choices),
            search_url,
        ),
        saved_spec=json.dumps(state.saved_spec(), ensure_ascii=False),
    )


@blueprint.route("/t/<table>/summary")
@login_required
def summary(table: str) -> Any:
    """The view's record count and column totals, over the whole filtered set: an htmx
    fragment the list page loads after it has rendered (a plain request gets the page with
    the summary in it)."""
    ctx = list_context(table)
    state = ctx.state
    if not request.headers.get("HX-Request"):
        return redirect(ctx.url(**state.args(), summary="1"))
    found = summarize(service(), actor(), table, ctx.shown, state.filter, state.search)
    return render_template(
        "records/list_summary.html",
        summary=found,
        shown=ctx.shown,
        has_totals=bool(measures_of(ctx.shown)),
        bulk=can(table, "update") or can(table, "delete"),
    )


# --- bulk actions -------------------------------------------------------------------------


def _back(table: str) -> str:
    target = request.form.get("back", "")
    prefix = url_for("records.list_view", table=table)
    return target if target.startswith(prefix) else prefix


@blueprint.route("/t/<table>/bulk/edit", methods=["POST"])
@login_required
def bulk_edit(table: str) -> Any:
    ctx = list_context(table, {})
    if not can(table, "update"):
        abort(403)
    ids = parse_ids(request.form.getlist("ids"))
    field = request.form.get("field", "")
    allowed = {c.key for c in editable_columns(ctx.columns, service(), table)}
    if not ids or field not in allowed:
        flash(_("Choose the records and a field to change."), "error")
        return redirect(_back(table))
    value: Any = (
        request.form.getlist("value")
        if request.form.get("multi")
        else request.form.get("value", "")
    )
    outcomes = bulk_update(service(), actor(), table, ids, field, value, current_locale())
    return _outcome(table, outcomes, _("Updated %(count)s records.", count=_ok(outcomes)))


@blueprint.route("/t/<table>/bulk/delete", methods=["POST"])
@login_required
def bulk_remove(table: str) -> Any:
    table_spec(table)
    if not can(table, "delete"):
        abort(403)
    ids = parse_ids(request.form.getlist("ids"))
    if not ids:
        flash(_("Choose the records first."), "error")
        return redirect(_back(table))
    outcomes = bulk_delete(service(), actor(), table, ids, current_locale())
    return _outcome(
        table, outcomes, _("Moved %(count)s records to the recycle bin.", count=_ok(outcomes))
    )


def _ok(outcomes: list[Any]) -> int:
    return sum(1 for o in outcomes if o.error is None)


def _outcome(table: str, outcomes: list[Any], summary: str) -> Any:
    failures = [o for o in outcomes if o.error]
    if not failures:
        flash(summary, "success")
        return redirect(_back(table))
    return render_template(
        "records/list_bulk_result.html",
        table=table,
        spec=table_spec(table),
        summary=summary,
        failures=failures,
        back=_back(table),
        record_url=record_url,
    ), 422


# --- saved views --------------------------------------------------------------------------


def _view_name() -> str:
    name = " ".join(request.form.get("name", "").split())[: saved.NAME_MAX]
    return name


@blueprint.route("/t/<table>/views", methods=["POST"])
@login_required
def save_view(table: str) -> Any:
    ctx = list_context(table, _spec_args())
    name = _view_name()
    if not name:
        flash(_("Give the view a name."), "error")
        return redirect(ctx.url(**ctx.state.args()))
    svc = service()
    view_id = saved.create_view(
        svc.engine,
        svc.tables.app.key,
        table,
        actor(),
        name=name,
        shared=request.form.get("shared") == "1",
        spec=ctx.state.saved_spec(),
    )
    flash(_("View “%(name)s” saved.", name=name), "success")
    return redirect(ctx.url(**ctx.state.saved_spec(), view=str(view_id)))


def _spec_args() -> dict[str, str]:
    try:
        spec = json.loads(request.form.get("spec") or "{}")
    except ValueError:
        spec = {}
    return {str(k): str(v) for k, v in spec.items()} if isinstance(spec, dict) else {}


@blueprint.route("/t/<table>/views/<int:view_id>", methods=["POST"])
@login_required
def change_view(table: str, view_id: int) -> Any:
    """Rename, share or unshare, or overwrite with the current state (``overwrite=1``)."""
    ctx = list_context(table, _spec_args())
    svc = service()
    name = _view_name() or None
    shared = None if "shared" not in request.form else "1" in request.form.getlist("shared")
    spec = ctx.state.saved_spec() if request.form.get("overwrite") == "1" else None
    try:
        view = saved.update_view(
            svc.engine,
            svc.tables.app.key,
            table,
            view_id,
            actor(),
            name=name,
            shared=shared,
            spec=spec,
        )
    except saved.ViewNotFound:
        abort(404)
    except saved.ViewForbidden:
        abort(403)
    flash(_("View “%(name)s” saved.", name=view.name), "success")
    return redirect(ctx.url(**view.spec, view=str(view.id)))


@blueprint.route("/t/<table>/views/<int:view_id>/delete", methods=["POST"])
@login_required
def delete_view(table: str, view_id: int) -> Any:
    table_spec(table)
    svc = service()
    try:
        saved.delete_view(svc.engine, svc.tables.app.key, table, view_id, actor())
    except saved.ViewNotFound:
        abort(404)
    except saved.ViewForbidden:
        abort(403)
    flash(_("View deleted."), "success")
    return redirect(url_for("records.list_view", table=table))


# --- export -------------------------------------------------------------------------------


@blueprint.route("/t/<table>/export.<fmt>")
@login_required
def export(table: str, fmt: str) -> Any:
    if fmt not in ("csv", "xlsx"):
        abort(404)
    ctx = list_context(table)
    if not can(table, "export"):
        abort(403)
    svc, who, locale, state = service(), actor(), current_locale(), ctx.state
    try:
        total = svc.count(who, table, state.filter, search=state.search or None)
    except (QueryError, PermissionDenied) as error:
        flash(
            _("The filter could not be applied: %(reason)s", reason=error.message(locale)), "error"
        )
        return redirect(ctx.url(**state.args()))
    if fmt == "xlsx" and total > EXCEL_MAX_ROWS - 1:
        count, most = format(total, ","), format(EXCEL_MAX_ROWS - 1, ",")
        flash(
            _(
                "%(count)s records do not fit in one Excel sheet (at most %(max)s rows). "
                "Narrow the filter or export to CSV.",
                count=count,
                max=most,
            ),
            "error",
        )
        return redirect(ctx.url(**state.args()))
    header = [c.label for c in ctx.shown]
    rows = export_rows(
        svc,
        who,
        table,
        ctx.shown,
        where=state.filter,
        search=state.search or None,
        order_by=state.sort,
        extra_fields=ctx.extra_fields(),
        locale=locale,
    )
    name = f"{t(table_spec(table).label)}-{date.today().isoformat()}.{fmt}"
    if fmt == "xlsx":
        return send_file(
            xlsx_file(t(table_spec(table).label), header, rows),
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            as_attachment=True,
            download_name=name,
        )
    response = Response(stream_with_context(csv_stream(header, rows)), mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{table}.csv\"; filename*=UTF-8''{quote(name)}"
    )
    return response
