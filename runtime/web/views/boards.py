"""Kanban and calendar views of any table (blueprint ``boards``).

``/t/<table>/kanban?by=<field>&sum=<field>``: columns per option of a single_select or per
record of a small related table (opportunities by stage), with count and amount totals;
dragging a card updates the grouping field through the record service, and a validation
error (lost reason required) comes back as a dialog asking for the fields it names.

``/t/<table>/calendar?field=<date field>&view=month|week&date=YYYY-MM-DD``: records on a
month or week grid; dragging an event to another day reschedules it.

The JSON endpoints under ``/t/<table>/_board/`` (blueprint ``boards.board_api``) answer the
scripts: 200 with the updated card, 422 with field errors and inputs, 409 on a conflict,
404/403 out of scope, 400 on a malformed request — always a JSON body ``{"code",
"message"}``, never an HTML error page the script could not read."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Blueprint, abort, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from form_engine.fields.date_time import field_zone
from runtime.records import (
    PermissionDenied,
    RecordConflict,
    RecordNotFound,
    RecordValidationError,
)
from runtime.records.errors import QueryError
from runtime.web.auth import login_required
from runtime.web.context import actor, service, table_spec
from runtime.web.i18n import gettext
from runtime.web.views import _boards_calendar as cal
from runtime.web.views import _boards_kanban as kb
from runtime.web.views._boards_common import editable, error_body, list_url, money
from schemas.spec import FieldSpec, TableSpec

blueprint = Blueprint("boards", __name__)
api = Blueprint("board_api", __name__)
"""The JSON endpoints; nested so that its error handlers answer in JSON (the pages keep
the app's HTML error pages)."""
SERVICE_ERRORS = (
    RecordValidationError,
    RecordConflict,
    RecordNotFound,
    PermissionDenied,
    QueryError,
)


def _choose(
    candidates: list[FieldSpec], key: str | None, default: FieldSpec | None
) -> FieldSpec | None:
    if key:
        chosen = next((f for f in candidates if f.key == key), None)
        if chosen is None:
            abort(404)
        return chosen
    return default


def _group_field(spec: TableSpec, key: str | None) -> FieldSpec:
    candidates = kb.group_fields(spec)
    by = _choose(candidates, key, kb.default_group(spec, candidates))
    if by is None:
        abort(404, description=gettext("This table has no field to group a board by."))
    return by


def _payload() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400)
    return body


# --- kanban -------------------------------------------------------------------------------


@blueprint.get("/t/<table>/kanban")
@login_required
def kanban(table: str) -> Any:
    spec = table_spec(table)
    by = _group_field(spec, request.args.get("by"))
    sums = kb.sum_fields(spec)
    sum_field = _choose(sums, request.args.get("sum"), sums[0] if sums else None)
    board = kb.build_board(spec, by, sum_field)
    return render_template("boards/kanban.html", board=board, table=table, list_url=list_url(table))


@blueprint.get("/t/<table>/_board/cards")
@login_required
def more_cards(table: str) -> Any:
    """The next page of a column's cards (htmx swaps them in for the "more" button)."""
    spec = table_spec(table)
    by = _group_field(spec, request.args.get("by"))
    value = request.args.get("value", "")
    try:
        cards, cursor = kb.column_cards(spec, by, value, after=request.args.get("after"))
    except (ValueError, QueryError):
        abort(400)
    return render_template(
        "boards/_cards.html",
        cards=cards,
        next_cursor=cursor,
        table=table,
        by=by,
        value=value,
        draggable=editable(table, by),
    )


@api.post("/t/<table>/_board/move")
@login_required
def move_card(table: str) -> Any:
    """Put a card in another column: ``{"id", "by", "value", "row_version", "values"}``;
    ``values`` are the extra fields the dialog asked for (raw form strings)."""
    spec = table_spec(table)
    body = _payload()
    by = _group_field(spec, str(body.get("by") or ""))
    if not editable(table, by):
        return jsonify(
            {"code": "forbidden", "message": gettext("You may not change this field.")}
        ), 403
    try:
        record_id = int(body["id"])
        value = kb.parse_group_value(by, str(body.get("value", "")))
    except (KeyError, TypeError, ValueError):
        abort(400)
    extra = body.get("values") or {}
    if not isinstance(extra, dict):
        abort(400)
    changes = {**{str(k): v for k, v in extra.items()}, by.key: value}
    try:
        record = service().update(
            actor(), table, record_id, changes, row_version=body.get("row_version")
        )
    except SERVICE_ERRORS as error:
        failure, status = error_body(error, table)
        if status == 409:
            failure["card"] = _card_html(spec, by, record_id)
        return jsonify(failure), status
    sums = kb.sum_fields(spec)
    sum_field = next((f for f in sums if f.key == body.get("sum")), sums[0] if sums else None)
    totals = kb.column_totals(spec, by, sum_field)
    return jsonify(
        {
            "ok": True,
            "row_version": record["row_version"],
            "card": _card_html(spec, by, record_id, record),
            "columns": {v: {"count": c, "total": total} for v, (c, total) in totals.items()},
            "zero_total": money(0, kb.currency_of(sum_field)) if sum_field else "",
        }
    )


