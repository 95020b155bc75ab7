"""Record forms: create and edit any table's records with a form built from its definition,
plus the JSON helpers the form page calls (live recompute, picker search, quick-create,
uploads). Every write goes through the record service with the signed-in actor; the
service's errors are shown beside their fields with what the user typed kept."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)

from runtime.records import (
    PermissionDenied,
    RecordConflict,
    RecordNotFound,
    RecordValidationError,
)
from runtime.web import forms as web_forms
from runtime.web.auth import login_required
from runtime.web.context import abort_for, actor, can, field_access, service, table_spec
from runtime.web.forms import files, options, values
from runtime.web.forms.recompute import preview
from runtime.web.i18n import current_locale, t
from runtime.web.i18n import gettext as _

blueprint = Blueprint("forms", __name__)
FILE_TYPES = ("attachment", "image")


@blueprint.record_once
def _create_tables(state: Any) -> None:
    files.ensure_files_table(state.app.extensions["kairos"].engine)


# --- pages ----------------------------------------------------------------------------
@blueprint.route("/t/<table>/new", methods=["GET", "POST"])
@login_required
def new_record(table: str) -> Any:
    table_spec(table)
    if not can(table, "create"):
        abort(403)
    return _form_page(table, None)


@blueprint.route("/t/<table>/<int:record_id>/edit", methods=["GET", "POST"])
@login_required
def edit_record(table: str, record_id: int) -> Any:
    table_spec(table)
    if not can(table, "update"):
        abort(403)
    return _form_page(table, record_id)


def _form_page(table: str, record_id: int | None) -> Any:
    svc = service()
    plan = svc.plan(table)
    access = field_access(table)
    fields = web_forms.form_fields(plan, access, creating=record_id is None, app=svc.app)
    _offer_quick_create(fields)
    editable = [k for k, f in fields.items() if f.editable]
    children = _child_plans(plan)
    record: dict[str, Any] = {}
    if record_id is not None:
        try:
            record = svc.get(actor(), table, record_id)
        except (RecordNotFound, PermissionDenied) as error:
            abort_for(error)
    errors: dict[str, list[str]] = {}
    row_errors: dict[str, str] = {}
    conflict: RecordConflict | None = None
    shown = {k: values.display_value(f.type, record.get(k)) for k, f in fields.items()}
    if record_id is None:
        shown.update(_defaults(plan, fields))
    form = web_forms.build_form(plan, {**shown, "row_version": record.get("row_version")})
    if request.method == "POST":
        draft = values.draft_values(plan, request.form, editable, children)
        shown.update(draft)
        if form.validate_on_submit():
            submitted = values.submitted_values(plan, request.form, editable, children)
            if record_id is not None:
                values.drop_unchanged_rows(submitted, record, children)
            version = request.form.get("overwrite") or request.form.get("row_version")
            try:
                if record_id is None:
                    saved = svc.create(actor(), table, submitted)
                else:
                    saved = svc.update(
                        actor(),
                        table,
                        record_id,
                        submitted,
                        row_version=int(version) if version else None,
                    )
            except RecordValidationError as error:
                errors, row_errors = _field_errors(error, fields)
            except RecordConflict as error:
                conflict = error
            except (RecordNotFound, PermissionDenied) as error:
                abort_for(error)
            else:
                _attach_files(table, saved, editable)
                flash(_("Saved."), "success")
                return redirect(_after_save(table, saved["id"]))
        else:
            errors = {"": [_("The form expired. Please submit again.")]}
    labels = options.labels(svc, actor(), plan, {**record, **shown})
    return render_template(
        "forms/page.html",
        table=table,
        table_label=plan.spec.label,
        title_key=plan.spec.title_field or "name",
        record_id=record_id,
        record=record,
        form=form,
        tabs=web_forms.form_layout(plan, fields),
        fields=fields,
        shown=shown,
        labels=labels,
        errors=errors,
        row_errors=row_errors,
        conflict=conflict,
        children={k: _child_fields(k, c) for k, (c, _e) in children.items()},
        kinds={k: str(v.value) for k, v in plan.kinds.items()},
        context={
            "user_id": actor().user_id,
            "timezone": svc.app.timezone,
            "now": svc.clock().isoformat(),
        },
        cancel_url=_back_url(table, record_id),
    )


def _offer_quick_create(fields: dict[str, web_forms.FormField]) -> None:
    """Offer "+ New" on relation pickers whose target the user may create records in."""
    for field in fields.values():
        target = field.config.get("target")
        if field.type == "relation" and field.editable and target:
            field.quick_create = service().tables.app.has_table(target) and can(target, "create")


def _child_plans(plan: Any) -> dict[str, tuple[Any, set[str]]]:
    svc = service()
    out = {}
    for key, child_key in plan.children.items():
        child = svc.app[child_key]
        access = svc.access(actor(), child)
        out[key] = (
            child,
            {
                k
                for k, f in child.fields.items()
                if access.access(k) == "edit" and not f.computed and not f.spec.readonly
            },
        )
    return out


def _child_fields(key: str, child: Any) -> list[web_forms.FormField]:
    svc = service()
    access = svc.access(actor(), child)
    levels = {k: access.access(k) for k in child.fields}
    return list(web_forms.form_fields(child, levels, creating=True, app=svc.app).values())


def _defaults(plan: Any, fields: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, field in fields.items():
        default = plan.fields[key].spec.default
        if default is not None and field.editable:
            out[key] = values.display_value(field.type, default)
    return out


def _field_errors(
    error: RecordValidationError, fields: dict[str, Any]
) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Messages per field (record-level ones under ""), and per child cell
    ``"<field>-<row>-<child field>"`` for child-row errors."""
    locale = current_locale()
    by_field: dict[str, list[str]] = {}
    cells: dict[str, str] = {}
    for problem in error.errors:
        key = problem.field if problem.field in fields else ""
        by_field.setdefault(key, []).append(problem.message(locale))
        if problem.code == "child_row" and problem.params.get("field"):
            row = int(problem.params["row"]) - 1
            cells[f"{problem.field}-{row}-{problem.params['field']}"] = problem.message(locale)
    return by_field, cells


