"""Administration of outbound webhooks (``/admin/webhooks``): subscriptions, their signing
secret, the delivery log with a redeliver button, and the target allowlist.

The subscriptions live in the webhooks package's own tables (created when this blueprint
is registered); importing ``runtime.webhooks`` registers its outbox consumer and delivery
pump with the app's worker threads. Guide: docs/webhooks.md.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.blueprints import BlueprintSetupState

from runtime import webhooks
from runtime.db import read_transaction
from runtime.web.auth import admin_required
from runtime.web.context import actor
from runtime.web.i18n import current_locale
from runtime.web.i18n import gettext as _
from runtime.web.views._list_display import References, available_columns
from runtime.web.views._list_filters import builder_rules, chosen_titles
from runtime.web.views._webhook_condition import (
    builder_tables,
    describe,
    option_keys,
    problem_texts,
    with_options,
)

blueprint = Blueprint("webhooks", __name__, url_prefix="/admin/webhooks")


@blueprint.record_once
def _tables(setup: BlueprintSetupState) -> None:
    webhooks.ensure_webhook_tables(setup.app.extensions["kairos"].engine)


def _state() -> Any:
    return current_app.extensions["kairos"]


def _problem_text(code: str) -> str:
    return {
        "name": _("Enter a name of at most 100 characters."),
        "table": _("Choose a table."),
        "events": _("Choose at least one event."),
        "scheme": _("Enter an http:// or https:// address."),
        "credentials": _("Do not put a user name or password in the address."),
        "not_allowed": _("This address is not on the allowlist of webhook targets."),
        "condition": _("The condition does not fit this table:"),
        "condition_json": _("The condition is not valid JSON."),
        "max_attempts": _("Enter a number from 1 to 20."),
    }[code]


def _tables_and_kinds() -> tuple[list[tuple[str, Any]], dict[str, Any]]:
    service = _state().service()
    labels = [(table.key, table.label) for table in service.tables.app.tables]
    kinds = {key: dict(plan.kinds) for key, plan in service.app.plans.items()}
    return labels, kinds


def _hook_or_404(webhook_id: int) -> dict[str, Any]:
    hook = webhooks.get_webhook(_state().engine, webhook_id, _state().app_key)
    if hook is None:
        abort(404)
    return hook


@blueprint.route("")
@admin_required
def index() -> Any:
    engine, app_key = _state().engine, _state().app_key
    labels, _kinds = _tables_and_kinds()
    with read_transaction(engine) as conn:
        allowed = webhooks.allowlist(conn)
    return render_template(
        "webhooks/index.html",
        hooks=webhooks.list_webhooks(engine, app_key),
        last=webhooks.last_statuses(engine, app_key),
        table_labels=dict(labels),
        allowlist="\n".join(allowed),
    )


@blueprint.route("/new", methods=["GET", "POST"])
@admin_required
def new() -> Any:
    return _form(None)


@blueprint.route("/<int:webhook_id>/edit", methods=["GET", "POST"])
@admin_required
def edit(webhook_id: int) -> Any:
    return _form(_hook_or_404(webhook_id))


def _form(hook: dict[str, Any] | None) -> Any:
    labels, kinds = _tables_and_kinds()
    engine = _state().engine
    values: dict[str, Any] = hook or {
        "name": "",
        "table_key": "",
        "events": ["created", "updated"],
        "url": "",
        "condition": None,
        "active": True,
        "max_attempts": 6,
    }
    condition_text = json.dumps(values["condition"], ensure_ascii=False, indent=2)
    if values["condition"] is None:
        condition_text = ""
    errors: dict[str, list[str]] = {}
    rule_errors: dict[int, list[str]] = {}
    mode = "builder"
    if request.method == "POST":
        form = request.form
        condition_text = form.get("condition", "").strip()
        mode = "json" if form.get("condition_mode") == "json" else "builder"
        values = {
            "name": form.get("name", ""),
            "table_key": form.get("table_key", ""),
            "events": form.getlist("events"),
            "url": form.get("url", ""),
            "active": form.get("active") == "on",
            "max_attempts": form.get("max_attempts", ""),
            "condition": None,
        }
        try:
            values["condition"] = json.loads(condition_text) if condition_text else None
        except ValueError:
            errors["condition"] = [_problem_text("condition_json")]
        with read_transaction(engine) as conn:
            allowed = webhooks.allowlist(conn)
        options = option_keys(_state().service(), actor(), current_locale())
        try:
            cleaned = webhooks.check_webhook(values, kinds, allowed, current_locale(), options)
        except webhooks.WebhookInvalid as invalid:
            for field, code in invalid.problems.items():
                errors.setdefault(field, []).append(_problem_text(code))
                if field != "condition":
                    errors[field] += invalid.details.get(field, [])
            for problem in _condition_problems(invalid, values):
                errors["condition"].append(problem["text"])
                if problem["rule"] is not None:
                    rule_errors.setdefault(problem["rule"], []).append(problem["text"])
        if not errors:
            if hook is None:
                hook_id = webhooks.create_webhook(
                    engine, _state().app_key, cleaned, user_id=int(g.user["id"])
                )
                flash(_("Webhook created. Copy its signing secret for the receiver."), "success")
                return redirect(url_for("webhooks.show", webhook_id=hook_id, reveal=1))
            webhooks.update_webhook(engine, hook["id"], cleaned)
            flash(_("Webhook saved."), "success")
            return redirect(url_for("webhooks.show", webhook_id=hook["id"]))
    return render_template(
        "webhooks/form.html",
        hook=hook,
        values=values,
        condition_text=condition_text,
        errors=errors,
        table_labels=labels,
        events=webhooks.EVENTS,
        builder=_builder(values, condition_text, mode, rule_errors),
    ), (422 if errors else 200)


def _condition_problems(
    invalid: webhooks.WebhookInvalid, values: dict[str, Any]
) -> list[dict[str, Any]]:
    if not invalid.condition_problems:
        return []
    svc, locale = _state().service(), current_locale()
    columns = available_columns(svc, actor(), values["table_key"], locale)
    return problem_texts(invalid.condition_problems, values["condition"], columns, locale)


def _builder(
    values: dict[str, Any], condition_text: str, mode: str, rule_errors: dict[int, list[str]]
) -> dict[str, Any]:
    """The condition builder's configuration: every table's fields, the condition as
    builder rules (None when it is not a flat all/any list the builder can show, or not
    even JSON), the titles of records it names, and the problems per rule."""
    svc, who, locale = _state().service(), actor(), current_locale()
    tables, shared = builder_tables(svc, who, locale, _search_url())
    condition = values.get("condition")
    editable = isinstance(condition, Mapping) or (condition is None and not condition_text)
    state = builder_rules(condition) if editable else None
    table = values.get("table_key") or ""
    titles: dict[str, dict[str, str]] = {}
    if state is not None and table in tables:
        columns = available_columns(svc, who, table, locale)
        known = {f["key"] for f in tables[table]}
        if all(rule["field"] in known for rule in state["rules"]):
            titles = chosen_titles(state, columns, tables[table], References(svc, who, locale))
    return {
        "tables": tables,
        "shared": shared,
        "condition": condition if editable else None,
        "jsonOnly": not editable,
        "titles": titles,
        "mode": mode,
        "ruleErrors": {str(k): v for k, v in rule_errors.items()},
    }


def _search_url() -> Any:
    """The forms area's relation-picker search URL of a table's field (while it exists)."""
    if "forms.search" not in current_app.view_functions:
        return lambda _table, _key: None
    return lambda table, key: url_for("forms.search", table=table, field=key)


@blueprint.route("/<int:webhook_id>")
@admin_required
def show(webhook_id: int) -> Any:
    hook = _hook_or_404(webhook_id)
    labels, _kinds = _tables_and_kinds()
    locale, table = current_locale(), hook["table_key"]
    svc, who = _state().service(), actor()
    tables, shared = builder_tables(svc, who, locale, _search_url(), only=table)
    fields = with_options(tables.get(table, []), shared)
    condition = hook["condition"]
    state = builder_rules(condition) if isinstance(condition, Mapping) else None
    titles: dict[str, dict[str, str]] = {}
    if state is not None and {r["field"] for r in state["rules"]} <= {f["key"] for f in fields}:
        columns = available_columns(svc, who, table, locale)
        titles = chosen_titles(state, columns, fields, References(svc, who, locale))
    return render_template(
        "webhooks/show.html",
        hook=hook,
        table_labels=dict(labels),
        deliveries=webhooks.deliveries(_state().engine, webhook_id),
        reveal=request.args.get("reveal") == "1",
        condition_words=describe(condition, fields, locale, titles),
        retention=_retention_words(webhooks.configured_retention()),
    )


def _retention_words(retention: webhooks.Retention) -> dict[str, str]:
    def words(age: timedelta | None) -> str:
        return _("for ever") if age is None else _("for %(days)s days", days=age.days)

    return {"delivered": words(retention.delivered), "failed": words(retention.failed)}


@blueprint.route("/<int:webhook_id>/secret", methods=["POST"])
@admin_required
def rotate(webhook_id: int) -> Any:
    _hook_or_404(webhook_id)
    webhooks.rotate_secret(_state().engine, webhook_id)
    flash(_("A new signing secret was generated. Update the receiver."), "success")
    return redirect(url_for("webhooks.show", webhook_id=webhook_id, reveal=1))


@blueprint.route("/<int:webhook_id>/delete", methods=["POST"])
@admin_required
def delete(webhook_id: int) -> Any:
    _hook_or_404(webhook_id)
    webhooks.delete_webhook(_state().engine, webhook_id)
    flash(_("Webhook deleted."), "success")
    return redirect(url_for("webhooks.index"))


@blueprint.route("/deliveries/<int:delivery_id>/redeliver", methods=["POST"])
@admin_required
def redeliver(delivery_id: int) -> Any:
    owner = webhooks.delivery_webhook(_state().engine, delivery_id)
    if owner is None or owner[1] != _state().app_key:
        abort(404)
    webhooks.redeliver(_state().engine, delivery_id)
    flash(_("The delivery was queued again."), "success")
    return redirect(url_for("webhooks.show", webhook_id=owner[0]))


@blueprint.route("/settings", methods=["POST"])
@admin_required
def settings() -> Any:
    try:
        webhooks.save_allowlist(_state().engine, request.form.get("allowlist", ""))
    except ValueError:
        flash(_("The allowlist has an entry that is not a valid network."), "error")
    else:
        flash(_("Allowlist saved."), "success")
    return redirect(url_for("webhooks.index"))


@blueprint.app_template_filter("webhook_time")
def webhook_time(value: Any) -> str:
    """A stored UTC moment in the app's time zone, to the second."""
    if value is None:
        return ""
    zone = ZoneInfo(_state().service().app.timezone)
    return str(value.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"))


@blueprint.app_template_filter("webhook_pretty")
def webhook_pretty(text: str | None) -> str:
    """A logged JSON body indented for reading (other text unchanged)."""
    if not text:
        return ""
    try:
        return json.dumps(json.loads(text), ensure_ascii=False, indent=2)
    except ValueError:
        return text
