"""Sign in, sign out, change password, switch language; the signed-in user on every request."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from runtime import org
from runtime.accounts import check_password, recent_failures, record_attempt, set_password
from runtime.db import read_transaction, write_transaction
from runtime.records import Actor
from runtime.web.i18n import gettext as _
from runtime.web.i18n import lazy_gettext as _l
from schemas.spec import LOCALES

blueprint = Blueprint("auth", __name__)
F = TypeVar("F", bound=Callable[..., Any])


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    new = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=8, message=_l("At least 8 characters"))],
    )
    repeat = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new", message=_l("The passwords differ"))],
    )


def state():  # type: ignore[no-untyped-def]
    return current_app.extensions["kairos"]


@blueprint.before_app_request
def load_user() -> None:
    g.user = None
    g.actor = None
    user_id = session.get("user_id")
    if user_id is None:
        return
    with read_transaction(state().engine) as conn:
        try:
            g.actor = org.load_actor(conn, int(user_id), state().app_key, channel="ui")
        except org.UnknownUser:
            session.clear()
            return
        g.user = org.get_user(conn, int(user_id))


def login_required(view: F) -> F:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if g.get("actor") is None:
            return redirect(url_for("auth.login", next=request.full_path))
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def admin_required(view: F) -> F:
    @wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        actor: Actor = g.actor
        if not actor.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def _safe_next(target: str | None) -> str:
    # Only same-site paths: an open redirect after login is a phishing aid.
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("home.index")


@blueprint.route("/login", methods=["GET", "POST"])
def login() -> Any:
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        username = form.username.data.strip()
        limit = current_app.config["LOGIN_MAX_FAILURES"]
        minutes = current_app.config["LOGIN_LOCK_MINUTES"]
        with write_transaction(state().engine) as conn:
            if recent_failures(conn, username, minutes=minutes) >= limit:
                error = _(
                    "Too many failed attempts. Try again in %(minutes)d minutes.",
                    minutes=minutes,
                )
                user_id = None
            else:
                user_id = check_password(conn, username, form.password.data)
                record_attempt(conn, username, request.remote_addr, user_id is not None)
        if user_id is not None:
            session.clear()
            session["user_id"] = user_id
            session.permanent = True
            return redirect(_safe_next(request.args.get("next")))
        error = error or _("Wrong username or password.")
    return render_template("auth/login.html", form=form, error=error), 200 if not error else 401


@blueprint.route("/logout", methods=["POST"])
def logout() -> Any:
    session.clear()
    return redirect(url_for("auth.login"))


@blueprint.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> Any:
    form = PasswordForm()
    if form.validate_on_submit():
        with write_transaction(state().engine) as conn:
            if check_password(conn, g.user["username"], form.current.data) is None:
                form.current.errors.append(_("The current password is wrong."))
            else:
                set_password(conn, g.user["id"], form.new.data)
                flash(_("Your password was changed."), "success")
                return redirect(url_for("home.index"))
    return render_template("auth/password.html", form=form)


@blueprint.route("/locale/<code>", methods=["POST"])
def switch_locale(code: str) -> Any:
    """Switch the interface language; remembered on the account when signed in."""
    if code not in LOCALES:
        abort(404)
    session["locale"] = code
    if g.get("user") is not None:
        with write_transaction(state().engine) as conn:
            conn.execute(org.USER.update().where(org.USER.c.id == g.user["id"]).values(locale=code))
    referrer = urlsplit(request.referrer or "").path or None
    return redirect(_safe_next(request.form.get("next") or referrer))