def _attach_files(table: str, saved: dict[str, Any], editable: list[str]) -> None:
    """Tie the files now held by the saved record to it, so its readers may fetch them.
    Files in child-table rows are tied to the child table, the parent record and the
    cell's field (see ``_may_download``)."""
    svc = service()
    plan = svc.plan(table)
    held = {
        key: files.file_ids(saved.get(key))
        for key in editable
        if plan.fields[key].spec.type in FILE_TYPES
    }
    user = actor().user_id
    files.attach(svc.engine, table, saved["id"], held, user)
    for key, (child, child_editable) in _child_plans(plan).items():
        if key not in editable:
            continue
        cells = [k for k in child_editable if child.fields[k].spec.type in FILE_TYPES]
        in_rows = {
            k: [i for row in saved.get(key) or [] for i in files.file_ids(row.get(k))]
            for k in cells
        }
        files.attach(svc.engine, child.key, saved["id"], in_rows, user)


def _after_save(table: str, record_id: int) -> str:
    if "detail.show" in current_app.view_functions:
        return url_for("detail.show", table=table, record_id=record_id)
    return url_for("forms.edit_record", table=table, record_id=record_id)


def _back_url(table: str, record_id: int | None) -> str:
    if record_id is not None and "detail.show" in current_app.view_functions:
        return url_for("detail.show", table=table, record_id=record_id)
    if "records.list_view" in current_app.view_functions:
        return url_for("records.list_view", table=table)
    return url_for("home.index")


