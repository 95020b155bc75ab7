"""``/api/v1/tables/{table}/merge`` and ``…/merges/{merge_id}/undo``: merging duplicate
records (查重与合并) and undoing a merge, through ``runtime.dedupe.merge`` — the same code
the merge page uses, so rights (update on the master, delete on the others), re-pointed
references, the merge log and the audit trail are identical. docs/duplicates.md."""

from __future__ import annotations

from typing import Any

from flask import Response

from runtime.api.auth import caller, service, table_access
from runtime.api.blueprint import V1, blueprint, json_body, json_object, json_response
from runtime.api.problems import Problem, text
from runtime.api.records import _no_query
from runtime.db import read_transaction
from runtime.dedupe.log import ensure_merge_log, get_merge
from runtime.dedupe.merge import MergeError, merge, undo_merge
from schemas.spec import LOCALES

MERGE = V1 + "/tables/<table>/merge"
UNDO = V1 + "/tables/<table>/merges/<int:merge_id>/undo"

STATUS = {
    "merge_not_found": (404, "not_found"),
    "merge_undo_forbidden": (403, "forbidden"),
    "merge_changed_since": (409, "conflict"),
    "merge_already_undone": (409, "conflict"),
}
"""Merge refusals that are not about the request's shape (those are 422)."""


def _refused(error: MergeError) -> Problem:
    status, code = STATUS.get(error.code, (422, "validation"))
    return Problem(status, code, {loc: error.message(loc) for loc in LOCALES})


def _ids(body: dict[str, Any]) -> tuple[Any, Any, Any]:
    unknown = sorted(set(body) - {"master_id", "other_ids", "field_choices"})
    if unknown:
        raise Problem(
            400,
            "bad_request",
            text(
                "不支持的成员：{u}；应为 master_id、other_ids 和 field_choices",
                "Unknown members {u}; use master_id, other_ids and field_choices",
                u=", ".join(unknown)[:200],
            ),
        )
    others = body.get("other_ids")
    choices = body.get("field_choices") or {}
    if not isinstance(others, list) or not isinstance(choices, dict):
        raise Problem(
            400,
            "bad_request",
            text(
                "other_ids 应为 JSON 数组，field_choices 应为 JSON 对象",
                "other_ids must be a JSON array and field_choices a JSON object",
            ),
        )
    return body.get("master_id"), others, choices


@blueprint.post(MERGE)
def merge_records(table: str) -> Response:
    table_access(table, write=True)
    _no_query()
    master_id, other_ids, choices = _ids(json_object(json_body()))
    try:
        result = merge(service(), caller().actor, table, master_id, other_ids, choices)
    except MergeError as error:
        raise _refused(error) from None
    return json_response(
        {
            "merge_id": result.merge_id,
            "master_id": result.master_id,
            "merged_ids": list(result.merged_ids),
            "repointed": dict(result.repointed),
            "record": dict(result.record),
        }
    )


@blueprint.post(UNDO)
def undo_merge_records(table: str, merge_id: int) -> Response:
    table_access(table, write=True)
    _no_query()
    svc = service()
    ensure_merge_log(svc.engine)
    with read_transaction(svc.engine) as conn:
        log = get_merge(conn, merge_id)
    if log is None or log.get("table_key") != table:
        raise Problem(
            404,
            "not_found",
            text(
                "数据表“{t}”没有编号 {m} 的合并",
                "Table {t!r} has no merge {m}",
                t=table,
                m=merge_id,
            ),
        )
    try:
        record = undo_merge(svc, caller().actor, merge_id)
    except MergeError as error:
        raise _refused(error) from None
    return json_response({"merge_id": merge_id, "record": dict(record)})
