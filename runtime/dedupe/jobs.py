"""The duplicate scan as a background job (``runtime.jobs`` kind ``dedupe.scan``).

The duplicates page submits one (``submit_scan``); a worker runs ``scan_duplicates`` as the
submitting user (their roles and row scopes, so the result lists only records they may
read), reporting progress per batch; the result is ``{"table", "rule", "groups": [...]}``
with each group as ``DuplicateGroup.as_dict()``.
"""

from __future__ import annotations

from typing import Any

from runtime import org
from runtime.apps import open_app
from runtime.db import read_transaction
from runtime.dedupe.scan import scan_duplicates
from runtime.jobs import JobContext, register, submit
from runtime.records import Actor, RecordError

SCAN_JOB = "dedupe.scan"


class ScanFailed(Exception):
    """A scan that could not run (unknown table or rule, no read right), in the user's
    language."""


def submit_scan(
    engine: Any, *, app_key: str, user_id: int | None, table: str, rule: str | None = None
) -> int:
    payload = {"table": table, "rule": rule}
    return submit(engine, kind=SCAN_JOB, payload=payload, app_key=app_key, user_id=user_id)


def scan_job(ctx: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
    service = open_app(ctx.engine, ctx.app_key)
    if ctx.user_id is None:
        actor = Actor.system()
    else:
        with read_transaction(ctx.engine) as conn:
            actor = org.load_actor(conn, ctx.user_id, ctx.app_key)
    table, rule = str(payload.get("table") or ""), payload.get("rule")
    try:
        groups = scan_duplicates(
            service, actor, table, rule, progress=lambda done, total: ctx.progress(done, total)
        )
    except RecordError as exc:
        raise ScanFailed(exc.message(actor.locale)) from None
    return {"table": table, "rule": rule, "groups": [g.as_dict() for g in groups]}


register(SCAN_JOB, scan_job)
