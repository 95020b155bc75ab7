"""``/api/v1/tables/{table}/records`` and ``/aggregate``: one record or many, through
``RecordService`` with the caller's ``api`` actor, so validation, permissions and audit
always apply."""

from __future__ import annotations

from typing import Any

from flask import Response, request, url_for

from form_engine.kinds import Kind
from runtime.api import params
from runtime.api.auth import caller, service, table_access
from runtime.api.blueprint import V1, blueprint, json_body, json_object, json_response
from runtime.api.problems import Problem, text
from runtime.records._permissions import TableAccess
from runtime.records._plan import TablePlan

RECORDS = V1 + "/tables/<table>/records"
RECORD = RECORDS + "/<record_id>"


def filter_kinds(plan: TablePlan, access: TableAccess) -> dict[str, Kind]:
    """Fields the caller may name in filters, sorts and groups (hidden ones do not
    exist for them; the service refuses masked ones with 403)."""
    out = {}
    for key, kind in plan.kinds.items():
        field = plan.fields.get(key)
        if key in params.SYSTEM_FIELDS or (field and field.stored and access.visible(key)):
            out[key] = kind
    return out


def output_fields(plan: TablePlan, access: TableAccess) -> list[str]:
    """Fields ``fields=`` may name: the visible ones and the system keys."""
    return [k for k in plan.fields if access.visible(k)] + list(params.SYSTEM_FIELDS)


def _no_query(*allowed: str) -> None:
    params.single(request.args, allowed)


def record_location(table: str, record_id: Any) -> str:
    return url_for("api.get_record", table=table, record_id=record_id)


@blueprint.get(RECORDS)
def list_records(table: str) -> Response:
    plan, access = table_access(table)
    query = params.parse_list_query(
        request.args,
        filter_kinds(plan, access),
        output_fields(plan, access),
        plan.spec.default_sort,
    )
    options: dict[str, Any] = {}
    if query.order_by is not None:
        options["order_by"] = query.order_by
    page = service().query(
        caller().actor,
        table,
        where=query.where,
        fields=query.fields,
        limit=query.limit,
        after=query.cursor,
        with_count=query.with_count,
        search=query.search,
        **options,
    )
    body: dict[str, Any] = {"data": page.rows, "next_cursor": page.next_cursor}
    if query.with_count:
        body["total"] = page.total
    return json_response(body)


@blueprint.post(RECORDS)
def create_record(table: str) -> Response:
    table_access(table, write=True)
    _no_query()
    values = json_object(json_body())
    record = service().create(caller().actor, table, values)
    return json_response(record, 201, {"Location": record_location(table, record["id"])})


@blueprint.get(RECORD)
def get_record(table: str, record_id: str) -> Response:
    plan, access = table_access(table)
    fields = params.parse_record_fields(request.args, output_fields(plan, access))
    return json_response(service().get(caller().actor, table, record_id, fields=fields))


def if_match() -> int | None:
    """``If-Match: "<row_version>"`` (weak or strong), else None."""
    raw = request.headers.get("If-Match")
    if raw is None:
        return None
    value = raw.strip().removeprefix("W/").strip('"')
    if not (value.isascii() and value.isdigit()) or len(value) > 18:
        raise Problem(
            400,
            "bad_request",
            text('If-Match 应为 "<row_version>"', 'If-Match must be "<row_version>"'),
        )
    return int(value)


@blueprint.patch(RECORD)
def update_record(table: str, record_id: str) -> Response:
    table_access(table, write=True)
    _no_query()
    values = json_object(json_body())
    version = values.get("row_version")
    if version is None:
        version = if_match()
    record = service().update(caller().actor, table, record_id, values, row_version=version)
    return json_response(record)


@blueprint.delete(RECORD)
def delete_record(table: str, record_id: str) -> Response:
    table_access(table, write=True)
    _no_query()
    service().delete(caller().actor, table, record_id, row_version=if_match())
    return Response(status=204)


@blueprint.post(RECORD + "/restore")
def restore_record(table: str, record_id: str) -> Response:
    table_access(table, write=True)
    _no_query()
    return json_response(service().restore(caller().actor, table, record_id))


@blueprint.post(RECORDS + "/upsert")
def upsert_record(table: str) -> Response:
    table_access(table, write=True)
    _no_query()
    body = json_object(json_body())
    unknown = sorted(set(body) - {"key", "record"})
    if unknown:
        raise Problem(
            400,
            "bad_request",
            text(
                "不支持的成员：{u}；应为 key 和 record",
                "Unknown members {u}; use key and record",
                u=", ".join(unknown)[:200],
            ),
        )
    key = body.get("key")
    if not isinstance(key, list) or not key or not all(isinstance(k, str) for k in key):
        raise Problem(
            400,
            "bad_request",
            text(
                'key 应为字段名列表，如 ["name"]', 'key must be a list of field keys, e.g. ["name"]'
            ),
        )
    values = json_object(body.get("record"), "record")
    record, created = service().upsert(caller().actor, table, key, values)
    if created:
        return json_response(record, 201, {"Location": record_location(table, record["id"])})
    return json_response(record)


@blueprint.get(V1 + "/tables/<table>/aggregate")
def aggregate(table: str) -> Response:
    plan, access = table_access(table)
    query = params.parse_aggregate_query(request.args, filter_kinds(plan, access))
    rows = service().aggregate(
        caller().actor, table, group_by=query.group_by, measures=query.measures, where=query.where
    )
    return json_response({"data": rows})
