"""Imports as background jobs (``runtime.jobs``): the web wizard submits one, a worker runs
it, the browser polls ``GET /jobs/<id>`` for the progress bar.

The uploaded file waits in an uploads folder (``stash_upload``) and is deleted
when its job has run. The job acts as the submitting user (their roles and scopes) on the
``import`` channel; its result is ``ImportResult.as_dict()`` plus ``error_file``, the name
of the error workbook kept with the job (download at ``/jobs/<id>/files/<name>``).
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from runtime import org
from runtime.apps import open_app
from runtime.config import home_dir
from runtime.db import read_transaction
from runtime.jobs import JobContext, register, submit
from runtime.records import Actor, RecordError
from runtime.transfer.importer import ImportOptions, plan_import, run_import
from runtime.transfer.reading import open_source
from runtime.transfer.text import TransferError, text

IMPORT_JOB = "transfer.import"
ERROR_FILE = {"zh-CN": "导入错误.xlsx", "en": "import-errors.xlsx"}


class ImportFailed(Exception):
    """An import that could not start (bad file, mapping or rights): the job fails with
    this localised message."""


def stash_upload(data: bytes, filename: str, folder: Path | None = None) -> Path:
    """Keep an uploaded file until its import runs (in ``folder``, default
    ``<KAIROS_HOME>/imports``) under an unguessable name; returns its path."""
    folder = folder or home_dir() / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{secrets.token_urlsafe(16)}{Path(filename).suffix.lower()}"
    path.write_bytes(data)
    return path


def submit_import(
    engine: Any,
    *,
    app_key: str,
    user_id: int | None,
    table: str,
    path: Path,
    sheet: str | None,
    options: ImportOptions,
) -> int:
    payload = {
        "table": table,
        "path": str(path),
        "sheet": sheet,
        "mode": options.mode,
        "key": list(options.key),
        "all_or_nothing": options.all_or_nothing,
        "dry_run": options.dry_run,
        "mapping": dict(options.mapping),
        "locale": options.locale,
    }
    return submit(engine, kind=IMPORT_JOB, payload=payload, app_key=app_key, user_id=user_id)


def import_job(ctx: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Run one import (see the module docstring)."""
    path = Path(str(payload.get("path") or ""))
    if not path.is_file():
        raise FileNotFoundError("the uploaded file of this import is gone")
    try:
        svc = open_app(ctx.engine, ctx.app_key)
        if ctx.user_id is None:
            actor = Actor.system("import")
        else:
            with read_transaction(ctx.engine) as conn:
                actor = org.load_actor(conn, ctx.user_id, ctx.app_key, channel="import")
        options = ImportOptions(
            mode=payload.get("mode", "insert"),
            key=tuple(payload.get("key") or ()),
            all_or_nothing=bool(payload.get("all_or_nothing", True)),
            dry_run=bool(payload.get("dry_run", False)),
            mapping=payload.get("mapping") or {},
            locale=payload.get("locale") or actor.locale,
        )
        try:
            source = open_source(path, sheet=payload.get("sheet"))
            plan = plan_import(svc, actor, payload["table"], source, options.mapping)
            result = run_import(
                svc, actor, plan, options, progress=ctx.progress, cancelled=ctx.cancelled
            )
        except (TransferError, RecordError) as exc:  # the job's error, in the user's language
            raise ImportFailed(exc.message(options.locale)) from None
    finally:
        path.unlink(missing_ok=True)
    summary = result.as_dict()
    summary["error_file"] = None
    if result.error_file:
        name = ERROR_FILE.get(options.locale, ERROR_FILE["en"])
        summary["error_file"] = ctx.save_file(name, result.error_file)
    if options.all_or_nothing and result.failed and not options.dry_run:
        summary["message"] = text("import_failed_rolled_back", options.locale, count=result.failed)
    ctx.progress(summary["total"], summary["total"])
    return summary


register(IMPORT_JOB, import_job)
