"""``/api/v1/tables/{table}/records/bulk``: create (POST) or update (PATCH) up to 1,000
records in one call, with a result per row.

Creating uses ``RecordService.bulk_create`` (set-based): ``atomic`` writes all rows or
none, ``per_row`` writes the valid ones. Updating calls ``RecordService.update`` once per
row; the service offers no multi-record update in one transaction, so updates are
``per_row`` only and ``"mode": "atomic"`` is refused with 400.
"""

from __future__ import annotations

from typing import Any

from flask import Response

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
UPDATE_MODES = ("per_row",)


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
        errors = [e for i in sorted(outcome.errors) for e in _row_errors(i, outcome.errors[i])]
        bad_rows = ", ".join(str(i) for i in sorted(outcome.errors))
        raise Problem(
            422,
            "validation",
            text(
                "第 {r} 行未通过校验（行号从 0 开始），没有写入任何记录",
                "Rows {r} (counted from 0) failed; nothing was written",
                r=bad_rows,
            ),
            errors=errors,
        )
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


@blueprint.patch(RECORDS + "/bulk")
def bulk_update(table: str) -> Response:
    table_access(table, write=True)
    rows, _mode = _bulk_request(UPDATE_MODES)
    svc, actor = service(), caller().actor
    results: list[dict[str, Any]] = []
    for index, row in enumerate(rows):
        if not isinstance(row, dict) or row.get("id") is None:
            problem = row_problem(
                Problem(
                    422,
                    "validation",
                    text(
                        "每行应为带 id 的 JSON 对象", "Each row must be a JSON object with its id"
                    ),
                )
            )
            results.append({"index": index, "status": 422, "problem": problem})
            continue
        values = {k: v for k, v in row.items() if k != "id"}
        try:
            record = svc.update(actor, table, row["id"], values)
        except RecordError as error:
            problem = row_problem(error)
            results.append({"index": index, "status": problem["status"], "problem": problem})
            continue
        results.append({"index": index, "status": 200, "id": record["id"], "record": record})
    failed = sum(1 for r in results if r["status"] != 200)
    return json_response({"results": results, "updated": len(results) - failed, "failed": failed})