# --- JSON helpers ---------------------------------------------------------------------
@blueprint.post("/t/<table>/_form/recompute")
@login_required
def recompute(table: str) -> Any:
    """The computed values (formulas, lookups, rollups) of the draft in the request."""
    table_spec(table)
    svc = service()
    plan = svc.plan(table)
    fields = web_forms.form_fields(plan, field_access(table), creating=True)
    editable = [k for k, f in fields.items() if f.editable]
    draft = values.submitted_values(plan, request.form, editable, _child_plans(plan))
    record_id = request.form.get("_record_id", type=int)
    try:
        return jsonify(preview(svc, actor(), table, draft, record_id, current_locale()))
    except (RecordNotFound, PermissionDenied) as error:
        return abort_for(error)


@blueprint.get("/t/<table>/_form/search/<path:field>")
@login_required
def search(table: str, field: str) -> Any:
    """Choices for a relation / user / department picker (``field`` may be
    ``<child field>.<field>`` for a child-row column)."""
    spec = _picker_field(table, field)
    try:
        found = options.search(
            service(),
            actor(),
            spec.type,
            spec.config.get("target"),
            request.args.get("q", ""),
            where=spec.config.get("filter"),
        )
    except PermissionDenied:
        found = []
    return jsonify(found)


def _picker_field(table: str, path: str) -> Any:
    table_spec(table)
    svc = service()
    plan = svc.plan(table)
    head, _dot, tail = path.partition(".")
    if tail:
        if head not in plan.children:
            abort(404)
        plan = svc.app[plan.children[head]]
        head = tail
    field = plan.fields.get(head)
    if field is None or field.spec.type not in ("relation", "user", "department"):
        abort(404)
    return field.spec


@blueprint.route("/t/<table>/_form/quick/<path:field>", methods=["GET", "POST"])
@login_required
def quick_create(table: str, field: str) -> Any:
    """A small form of the relation target's required fields; on POST creates the target
    record through the service and returns ``{"value", "text"}`` to select it."""
    spec = _picker_field(table, field)
    target = spec.config.get("target")
    if not target or not can(target, "create"):
        abort(403)
    svc = service()
    target_plan = svc.plan(target)
    access = field_access(target)
    all_fields = web_forms.form_fields(target_plan, access, creating=True)
    title = options.title_field(svc, target)
    quick = {
        k: f
        for k, f in all_fields.items()
        if f.editable and (f.required or k == title) and f.type != "child_table"
    }
    if request.method == "POST":
        submitted = values.submitted_values(target_plan, request.form, list(quick), {})
        try:
            record = svc.create(actor(), target, submitted)
        except RecordValidationError as error:
            by_field, _cells = _field_errors(error, quick)
            return jsonify({"errors": by_field}), 422
        except PermissionDenied as error:
            return jsonify({"errors": {"": [error.message(current_locale())]}}), 403
        return jsonify({"value": record["id"], "text": str(record.get(title) or record["id"])})
    return render_template(
        "forms/quick_create.html",
        target_label=target_plan.spec.label,
        fields=quick,
        action=url_for("forms.quick_create", table=table, field=field),
        table=target,
    )


@blueprint.post("/t/<table>/_form/upload/<path:field>")
@login_required
def upload(table: str, field: str) -> Any:
    """Store one file for an attachment / image field after its size and type checks.
    ``field`` may be ``<child field>.<field>`` for a cell of a child-table row: the same
    checks apply, with the child table's field access."""
    table_spec(table)
    if not (can(table, "create") or can(table, "update")):
        abort(403)
    fp = _upload_field(table, field)
    upload_file = request.files.get("file")
    if upload_file is None:
        return jsonify({"error": _("Choose a file to upload.")}), 400
    try:
        descriptor = files.save_upload(service().engine, fp.spec, upload_file, actor().user_id)
    except files.UploadRefused as refused:
        if refused.code == "too_large":
            message = _("The file is larger than %(max)s MB.", max=refused.params["max"])
        else:
            message = _(
                "Only these file types are allowed: %(accept)s", accept=refused.params["accept"]
            )
        return jsonify({"error": message}), 422
    return jsonify(descriptor)


