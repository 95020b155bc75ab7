"""``/api/v1/tables/{table}/records/bulk``: create (POST) or update (PATCH) up to 1,000
records in one call, with a result per row.

Creating uses ``RecordService.bulk_create`` (set-based), updating
``RecordService.bulk_update``; in both ``atomic`` writes all rows or none (one 422 naming
every bad row) and ``per_row`` writes the valid ones, with a result per row.
"""

from __future__ import annotations

from typing import Any

from flask import Response

from form_engine.messages import FieldError
from runtime.api.auth import caller, service, table_access
from runtime.api.blueprint import (
    MAX_BULK_ROWS,
    blueprint,
    json_body,
    json_object,
    json_response,
    locale,
)
from runtime.api.problems import Problem, from_record_error, text
from runtime.api.records import RECORDS, _no_query
from runtime.records import RecordError, RecordValidationError

CREATE_MODES = ("atomic", "per_row")
UPDATE_MODES = ("atomic", "per_row")


def _bulk_request(modes: tuple[str, ...]) -> tuple[list[Any], str]:
    _no_query()
    body = json_object(json_body())
    unknown = sorted(set(body) - {"records", "mode"})
    if unknown:
        raise Problem(
            400,
            "bad_request",
            text(
                "不支持的成员：{u}；应为 records 和 mode",
                "Unknown members {u}; use records and mode",
                u=", ".join(unknown)[:200],
            ),
        )
    rows = body.get("records")
    if not isinstance(rows, list):
        raise Problem(
            400, "bad_request", text("records 应为 JSON 数组", "records must be a JSON array")
        )
    if len(rows) > MAX_BULK_ROWS:
        raise Problem(
            413,
            "too_large",
            text(
                "一次最多 {n} 行，收到 {m} 行",
                "At most {n} rows per call, got {m}",
                n=MAX_BULK_ROWS,
                m=len(rows),
            ),
        )
    mode = body.get("mode", modes[0])
    if mode not in modes:
        raise Problem(
            400,
            "bad_request",
            text("mode 应为 {m}", "mode must be {m}", m=" / ".join(modes)),
            allowed=list(modes),
        )
    return rows, mode


def row_problem(error: RecordError | Problem) -> dict[str, Any]:
    """One failed row's problem, as inside a bulk answer (no ``instance``)."""
    problem = error if isinstance(error, Problem) else from_record_error(error)
    body = problem.body(locale())
    body.pop("instance", None)
    return body


def _row_errors(index: int, error: RecordError) -> list[dict[str, Any]]:
    if isinstance(error, RecordValidationError):
        return [
            {"row": index, "field": e.field, "code": e.code, "message": e.message(locale())}
            for e in error.errors
        ]
    return [{"row": index, "field": None, "code": error.code, "message": error.message(locale())}]


@blueprint.post(RECORDS + "/bulk")
def bulk_create(table: str) -> Response:
    table_access(table, write=True)
    rows, mode = _bulk_request(CREATE_MODES)
    outcome = service().bulk_create(caller().actor, table, rows, atomic=mode == "atomic")
    if mode == "atomic" and outcome.errors:
        raise _nothing_written(outcome.errors)
    created = iter(outcome.created)
    results = []
    for index in range(len(rows)):
        if index in outcome.errors:
            error = outcome.errors[index]
            problem = row_problem(error)
            results.append({"index": index, "status": problem["status"], "problem": problem})
        else:
            results.append({"index": index, "status": 201, "id": next(created)})
    return json_response(
        {"results": results, "created": len(outcome.created), "failed": len(outcome.errors)}
    )


def _nothing_written(errors: dict[int, RecordError]) -> Problem:
    """The one problem of an atomic bulk call that failed: every bad row's errors."""
    details = [e for i in sorted(errors) for e in _row_errors(i, errors[i])]
    return Problem(
        422,
        "validation",
        text(
            "第 {r} 行未通过校验（行号从 0 开始），没有写入任何记录",
            "Rows {r} (counted from 0) failed; nothing was written",
            r=", ".join(str(i) for i in sorted(errors)),
        ),
        errors=details,
    )


def _missing_id() -> RecordValidationError:
    return RecordValidationError([FieldError("id", "required", {"label": "id"})])


@blueprint.patch(RECORDS + "/bulk")
def bulk_update(table: str) -> Response:
    table_access(table, write=True)
    rows, mode = _bulk_request(UPDATE_MODES)
    svc, actor = service(), caller().actor
    outcome = svc.bulk_update(actor, table, rows, atomic=mode == "atomic")
    # A row without its id cannot name a record: say so, rather than "record not found".
    errors = {
        i: _missing_id() if isinstance(rows[i], dict) and "id" not in rows[i] else error
        for i, error in outcome.errors.items()
    }
    if mode == "atomic" and errors:
        raise _nothing_written(errors)
    updated = iter(outcome.updated)
    results: list[dict[str, Any]] = []
    for index in range(len(rows)):
        if index in errors:
            problem = row_problem(errors[index])
            results.append({"index": index, "status": problem["status"], "problem": problem})
            continue
        record_id = next(updated)
        record = svc.get(actor, table, record_id)
        results.append({"index": index, "status": 200, "id": record_id, "record": record})
    return json_response(
        {"results": results, "updated": len(outcome.updated), "failed": len(errors)}
    )
