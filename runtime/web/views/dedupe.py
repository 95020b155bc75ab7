"""Duplicates in the web UI (docs/duplicates.md): the scan page listing groups of possible
duplicates, the merge page (records side by side, one radio per field for the value to
keep, the master record to keep) and the merge log with undo.

A scan of a small table runs inside the request; a larger one is a ``dedupe.scan``
background job whose result the page shows when it has finished.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from runtime.dedupe import jobs as scan_jobs
from runtime.dedupe.log import list_merges
from runtime.dedupe.merge import MAX_RECORDS, MergeError, merge, mergeable_fields, undo_merge
from runtime.dedupe.scan import scan_duplicates
from runtime.jobs import JobNotFound, get_job
from runtime.records import PermissionDenied, RecordNotFound, RecordValidationError
from runtime.web.auth import login_required
from runtime.web.context import abort_for, actor, can, service, table_spec
from runtime.web.i18n import current_locale, t
from runtime.web.i18n import gettext as _
from runtime.web.views._collab_display import Displayer

blueprint = Blueprint("dedupe", __name__)
SYNC_SCAN_LIMIT = 3000
"""Tables up to this many live records are scanned while the page loads."""


def _state() -> Any:
    return current_app.extensions["kairos"]


def _require_merge_rights(table: str) -> None:
    if not (can(table, "update") and can(table, "delete")):
        abort(403, description=_("Merging needs the right to edit and delete these records."))


@blueprint.route("/t/<table>/duplicates")
@login_required
def duplicates(table: str) -> Any:
    spec = table_spec(table)
    svc, me = service(), actor()
    rule = request.args.get("rule") or None
    if rule is not None and rule not in {r.key for r in spec.duplicate_rules}:
        abort(404)
    groups: list[dict[str, Any]] | None = None
    job: dict[str, Any] | None = None
    if request.args.get("job"):
        job = _own_job(request.args.get("job", type=int))
        if job["status"] == "succeeded":
            groups = (job.get("result") or {}).get("groups", [])
    elif svc.count(me, table) <= SYNC_SCAN_LIMIT:
        groups = [g.as_dict() for g in scan_duplicates(svc, me, table, rule)]
    return render_template(
        "dedupe/duplicates.html",
        spec=spec,
        rule=rule,
        groups=groups,
        job=job,
        can_merge=can(table, "update") and can(table, "delete"),
        max_records=MAX_RECORDS,
    )


@blueprint.route("/t/<table>/duplicates/scan", methods=["POST"])
@login_required
def start_scan(table: str) -> Any:
    table_spec(table)
    rule = request.form.get("rule") or None
    job_id = scan_jobs.submit_scan(
        _state().engine, app_key=_state().app_key, user_id=actor().user_id, table=table, rule=rule
    )
    return redirect(url_for("dedupe.duplicates", table=table, job=job_id, rule=rule))


def _own_job(job_id: int | None) -> dict[str, Any]:
    try:
        job = get_job(_state().engine, int(job_id or 0))
    except JobNotFound:
        abort(404)
    me = actor()
    if job["kind"] != scan_jobs.SCAN_JOB or (job["user_id"] != me.user_id and not me.is_admin):
        abort(404)
    return job


@blueprint.route("/t/<table>/merge")
@login_required
def merge_form(table: str) -> Any:
    spec = table_spec(table)
    _require_merge_rights(table)
    ids = _ids(request.args.get("ids", ""))
    if not 2 <= len(ids) <= MAX_RECORDS:
        flash(_("Choose 2 to %(max)d records to merge.", max=MAX_RECORDS), "error")
        return redirect(url_for("dedupe.duplicates", table=table))
    svc, me = service(), actor()
    try:
        records = [svc.get(me, table, record_id) for record_id in ids]
    except (RecordNotFound, PermissionDenied) as error:
        return abort_for(error)
    display = Displayer(svc, me, current_locale())
    display.prepare(spec, records)
    access = svc.access(me, svc.plan(table))
    rows = []
    for key in mergeable_fields(svc.plan(table)):
        if not access.visible(key):
            continue
        field = spec.field(key)
        values = [display.value(spec, field, r) for r in records]
        same = len({repr(r.get(key)) for r in records}) == 1
        rows.append({"key": key, "label": t(field.label), "cells": values, "same": same})
    columns = [{"id": r["id"], "title": display.title_of(spec, r)} for r in records]
    return render_template(
        "dedupe/merge.html", spec=spec, columns=columns, rows=rows, ids=",".join(map(str, ids))
    )


@blueprint.route("/t/<table>/merge", methods=["POST"])
@login_required
def merge_submit(table: str) -> Any:
    table_spec(table)
    _require_merge_rights(table)
    ids = _ids(request.form.get("ids", ""))
    master = request.form.get("master", type=int)
    if master not in ids:
        abort(400)
    plan = service().plan(table)
    choices = {
        key: int(request.form[f"f_{key}"])
        for key in mergeable_fields(plan)
        if request.form.get(f"f_{key}", "").isdigit()
    }
    others = [i for i in ids if i != master]
    try:
        result = merge(service(), actor(), table, master, others, choices)
    except (RecordNotFound, PermissionDenied) as error:
        return abort_for(error)
    except (MergeError, RecordValidationError) as error:
        flash(error.message(current_locale()), "error")
        return redirect(url_for("dedupe.merge_form", table=table, ids=",".join(map(str, ids))))
    flash(_("%(count)d records merged.", count=len(ids)), "success")
    return redirect(url_for("dedupe.merge_log", table=table, merged=result.merge_id))


@blueprint.route("/t/<table>/merges")
@login_required
def merge_log(table: str) -> Any:
    spec = table_spec(table)
    _require_merge_rights(table)
    svc, me = service(), actor()
    entries = list_merges(_state().engine, _state().app_key, table)
    display = Displayer(svc, me, current_locale())
    display.load_users([e["user_id"] for e in entries])
    rows = [
        {
            "id": e["id"],
            "master_id": e["master_id"],
            "master_title": (e["before"].get("master") or {}).get(spec.title_field or "", None),
            "merged": [
                {
                    "id": int(i),
                    "title": (e["before"]["merged"].get(str(i)) or {}).get(
                        spec.title_field or "", None
                    ),
                }
                for i in e["merged_ids"]
            ],
            "user": display.user_name(e["user_id"]),
            "at": e["created_at"],
            "undone_at": e["undone_at"],
            "can_undo": e["undone_at"] is None and (me.is_admin or e["user_id"] == me.user_id),
        }
        for e in entries
    ]
    highlight = request.args.get("merged", type=int)
    return render_template("dedupe/log.html", spec=spec, rows=rows, highlight=highlight)


@blueprint.route("/t/<table>/merges/<int:merge_id>/undo", methods=["POST"])
@login_required
def undo(table: str, merge_id: int) -> Any:
    table_spec(table)
    _require_merge_rights(table)
    try:
        undo_merge(service(), actor(), merge_id)
    except (RecordNotFound, PermissionDenied, MergeError) as error:
        flash(error.message(current_locale()), "error")
    except RecordValidationError as error:
        flash(error.message(current_locale()), "error")
    else:
        flash(_("Merge undone."), "success")
    return redirect(url_for("dedupe.merge_log", table=table))


def _ids(raw: str) -> list[int]:
    return list(dict.fromkeys(int(p) for p in raw.replace(" ", "").split(",") if p.isdigit()))
