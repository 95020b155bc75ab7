"""Admin pages of public forms (``/admin/public-forms``): list, create, edit, delete, with
the embed snippet. Administrators only; the record checks happen at submission time."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for

from form_engine.messages import ParseError
from runtime.db import read_transaction, write_transaction
from runtime.web.auth import admin_required
from runtime.web.i18n import current_locale, t
from runtime.web.i18n import gettext as _
from runtime.web.views import _public_forms_store as store
from runtime.web.views._public_forms_common import PUBLIC_TYPES, blueprint, state
from schemas.spec import TableSpec

FIXED_ROWS = 3
"""Blank "fixed value" rows offered below the ones already set."""
NOT_FIXABLE = frozenset({"child_table", "attachment", "image", "signature"})


@blueprint.get("/admin/public-forms")
@admin_required
def admin_list() -> Any:
    web = state()
    now = datetime.now(UTC)
    with read_transaction(web.engine) as conn:
        forms = store.list_forms(conn, web.app_key)
        counts = store.submission_counts(conn, now)
    app = web.service().tables.app
    tables = {table.key: table.label for table in app.tables}
    return render_template(
        "public_forms/admin_list.html", forms=forms, counts=counts, tables=tables
    )


@blueprint.route("/admin/public-forms/new", methods=["GET", "POST"])
@admin_required
def admin_new() -> Any:
    return _edit(None)


@blueprint.route("/admin/public-forms/<int:form_id>", methods=["GET", "POST"])
@admin_required
def admin_edit(form_id: int) -> Any:
    return _edit(form_id)


@blueprint.post("/admin/public-forms/<int:form_id>/delete")
@admin_required
def admin_delete(form_id: int) -> Any:
    web = state()
    with write_transaction(web.engine) as conn:
        if store.get_form(conn, web.app_key, form_id=form_id) is None:
            abort(404)
        store.delete_form(conn, form_id)
    flash(_("The public form was deleted."), "success")
    return redirect(url_for(".admin_list"))


def _edit(form_id: int | None) -> Any:
    web = state()
    app = web.service().tables.app
    tables = [table for table in app.tables if table.parent is None]
    with read_transaction(web.engine) as conn:
        existing = store.get_form(conn, web.app_key, form_id=form_id) if form_id else None
    if form_id is not None and existing is None:
        abort(404)
    form = existing or _blank(tables, request.args.get("table"))
    switched = request.args.get("table")
    if (
        existing is not None
        and switched in {table.key for table in tables}
        and switched != form.table_key
    ):
        form.table_key, form.fields, form.fixed_values = switched, [], {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = _from_request(form, app)
        table = app.table(form.table_key) if app.has_table(form.table_key) else None
        errors = _check(form, table, request.form)
        if not errors and table is not None:
            with write_transaction(web.engine) as conn:
                if store.slug_taken(conn, form.slug, form.id):
                    errors["slug"] = _("This address is already used by another form.")
                else:
                    saved = store.save_form(
                        conn, web.app_key, form, user_id=int(g.user["id"]), now=datetime.now(UTC)
                    )
                    flash(_("The public form was saved."), "success")
                    return redirect(url_for(".admin_edit", form_id=saved))
    table = app.table(form.table_key) if app.has_table(form.table_key) else tables[0]
    return render_template(
        "public_forms/admin_edit.html",
        form=form,
        tables=tables,
        table=table,
        choosable=[f for f in table.fields if _choosable(f)],
        fixable=[f for f in table.fields if _fixable(web, table, f)],
        fixed_rows=_fixed_rows(form, table),
        errors=errors,
        public_url=url_for(".public_form", slug=form.slug, _external=True) if form.id else None,
    ), 422 if errors else 200


def _blank(tables: list[TableSpec], wanted: str | None) -> store.PublicForm:
    keys = [table.key for table in tables]
    key = wanted if wanted in keys else ("lead" if "lead" in keys else keys[0])
    return store.PublicForm(
        slug="",
        table_key=key,
        title={},
        fields=[],
        success_message={
            "zh-CN": "提交成功，我们会尽快与您联系。",
            "en": "Thank you! We will get in touch soon.",
        },
    )


def _choosable(field: Any) -> bool:
    return field.type in PUBLIC_TYPES and not field.readonly and not field.hidden


def _fixable(web: Any, table: TableSpec, field: Any) -> bool:
    plan = web.service().plan(table.key).fields[field.key]
    return not plan.computed and field.type not in NOT_FIXABLE


def _texts(prefix: str) -> dict[str, str]:
    out = {"zh-CN": request.form.get(f"{prefix}_zh", "").strip(),
           "en": request.form.get(f"{prefix}_en", "").strip()}  # fmt: skip
    return {k: v for k, v in out.items() if v}


def _number(name: str, default: int) -> int | None:
    raw = request.form.get(name, "").strip()
    if not raw:
        return default
    return int(raw) if raw.isdigit() else None


def _from_request(form: store.PublicForm, app: Any) -> store.PublicForm:
    fixed_keys = request.form.getlist("fixed_field")
    fixed_raw = request.form.getlist("fixed_value")
    fixed = {k: v.strip() for k, v in zip(fixed_keys, fixed_raw, strict=False) if k and v.strip()}
    return store.PublicForm(
        id=form.id,
        slug=request.form.get("slug", "").strip().lower(),
        table_key=request.form.get("table", ""),
        title=_texts("title"),
        intro=_texts("intro"),
        fields=list(dict.fromkeys(request.form.getlist("fields"))),
        fixed_values=fixed,  # raw text until _check parses it
        success_message=_texts("success"),
        enabled=request.form.get("enabled") == "1",
        rate_limit=_number("rate_limit", store.DEFAULT_RATE_LIMIT) or 0,
        min_seconds=_or_invalid(_number("min_seconds", store.DEFAULT_MIN_SECONDS)),
    )


def _or_invalid(number: int | None) -> int:
    return -1 if number is None else number


def _check(form: store.PublicForm, table: TableSpec | None, data: Any) -> dict[str, str]:
    """Problems per input name; fixed values are parsed into their JSON form in place."""
    errors: dict[str, str] = {}
    if not store.SLUG_PATTERN.match(form.slug):
        errors["slug"] = _("Use 2–63 lowercase letters, digits and hyphens.")
    if table is None or table.parent is not None:
        errors["table"] = _("Choose a table.")
        return errors
    if not form.title:
        errors["title"] = _("Give the form a title.")
    if not form.success_message:
        errors["success"] = _("Write the message visitors see after sending.")
    if not 1 <= form.rate_limit <= 1000:
        errors["rate_limit"] = _("Enter a whole number from 1 to 1000.")
    if not 0 <= form.min_seconds <= 120:
        errors["min_seconds"] = _("Enter a whole number of seconds from 0 to 120.")
    allowed = {f.key for f in table.fields if _choosable(f)}
    form.fields = [k for k in form.fields if k in allowed]
    if not form.fields:
        errors["fields"] = _("Choose at least one field.")
    problems = _parse_fixed(form, table)
    if problems:
        errors["fixed"] = "；".join(problems)
    missing = [
        t(f.label)
        for f in table.fields
        if f.required and f.default is None and not f.default_formula
        and f.key not in form.fields and f.key not in form.fixed_values
        and f.type in PUBLIC_TYPES | {"relation", "user", "department"}
    ]  # fmt: skip
    if missing and "fields" not in errors:
        errors["fields"] = _(
            "Required fields must be on the form or get a fixed value: %(fields)s",
            fields="、".join(missing),
        )
    return errors


def _parse_fixed(form: store.PublicForm, table: TableSpec) -> list[str]:
    web = state()
    plan = web.service().plan(table.key)
    problems: list[str] = []
    parsed: dict[str, Any] = {}
    locale = current_locale()
    for key, raw in form.fixed_values.items():
        field = plan.fields.get(key)
        if field is None or not _fixable(web, table, field.spec):
            problems.append(_("%(field)s cannot get a fixed value.", field=key))
            continue
        if key in form.fields:
            problems.append(_("%(field)s is on the form; it cannot also be fixed.",
                              field=t(field.spec.label)))  # fmt: skip
            continue
        try:
            value = field.type.parse(raw, field.spec)
        except ParseError as error:
            problems.append(error.to_field_error(key, field.spec.label).message(locale))
            continue
        invalid = [e.message(locale) for e in field.type.validate(value, field.spec)]
        problems.extend(invalid)
        parsed[key] = field.to_json(value)
    form.fixed_values = parsed
    return problems


def _fixed_rows(form: store.PublicForm, table: TableSpec) -> list[tuple[str, str]]:
    """(field key, value as typed) rows: the stored ones, then blank ones."""
    rows = []
    for key, value in form.fixed_values.items():
        shown = value
        if table.has_field(key):
            options = {o["key"]: o.get("label") for o in table.field(key).config.get("options", [])}
            if isinstance(value, str) and value in options:
                shown = t(options[value])  # the label, which the field type reads back
        rows.append((key, "" if shown is None else str(shown)))
    return rows + [("", "")] * FIXED_ROWS
