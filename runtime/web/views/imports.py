"""The import wizard at ``/t/<table>/import``: upload → sheet and column mapping (auto-
matched, editable, savable as a template) → preview with per-cell errors → run as a
background job → progress bar → result with counts and the error file.

Everything is done by ``runtime.transfer`` through the record service as the signed-in
user on the ``import`` channel; the page needs the table's ``import`` right.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)

from runtime.config import home_dir
from runtime.jobs import JobNotFound, ensure_job_tables, get_job, job_file
from runtime.records import RecordError
from runtime.transfer import (
    ImportOptions,
    TransferError,
    open_source,
    plan_import,
    preview_import,
    templates,
)
from runtime.transfer import jobs as import_jobs
from runtime.transfer.importer import ImportPlan
from runtime.transfer.reading import XLSX_SUFFIXES
from runtime.web.auth import login_required
from runtime.web.context import actor, can, service, table_spec
from runtime.web.i18n import current_locale, t
from runtime.web.i18n import gettext as _

blueprint = Blueprint("imports", __name__)
PREVIEW_ROWS = 20
SAMPLE_ROWS = 3


@blueprint.record_once
def _tables(setup: Any) -> None:
    """The job and template tables exist before the first import."""
    engine = setup.app.extensions["kairos"].engine
    ensure_job_tables(engine)
    templates.ensure(engine)


_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,40}\.(xlsx|xlsm|xls|ods|csv|txt|tsv)$")


def _uploads() -> Path:
    files = current_app.config.get("FILES_DIR")
    return (Path(files) if files else home_dir()) / "imports"


def _require_import(table: str) -> None:
    table_spec(table)
    if not can(table, "import"):
        abort(403)


def _upload(token: str) -> Path:
    path = _uploads() / token
    if not _TOKEN.match(token) or not path.is_file():
        abort(404)
    return path


def _plan(table: str, token: str, sheet: str | None, mapping: dict[str, Any]) -> ImportPlan:
    source = open_source(_upload(token), sheet=sheet or None)
    return plan_import(service(), actor(), table, source, mapping)


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _stored(plan: ImportPlan, row: dict[str, Any], key: str) -> str:
    """The value as it will be stored, when it reads differently from the cell (a serial
    that is a date, ``１２３４`` that is 1234.00); references, options and child fields
    are skipped."""
    target = plan.targets.get(key)
    value = row["values"].get(key)
    skipped = ("relation", "user", "department", "single_select", "multi_select", "checkbox")
    if target is None or target.child or target.type in skipped or value in (None, ""):
        return ""
    text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return "" if text == _shown(row["cells"].get(key)).strip() else text


def _form_mapping(count: int) -> dict[str, str | None]:
    return {str(c): (request.form.get(f"map-{c}") or None) for c in range(count)}


def _options(mapping: dict[str, Any]) -> ImportOptions:
    mode = request.form.get("mode", "insert")
    key = request.form.get("key") or ""
    return ImportOptions(
        mode=mode,
        key=(key,) if key and mode != "insert" else (),
        all_or_nothing=request.form.get("on_error", "rollback") != "skip",
        dry_run=bool(request.form.get("dry_run")),
        mapping=mapping,
        locale=current_locale(),
    )


def _app_key() -> str:
    return str(current_app.extensions["kairos"].app_key)


@blueprint.route("/t/<table>/import", methods=["GET", "POST"])
@login_required
def start(table: str) -> Any:
    _require_import(table)
    spec = table_spec(table)
    if request.method == "POST":
        upload = request.files.get("file")
        name = upload.filename if upload is not None else ""
        suffix = Path(name or "").suffix.lower()
        if upload is None or not name:
            flash(_("Choose a file to import."), "error")
        elif suffix not in (*XLSX_SUFFIXES, ".csv", ".txt", ".tsv"):
            flash(TransferError("unsupported_file", name=name).message(current_locale()), "error")
        else:
            path = import_jobs.stash_upload(upload.read(), name, _uploads())
            args = {"template": request.form.get("template") or None, "name": name}
            return redirect(url_for("imports.mapping", table=table, token=path.name, **args))
        return redirect(url_for("imports.start", table=table))
    names = templates.template_names(service().engine, _app_key(), table)
    return render_template("imports/upload.html", table=table, spec=spec, templates=names)


@blueprint.route("/t/<table>/import/<token>")
@login_required
def mapping(table: str, token: str) -> Any:
    _require_import(table)
    sheet = request.args.get("sheet") or None
    overrides: dict[str, Any] = {}
    template = request.args.get("template")
    if template:
        saved = templates.load_template(service().engine, _app_key(), table, template)
        overrides = saved["mapping"] if saved else {}
    try:
        plan = _plan(table, token, sheet, overrides)
    except (TransferError, RecordError) as error:
        flash(error.message(current_locale()), "error")
        return redirect(url_for("imports.start", table=table))
    samples = [row for _, row in zip(range(SAMPLE_ROWS), plan.data_rows(), strict=False)]
    return render_template(
        "imports/mapping.html",
        table=table,
        spec=table_spec(table),
        token=token,
        name=request.args.get("name") or token,
        plan=plan,
        columns=plan.columns(current_locale()),
        samples=[[_shown(c) for c in row] for _, row in samples],
        targets=plan.targets,
        key_targets=_key_targets(plan),
        template=template or "",
        locale=current_locale(),
    )


def _key_targets(plan: ImportPlan) -> list[tuple[str, str]]:
    svc = service()
    table_plan = svc.plan(plan.table)
    keys = [("id", plan.targets["id"].title(current_locale()))]
    for key in [*table_plan.unique_fields, table_plan.spec.title_field]:
        if (
            key
            and key in plan.targets
            and (key, plan.targets[key].title(current_locale())) not in keys
        ):
            keys.append((key, plan.targets[key].title(current_locale())))
    return keys


@blueprint.route("/t/<table>/import/<token>/preview", methods=["POST"])
@login_required
def preview(table: str, token: str) -> Any:
    _require_import(table)
    sheet = request.form.get("sheet") or None
    columns = int(request.form.get("columns", "0") or 0)
    overrides = _form_mapping(columns)
    locale = current_locale()
    try:
        plan = _plan(table, token, sheet, overrides)
        options = _options(overrides)
        rows = preview_import(service(), actor(), plan, options, PREVIEW_ROWS)
    except (TransferError, RecordError) as error:
        flash(error.message(locale), "error")
        return redirect(url_for("imports.mapping", table=table, token=token, sheet=sheet))
    name = (request.form.get("template_name") or "").strip()
    if name:
        by_header = {plan.header.texts[c]: k for c, k in plan.header.matched.items()}
        templates.save_template(
            service().engine, _app_key(), table, name[:100], by_header, user_id=actor().user_id
        )
        flash(_("Template “%(name)s” saved.", name=name), "success")
    shown = sorted(plan.header.matched.items())
    return render_template(
        "imports/preview.html",
        table=table,
        spec=table_spec(table),
        token=token,
        sheet=sheet or "",
        options=options,
        mapping_json=json.dumps(overrides),
        shown=[(c, k, plan.targets[k].title(locale)) for c, k in shown],
        rows=rows,
        failed=sum(1 for r in rows if r["errors"]),
        shown_value=_shown,
        stored=lambda row, key: _stored(plan, row, key),
    )


@blueprint.route("/t/<table>/import/<token>/run", methods=["POST"])
@login_required
def run(table: str, token: str) -> Any:
    _require_import(table)
    path = _upload(token)
    try:
        overrides = {str(k): v for k, v in json.loads(request.form.get("mapping", "{}")).items()}
    except (ValueError, AttributeError):
        abort(400)
    options = _options(overrides)
    job_id = import_jobs.submit_import(
        service().engine,
        app_key=_app_key(),
        user_id=actor().user_id,
        table=table,
        path=path,
        sheet=request.form.get("sheet") or None,
        options=options,
    )
    return redirect(url_for("imports.job", table=table, job_id=job_id))


def _job(table: str, job_id: int) -> dict[str, Any]:
    _require_import(table)
    try:
        job = get_job(service().engine, job_id)
    except JobNotFound:
        abort(404)
    who = actor()
    if job["kind"] != import_jobs.IMPORT_JOB or (
        job["user_id"] != who.user_id and not who.unrestricted
    ):
        abort(404)
    return job


@blueprint.route("/t/<table>/import/jobs/<int:job_id>")
@login_required
def job(table: str, job_id: int) -> Any:
    found = _job(table, job_id)
    return render_template("imports/job.html", table=table, spec=table_spec(table), job=found)


@blueprint.route("/t/<table>/import/jobs/<int:job_id>/status")
@login_required
def status(table: str, job_id: int) -> Any:
    found = _job(table, job_id)
    return render_template("imports/_status.html", table=table, spec=table_spec(table), job=found)


@blueprint.route("/t/<table>/import/jobs/<int:job_id>/errors")
@login_required
def errors(table: str, job_id: int) -> Any:
    found = _job(table, job_id)
    name = (found.get("result") or {}).get("error_file")
    path = job_file(job_id, name) if name else None
    if path is None:
        abort(404)
    return send_file(path, as_attachment=True, download_name=f"{t(table_spec(table).label)}-{name}")
