"""API tokens in the web UI: ``/me/tokens`` (make one — its secret is shown once —, see
and revoke your own) and ``/admin/tokens`` (administrators see and revoke everyone's)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from runtime.api import tokens
from runtime.db import read_transaction, write_transaction
from runtime.web.auth import admin_required, login_required
from runtime.web.context import actor, service
from runtime.web.i18n import gettext as _
from runtime.web.i18n import lazy_gettext as _l
from runtime.web.i18n import t

blueprint = Blueprint("tokens", __name__)
EXPIRY_DAYS = ("", "30", "90", "365")


class TokenForm(FlaskForm):
    name = StringField(_l("Token name"), validators=[DataRequired(), Length(max=tokens.MAX_NAME)])
    access = SelectField(
        _l("Access"),
        choices=[
            SelectChoice("read", _l("Read only")),
            SelectChoice("write", _l("Read and write")),
        ],
    )
    tables = SelectMultipleField(
        _l("Tables"),
        choices=[],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    expires = SelectField(
        _l("Expires"),
        choices=[
            SelectChoice("", _l("Never")),
            SelectChoice("30", _l("In 30 days")),
            SelectChoice("90", _l("In 90 days")),
            SelectChoice("365", _l("In one year")),
        ],
    )


def _state() -> Any:
    return current_app.extensions["kairos"]


@blueprint.record_once
def _create_table(setup_state: Any) -> None:
    tokens.ensure_token_table(setup_state.app.extensions["kairos"].engine)


def _readable_tables() -> list[tuple[str, str]]:
    """(key, label) of the top-level tables the signed-in user may read."""
    svc, me = service(), actor()
    return [
        (spec.key, t(spec.label))
        for spec in svc.tables.app.tables
        if not spec.parent and svc.access(me, svc.plan(spec.key)).can("read")
    ]


def _formatter() -> Any:
    zone = ZoneInfo(service().app.timezone)

    def when(moment: datetime | None) -> str:
        return "—" if moment is None else moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")

    return when


def _status(token: tokens.TokenInfo, now: datetime) -> str:
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= now:
        return "expired"
    return "active"


def _page(template: str, rows: list[tokens.TokenInfo], **context: Any) -> Any:
    now = datetime.now(UTC)
    labels = dict(_readable_tables())
    for spec in service().tables.app.tables:
        labels.setdefault(spec.key, t(spec.label))
    return render_template(
        template,
        rows=rows,
        status={row.id: _status(row, now) for row in rows},
        table_labels=labels,
        when=_formatter(),
        **context,
    )


@blueprint.route("/me/tokens", methods=["GET", "POST"])
@login_required
def my_tokens() -> Any:
    form = TokenForm()
    readable = _readable_tables()
    form.tables.choices = [SelectChoice(key, label) for key, label in readable]
    secret = None
    if form.validate_on_submit():
        days = form.expires.data or ""
        expires_at = None
        if days in EXPIRY_DAYS and days:
            expires_at = datetime.now(UTC) + timedelta(days=int(days))
        chosen = form.tables.data or [tokens.ALL_TABLES]
        with write_transaction(_state().engine) as conn:
            secret, _info = tokens.create_token(
                conn,
                user_id=g.user["id"],
                app_key=_state().app_key,
                name=form.name.data,
                tables=chosen,
                access=form.access.data,
                known_tables=[key for key, _label in readable],
                expires_at=expires_at,
            )
        form = TokenForm(formdata=None)
        form.tables.choices = [SelectChoice(key, label) for key, label in readable]
    with read_transaction(_state().engine) as conn:
        rows = tokens.list_tokens(conn, user_id=g.user["id"])
    response = current_app.make_response(_page("tokens/index.html", rows, form=form, secret=secret))
    response.headers["Cache-Control"] = "no-store"  # the secret must not be cached
    return response


@blueprint.route("/me/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_mine(token_id: int) -> Any:
    with write_transaction(_state().engine) as conn:
        done = tokens.revoke_token(conn, token_id, user_id=g.user["id"])
    if not done:
        abort(404)
    flash(_("The token was revoked; requests with it are refused from now on."), "success")
    return redirect(url_for("tokens.my_tokens"))


@blueprint.route("/admin/tokens")
@admin_required
def all_tokens() -> Any:
    with read_transaction(_state().engine) as conn:
        rows = tokens.list_tokens(conn)
    return _page("tokens/admin.html", rows)


@blueprint.route("/admin/tokens/<int:token_id>/revoke", methods=["POST"])
@admin_required
def revoke_any(token_id: int) -> Any:
    with write_transaction(_state().engine) as conn:
        done = tokens.revoke_token(conn, token_id)
    if not done:
        abort(404)
    flash(_("The token was revoked; requests with it are refused from now on."), "success")
    return redirect(url_for("tokens.all_tokens"))
