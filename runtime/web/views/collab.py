"""Working together on a record: comments with @mentions and attachments, following."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    request,
    send_file,
    url_for,
)

from runtime import org
from runtime.db import read_transaction, write_transaction
from runtime.records import RecordNotFound
from runtime.records.errors import PermissionDenied
from runtime.web.auth import login_required
from runtime.web.context import abort_for, actor, service, table_spec
from runtime.web.i18n import current_locale
from runtime.web.i18n import gettext as _
from runtime.web.views._collab_comments import CommentError, Upload, add_comment, comment_file
from runtime.web.views._collab_notify import follow, unfollow

blueprint = Blueprint("collab", __name__)
MENTION_CHOICES = 8


def _state() -> Any:
    return current_app.extensions["kairos"]


def _readable(table: str, record_id: int) -> dict[str, Any]:
    """The record if the signed-in user may read it, else 404."""
    table_spec(table)
    try:
        return service().get(actor(), table, record_id)
    except (RecordNotFound, PermissionDenied) as error:
        return abort_for(error)  # type: ignore[no-any-return]


def _reader_check(table: str, record_id: int) -> Any:
    """``user id → may that user read the record`` (asked of the record service as that
    user, so row scopes and roles apply exactly as they would for them)."""
    state, svc = _state(), service()

    def may_read(user_id: int) -> bool:
        try:
            with read_transaction(state.engine) as conn:
                reader = org.load_actor(conn, user_id, state.app_key)
            svc.get(reader, table, record_id)
        except (org.UnknownUser, RecordNotFound, PermissionDenied):
            return False
        return True

    return may_read


def _back(table: str, record_id: int, anchor: str = "") -> Any:
    return redirect(url_for("detail.show", table=table, record_id=record_id) + anchor)


@blueprint.route("/t/<table>/<int:record_id>/comments", methods=["POST"])
@login_required
def post_comment(table: str, record_id: int) -> Any:
    record = _readable(table, record_id)
    uploads = [
        Upload(f.filename or "file", f.mimetype or "application/octet-stream", f.read())
        for f in request.files.getlist("files")
        if f and f.filename
    ]
    try:
        posted = add_comment(
            _state().engine,
            _state().app_key,
            table,
            record,
            g.user["id"],
            request.form.get("body", ""),
            uploads,
            _reader_check(table, record_id),
        )
    except CommentError as error:
        flash(_(error.code, **error.params), "error")
        return _back(table, record_id, "#comments")
    flash(_("Comment posted."), "success")
    if posted.unseen:
        separator = "、" if current_locale() == "zh-CN" else ", "
        flash(
            _(
                "Not notified because they cannot see this record: %(names)s",
                names=separator.join(posted.unseen),
            ),
            "warning",
        )
    return _back(table, record_id, "#comments")


@blueprint.route("/t/<table>/<int:record_id>/follow", methods=["POST"])
@login_required
def toggle_follow(table: str, record_id: int) -> Any:
    _readable(table, record_id)
    state = _state()
    with write_transaction(state.engine) as conn:
        if request.form.get("follow") == "0":
            unfollow(conn, state.app_key, table, record_id, g.user["id"])
        else:
            follow(conn, state.app_key, table, record_id, [g.user["id"]])
    return _back(table, record_id)


@blueprint.route("/comment-files/<int:file_id>")
@login_required
def download(file_id: int) -> Any:
    found = comment_file(_state().engine, _state().app_key, file_id)
    if found is None:
        abort(404)
    _readable(found["table_key"], found["record_id"])
    return send_file(
        BytesIO(found["data"]),
        mimetype=found["content_type"],
        as_attachment=True,
        download_name=found["name"],
    )


@blueprint.route("/collab/users")
@login_required
def mention_users() -> Any:
    """Active users for ``@`` autocomplete: ``?q=`` matches username or display name."""
    needle = request.args.get("q", "").strip().lower()[:40]
    user = org.USER
    query = sa.select(user.c.username, user.c.display_name).where(user.c.is_active.is_(True))
    if needle:
        pattern = f"%{needle}%"
        query = query.where(
            sa.or_(
                sa.func.lower(user.c.username).like(pattern),
                sa.func.lower(user.c.display_name).like(pattern),
            )
        )
    with read_transaction(_state().engine) as conn:
        rows = conn.execute(query.order_by(user.c.username).limit(MENTION_CHOICES)).all()
    return jsonify([{"username": r.username, "name": r.display_name} for r in rows])