def _upload_field(table: str, path: str) -> Any:
    """The file field's plan at ``path`` (404 if none, 403 unless the user may edit it
    — for a child cell, both the child-table field and the cell's field)."""
    svc = service()
    plan = svc.plan(table)
    head, _dot, tail = path.partition(".")
    levels = field_access(table)
    if tail:
        if head not in plan.children:
            abort(404)
        if levels.get(head) != "edit":
            abort(403)
        plan = svc.app[plan.children[head]]
        levels = {k: svc.access(actor(), plan).access(k) for k in plan.fields}
        head = tail
    fp = plan.fields.get(head)
    if fp is None or fp.spec.type not in FILE_TYPES:
        abort(404)
    if levels.get(head) != "edit" or fp.spec.readonly:
        abort(403)
    return fp


@blueprint.get("/files/<int:file_id>")
@login_required
def file_content(file_id: int) -> Any:
    """An uploaded file, for whoever may read the record field holding it (before it is
    saved into a record: its uploader only). 404 otherwise, so ids do not leak."""
    found = files.stored_file(service().engine, file_id)
    if found is None or not _may_download(found[0]) or not found[1].exists():
        abort(404)
    row, path = found
    return send_file(
        path,
        mimetype=row["content_type"],
        download_name=row["name"],
        as_attachment=not row["content_type"].startswith("image/"),
    )


def _may_download(row: dict[str, Any]) -> bool:
    if row["record_id"] is None:
        return row["uploaded_by"] is not None and row["uploaded_by"] == actor().user_id
    svc = service()
    table = row["table_key"]
    if not svc.tables.app.has_table(table):
        return False
    plan = svc.plan(table)
    parent = plan.spec.parent
    try:
        record = svc.get(actor(), parent or table, int(row["record_id"]))
    except (RecordNotFound, PermissionDenied):
        return False
    if not parent:
        return int(row["id"]) in files.file_ids(record.get(row["field_key"]))
    # a file in a child row: any row of the parent's child tables of this kind holds it
    parent_plan = svc.plan(parent)
    rows = [
        child_row
        for key, child_key in parent_plan.children.items()
        if child_key == table
        for child_row in record.get(key) or []
    ]
    return any(int(row["id"]) in files.file_ids(r.get(row["field_key"])) for r in rows)


def as_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


@blueprint.app_template_filter("local_time")
def local_time(moment: Any) -> str:
    """A UTC datetime as ``YYYY-MM-DD HH:MM`` in the app's time zone."""
    return str(moment.astimezone(ZoneInfo(service().app.timezone)).strftime("%Y-%m-%d %H:%M"))


@blueprint.app_template_filter("form_datetime")
def form_datetime(value: Any) -> str:
    """A stored UTC moment (ISO text or datetime) as ``YYYY-MM-DD HH:MM:SS`` in the app's
    time zone, the way the detail page shows it; text that is no moment as it is."""
    moment = value
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    if not isinstance(moment, datetime):
        return str(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    zone = ZoneInfo(service().app.timezone)
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


@blueprint.app_template_filter("form_number")
def form_number(value: Any, shows: str = "number") -> str:
    """A computed number as the form shows it: money with thousands separators and two
    decimals, a percent with its sign, other numbers as they are."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if shows == "money":
        return f"{number:,.2f}"
    if shows == "percent":
        return f"{value}%"
    return str(value)


@blueprint.app_template_filter("form_choices")
def form_choices(field: web_forms.FormField) -> dict[str, str]:
    """Option key → label in the current language, for values shown read-only."""
    return {key: t(label) if label else key for key, label in field.choices.items()}


@blueprint.app_template_filter("form_json")
def form_json(value: Any) -> str:
    return as_json(value)
