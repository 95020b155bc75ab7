"""Background jobs in the web app: worker threads, job status and job files.

Registering this blueprint creates the job tables and starts ``JOB_WORKERS`` worker
threads (config key, else ``$KAIROS_JOB_WORKERS``, else 2; none when ``TESTING`` is set,
where tests call ``run_pending``).

``GET /jobs/<id>`` answers JSON (progress bars poll it) unless the browser asks for HTML,
which gets a small page with a live progress bar. Only the job's user and administrators
see a job; anyone else gets 404, so job ids reveal nothing.
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask.blueprints import BlueprintSetupState

from runtime.jobs import (
    FINISHED,
    JobNotFound,
    cancel_job,
    ensure_job_tables,
    get_job,
    job_file,
    job_files,
    kind_label,
    start_workers,
)
from runtime.web.auth import login_required

blueprint = Blueprint("jobs", __name__, url_prefix="/jobs")


@blueprint.record_once
def _start(setup: BlueprintSetupState) -> None:
    start_background(setup.app)


def start_background(app: Flask) -> None:
    """Create the job tables and start the app's worker threads (once per app)."""
    engine = app.extensions["kairos"].engine
    ensure_job_tables(engine)
    default = os.environ.get("KAIROS_JOB_WORKERS") or (0 if app.testing else 2)
    count = int(app.config.get("JOB_WORKERS", default))
    app.extensions["kairos_jobs"] = start_workers(engine, count)


def _engine() -> Any:
    return current_app.extensions["kairos"].engine


def _visible_job(job_id: int) -> dict[str, Any]:
    try:
        job = get_job(_engine(), job_id)
    except JobNotFound:
        abort(404)
    if not (g.actor.is_admin or job["user_id"] == g.user["id"]):
        abort(404)
    return job


def job_json(job: dict[str, Any]) -> dict[str, Any]:
    """The job as the status endpoint returns it: times in ISO 8601, a percentage when the
    total is known, and the job's files with their download URLs."""
    shown = {
        key: (value.isoformat() if isinstance(value, datetime) else value)
        for key, value in job.items()
        if key != "payload"
    }
    total = job["total"]
    shown["percent"] = min(100, round(100 * job["done"] / total)) if total else None
    if job["status"] == "succeeded":
        shown["percent"] = 100
    shown["finished"] = job["status"] in FINISHED
    shown["kind_label"] = kind_label(job["kind"])
    shown["files"] = [
        {"name": name, "url": url_for("jobs.download", job_id=job["id"], name=name)}
        for name in job_files(job["id"])
    ]
    return shown


def _wants_html() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "text/html"


@blueprint.route("/<int:job_id>")
def show(job_id: int) -> Any:
    if g.get("actor") is None and not _wants_html():
        return jsonify({"error": "login required"}), 401
    return _show(job_id)


@login_required
def _show(job_id: int) -> Any:
    job = job_json(_visible_job(job_id))
    if _wants_html():
        return render_template("jobs/show.html", job=job)
    return jsonify(job)


@blueprint.route("/<int:job_id>/progress")
@login_required
def progress(job_id: int) -> Any:
    """The progress card's body, for htmx polling from the job page."""
    return render_template("jobs/_progress.html", job=job_json(_visible_job(job_id)))


@blueprint.route("/<int:job_id>/cancel", methods=["POST"])
@login_required
def cancel(job_id: int) -> Any:
    _visible_job(job_id)
    status = cancel_job(_engine(), job_id)
    if _wants_html():
        return redirect(url_for("jobs.show", job_id=job_id))
    return jsonify({"id": job_id, "status": status})


@blueprint.route("/<int:job_id>/files/<name>")
@login_required
def download(job_id: int, name: str) -> Any:
    _visible_job(job_id)
    path = job_file(job_id, name)
    if path is None:
        abort(404)
    return send_file(path, as_attachment=True, download_name=name)
