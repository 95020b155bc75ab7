"""Public forms (公开表单 / 官网咨询): a form of one table at ``/f/<slug>``, no sign-in.

Visitors fill in the fields the administrator chose; the record is created through the
record service as the dedicated public-form user (``_public_forms_store.form_actor``)
with the form's fixed values (e.g. 线索来源 = 官网咨询), so validation, defaults, owner
assignment, audit and events are those of any other lead. Against abuse: a honeypot
field (filled → silently discarded), a minimum fill time, a per-visitor rate limit per
hour (429 page) and a signed, expiring form token.

Why not the session CSRF token: the page is meant to be embedded in an <iframe> on the
company website, where browsers do not send the SameSite=Lax session cookie, so every
embedded submission would fail. There is no session to protect either; the form token
(signed with the app secret, bound to the form, carrying the time the page was served)
is the CSRF token here — a submission needs a page this server rendered.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import (
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from runtime.db import read_transaction, write_transaction
from runtime.records import RecordValidationError
from runtime.web import forms as web_forms
from runtime.web.forms import values
from runtime.web.i18n import current_locale
from runtime.web.i18n import gettext as _
from runtime.web.views import _public_forms_admin as admin_pages
from runtime.web.views import _public_forms_store as store
from runtime.web.views._public_forms_common import PUBLIC_TYPES, blueprint, state
from schemas.spec import LOCALES

__all__ = ["blueprint"]
_ADMIN_ROUTES = admin_pages  # imported for its routes on the same blueprint

HONEYPOT = "website"
"""Invisible to people (off-screen, not focusable); bots fill every field they find."""
TOKEN_FIELD = "form_token"
TOKEN_MAX_AGE = 24 * 3600
"""A page left open for a day may still be sent; older tokens ask for a resubmit."""


@blueprint.record_once
def _exempt_from_session_csrf(setup: Any) -> None:
    csrf = setup.app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(f"{__name__}.public_form")


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="kairos-public-form")


@blueprint.before_app_request
def _locale_from_query() -> None:
    """``?locale=en`` (e.g. in an embed on the English website) picks the language."""
    if request.blueprint == blueprint.name and request.args.get("locale") in LOCALES:
        session["locale"] = request.args["locale"]


@blueprint.route("/f/<slug>", methods=["GET", "POST"])
def public_form(slug: str) -> Any:
    form, plan, fields = _load(slug)
    shown: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        outcome = _submit(form, plan, fields, shown, errors)
        if outcome is not None:
            return outcome
    else:
        shown = {k: values.display_value(f.type, plan.fields[k].spec.default)
                 for k, f in fields.items() if plan.fields[k].spec.default is not None}  # fmt: skip
    return _page(form, fields, shown, errors), 422 if errors else 200


@blueprint.get("/f/<slug>/thanks")
def thanks(slug: str) -> Any:
    form, _plan, _fields = _load(slug)
    return render_template("public_forms/thanks.html", form=form)


def _load(slug: str) -> tuple[store.PublicForm, Any, dict[str, web_forms.FormField]]:
    """The enabled form, its table's plan and its fields (404 otherwise)."""
    web = state()
    with read_transaction(web.engine) as conn:
        form = store.get_form(conn, web.app_key, slug=slug)
    service = web.service()
    if form is None or not form.enabled or not service.tables.app.has_table(form.table_key):
        abort(404)
    plan = service.plan(form.table_key)
    everything = web_forms.form_fields(plan, {}, creating=True, app=service.app)
    fields = {
        key: everything[key]
        for key in form.fields
        if key in everything and everything[key].editable and everything[key].type in PUBLIC_TYPES
    }
    return form, plan, fields


def _page(form: store.PublicForm, fields: dict[str, Any], shown: dict[str, Any],
          errors: dict[str, list[str]]) -> str:  # fmt: skip
    token = _serializer().dumps({"form": form.id})
    return render_template(
        "public_forms/public.html",
        form=form,
        fields=fields,
        shown=shown,
        errors=errors,
        token=token,
        honeypot=HONEYPOT,
        token_field=TOKEN_FIELD,
    )


def _submit(form: store.PublicForm, plan: Any, fields: dict[str, Any], shown: dict[str, Any],
            errors: dict[str, list[str]]) -> Any:  # fmt: skip
    """Handle a POST: a response when done (thanks, 429), else None with ``errors`` set."""
    web = state()
    now = datetime.now(UTC)
    client = store.client_key(current_app.config["SECRET_KEY"], request.remote_addr)
    with read_transaction(web.engine) as conn:
        if store.recent_submissions(conn, int(form.id or 0), client, now) >= form.rate_limit:
            page = render_template("public_forms/limited.html", form=form)
            return page, 429, {"Retry-After": str(int(store.RATE_WINDOW.total_seconds()))}
    editable = list(fields)
    shown.update(values.draft_values(plan, request.form, editable, {}))
    age = _token_age(form, now)
    if request.form.get(HONEYPOT, "").strip():
        _log(form, client, now, created=False)
        return redirect(url_for(".thanks", slug=form.slug))  # a bot: pretend, keep nothing
    if age is None:
        errors[""] = [_("The form expired. Please submit again.")]
        return None
    if age < form.min_seconds:
        errors[""] = [_("That was quick! Please check your entries and submit again.")]
        return None
    submitted = values.submitted_values(plan, request.form, editable, {})
    submitted.update(form.fixed_values)
    locale = current_locale()
    try:
        with write_transaction(web.engine) as conn:
            actor = store.form_actor(conn, web.app_key, locale)
        web.service().create(actor, form.table_key, submitted)
    except RecordValidationError as error:
        _log(form, client, now, created=False)
        for problem in error.errors:
            key = problem.field if problem.field in fields else ""
            errors.setdefault(key, []).append(problem.message(locale))
        return None
    _log(form, client, now, created=True)
    return redirect(url_for(".thanks", slug=form.slug))


def _token_age(form: store.PublicForm, now: datetime) -> float | None:
    """Seconds since the page was served, or None for a missing, forged or stale token."""
    try:
        payload, issued = _serializer().loads(
            request.form.get(TOKEN_FIELD, ""), max_age=TOKEN_MAX_AGE, return_timestamp=True
        )
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(payload, dict) or payload.get("form") != form.id:
        return None
    return (now - issued).total_seconds()


def _log(form: store.PublicForm, client: str, now: datetime, *, created: bool) -> None:
    with write_transaction(state().engine) as conn:
        store.record_submission(conn, int(form.id or 0), client, now, created=created)