def _card_html(
    spec: TableSpec, by: FieldSpec, record_id: int, record: dict[str, Any] | None = None
) -> str:
    """The card as it is now (after a move, or reloaded after a conflict)."""
    if record is None:
        try:
            record = service().get(actor(), spec.key, record_id)
        except SERVICE_ERRORS:
            return ""
    return render_template(
        "boards/_card.html", card=kb.cards(spec, [record])[0], draggable=editable(spec.key, by)
    )


# --- calendar -----------------------------------------------------------------------------


@blueprint.get("/t/<table>/calendar")
@login_required
def calendar(table: str) -> Any:
    spec = table_spec(table)
    candidates = cal.date_fields(spec)
    by = _choose(candidates, request.args.get("field"), cal.default_date_field(spec, candidates))
    if by is None:
        abort(404, description=gettext("This table has no date field to show on a calendar."))
    view = request.args.get("view", "month")
    if view not in cal.VIEWS:
        abort(404)
    today = datetime.now(field_zone(by)).date()  # the app's day, not the server's
    anchor, bad_date = today, None
    if request.args.get("date"):
        try:
            anchor = date.fromisoformat(request.args["date"])
        except ValueError:
            bad_date = request.args["date"]  # shown as a warning; the grid shows today
    grid = cal.build_grid(spec, by, view, anchor, today)
    return render_template(
        "boards/calendar.html",
        grid=grid,
        table=table,
        spec=spec,
        by=by,
        fields=candidates,
        draggable=editable(table, by),
        today=today,
        bad_date=bad_date,
        list_url=list_url(table),
        max_events=cal.MAX_EVENTS,
    )


@api.post("/t/<table>/_board/reschedule")
@login_required
def reschedule(table: str) -> Any:
    """Move an event to another day: ``{"id", "field", "date", "row_version"}``."""
    spec = table_spec(table)
    body = _payload()
    candidates = cal.date_fields(spec)
    by = _choose(candidates, str(body.get("field") or ""), None)
    if by is None:
        abort(404)
    if not editable(table, by):
        return jsonify(
            {"code": "forbidden", "message": gettext("You may not change this field.")}
        ), 403
    try:
        record_id = int(body["id"])
        new_day = date.fromisoformat(str(body["date"]))
    except (KeyError, TypeError, ValueError):
        abort(400)
    try:
        current = service().get(actor(), table, record_id, fields=[by.key])
        value = cal.moved_value(by, current.get(by.key), new_day)
        record = service().update(
            actor(), table, record_id, {by.key: value}, row_version=body.get("row_version")
        )
    except SERVICE_ERRORS as error:
        failure, status = error_body(error, table)
        return jsonify(failure), status
    moved = cal.event(spec, by, record)
    return jsonify(
        {
            "ok": True,
            "row_version": record["row_version"],
            "date": moved["day"].isoformat(),
            "time": moved["time"],
            "value": record[by.key],
        }
    )


# --- JSON errors of the endpoints ---------------------------------------------------------


def _json_error(error: HTTPException) -> Any:
    """``{"code", "message"}`` with the status of ``error``: a custom description (already
    localised where it is raised) or a localised text per status."""
    status = error.code or 500
    if isinstance(error, CSRFError):
        code, message = "csrf", gettext("The page expired. Please reload it and try again.")
    elif error.description != type(error).description:
        code, message = _CODES.get(status, "error"), str(error.description)
    else:
        code = _CODES.get(status, "error")
        message = gettext(_MESSAGES.get(status, "The change was not saved."))
    return jsonify({"code": code, "message": message}), status


_CODES = {400: "bad_request", 403: "forbidden", 404: "not_found"}
_MESSAGES = {
    400: "The address or the submitted data is not valid.",
    403: "You are not allowed to see or do this.",
    404: "The page or record does not exist, or you may not see it.",
}
# Per status, so they come before the app's HTML handlers for the same status.
for _status in (400, 401, 403, 404, 413, 415):
    api.register_error_handler(_status, _json_error)
api.register_error_handler(HTTPException, _json_error)
blueprint.register_blueprint(api)
