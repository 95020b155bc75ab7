"""The OpenAPI 3.1 document of the REST API for the published app (docs/openapi.md).

Generated from the live definition, so every table has its own paths and schemas: a
client generator or the interactive docs see the real field keys, types and options
instead of "a record is an object". The paths follow docs/dev/data-contracts.md exactly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from form_engine.kinds import OPERATORS, Kind
from runtime.api import _openapi_schemas as schemas
from runtime.records import RecordService
from runtime.records._plan import SYSTEM_KINDS, TablePlan
from schemas.spec import DEFAULT_LOCALE, LOCALES, localize

OPENAPI_VERSION = "3.1.0"
BASE_PATH = "/api/v1"
PROBLEM_TYPE = "https://kairos.dev/problems/"
FILTER_OPERATORS = ("ne", "gt", "gte", "lt", "lte", "contains", "starts_with", "in")
"""The simple-form filter suffixes (``<field>__<op>=v``) the list and aggregate take."""
RESERVED_PARAMETERS = frozenset(
    {"fields", "sort", "limit", "cursor", "count", "q", "where", "group_by", "measures"}
)

_TEXT: Mapping[str, Mapping[str, str]] = {
    "title": {"zh-CN": "{app} API", "en": "{app} API"},
    "meta": {"zh-CN": "当前用户与可用的表", "en": "The caller and the tables"},
    "intro": {
        "zh-CN": "{app} 的 REST 接口。用 API 令牌认证：Authorization: Bearer kai_…；"
        "错误以 application/problem+json 返回。",
        "en": "REST API of {app}. Authenticate with an API token: "
        "Authorization: Bearer kai_…; errors are application/problem+json.",
    },
    "list": {"zh-CN": "查询{table}", "en": "List {table} records"},
    "create": {"zh-CN": "新建{table}", "en": "Create a {table} record"},
    "get": {"zh-CN": "读取一条{table}", "en": "Get a {table} record"},
    "update": {"zh-CN": "修改{table}", "en": "Update a {table} record"},
    "delete": {"zh-CN": "删除{table}（移入回收站）", "en": "Delete a {table} record (recycle bin)"},
    "restore": {"zh-CN": "从回收站恢复{table}", "en": "Restore a {table} record"},
    "bulk_create": {"zh-CN": "批量新建{table}", "en": "Create {table} records in bulk"},
    "bulk_update": {"zh-CN": "批量修改{table}", "en": "Update {table} records in bulk"},
    "upsert": {"zh-CN": "按键新建或修改{table}", "en": "Create or update a {table} record by key"},
    "aggregate": {"zh-CN": "汇总{table}", "en": "Aggregate {table} records"},
    "merge": {"zh-CN": "合并重复的{table}", "en": "Merge duplicate {table} records"},
    "undo_merge": {"zh-CN": "撤销{table}的合并", "en": "Undo a merge of {table} records"},
    "me": {"zh-CN": "当前令牌的用户", "en": "The token's user"},
    "tables": {"zh-CN": "可读的表", "en": "Readable tables"},
    "bearer": {
        "zh-CN": "API 令牌（kai_ 开头），在“个人设置 → API 令牌”中创建。",
        "en": "API token (starts with kai_), created under Settings → API tokens.",
    },
}

OPERATION_TEXTS = (
    "list", "create", "get", "update", "delete", "restore",
    "bulk_create", "bulk_update", "upsert", "aggregate", "merge", "undo_merge",
)  # fmt: skip

_STATUS: Mapping[int, str] = {
    400: "Malformed JSON, bad query parameter or condition",
    401: "Missing, invalid, revoked or expired token",
    403: "The role or the token scope forbids it",
    404: "Unknown table or record, or not visible",
    409: "row_version conflict: the record changed meanwhile",
    413: "Body over the limit, or more than 1,000 bulk rows",
    415: "The body is not JSON",
    422: "Invalid values; errors lists each problem",
    429: "Too many requests; see Retry-After",
}

READ_ERRORS = (400, 401, 403, 404, 429)
WRITE_ERRORS = (400, 401, 403, 404, 409, 413, 415, 422, 429)


def _say(key: str, locale: str, **values: str) -> str:
    text = _TEXT[key]
    return (text.get(locale) or text[DEFAULT_LOCALE]).format_map(values)


def openapi_document(service: RecordService, *, locale: str = DEFAULT_LOCALE) -> dict[str, Any]:
    """The OpenAPI 3.1 document of the published app behind ``service``, with titles and
    summaries in ``locale`` (field descriptions carry both languages)."""
    if locale not in LOCALES:
        locale = DEFAULT_LOCALE
    app = service.tables.app
    name = localize(app.name, locale)
    components: dict[str, Any] = schemas.common_schemas()
    paths: dict[str, Any] = {
        "/me": {"get": _operation("get_me", _say("me", locale), ["meta"], _json(_ref("Me")))},
        "/tables": {
            "get": _operation(
                "list_tables", _say("tables", locale), ["meta"], _json(_ref("Tables"))
            )
        },
    }
    tags = [{"name": "meta", "description": _say("meta", locale)}]
    for table in app.tables:
        plan = service.plan(table.key)
        components.update(schemas.table_schemas(app.roles, plan))
        if plan.parent:
            continue
        label = localize(table.label, locale)
        tags.append({"name": table.key, "description": schemas.label_text(table.label)})
        paths.update(_table_paths(plan, label, locale))
    return {
        "openapi": OPENAPI_VERSION,
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": {
            "title": _say("title", locale, app=name),
            "version": str(app.version),
            "description": _say("intro", locale, app=name),
        },
        "servers": [{"url": BASE_PATH}],
        "security": [{"bearerAuth": []}],
        "tags": tags,
        "paths": paths,
        "components": {
            "schemas": components,
            "responses": {str(code): _problem_response(code) for code in _STATUS},
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "kai_<43 url-safe characters>",
                    "description": _say("bearer", locale),
                }
            },
        },
    }


# --- paths ------------------------------------------------------------------------------
def _table_paths(plan: TablePlan, label: str, locale: str) -> dict[str, Any]:
    key = plan.key
    base = f"/tables/{key}"
    record = _ref(schemas.record_name(key))
    create = _ref(schemas.input_name(key, "create"))
    update = _ref(schemas.input_name(key, "update"))
    filters = _filters_parameter(plan)
    say = {op: _say(op, locale, table=label) for op in OPERATION_TEXTS}
    one = [_id_parameter()]
    created = {
        "description": "Created",
        "headers": {"Location": {"schema": {"type": "string"}, "description": "Record URL"}},
        "content": {"application/json": {"schema": record}},
    }
    return {
        f"{base}/records": {
            "get": _operation(
                f"list_{key}",
                say["list"],
                [key],
                _json(_page(record)),
                params=[*_list_parameters(), filters],
                errors=READ_ERRORS,
            ),
            "post": _operation(
                f"create_{key}",
                say["create"],
                [key],
                {"201": created},
                body=create,
                errors=WRITE_ERRORS,
            ),
        },
        f"{base}/records/{{id}}": {
            "get": _operation(
                f"get_{key}",
                say["get"],
                [key],
                _json(record),
                params=[*one, _fields_parameter()],
                errors=READ_ERRORS,
            ),
            "patch": _operation(
                f"update_{key}",
                say["update"],
                [key],
                _json(record),
                params=[*one, _if_match_parameter()],
                body=update,
                errors=WRITE_ERRORS,
            ),
            "delete": _operation(
                f"delete_{key}",
                say["delete"],
                [key],
                {"204": {"description": "Deleted"}},
                params=one,
                errors=(400, 401, 403, 404, 409, 422, 429),
            ),
        },
        f"{base}/records/{{id}}/restore": {
            "post": _operation(
                f"restore_{key}",
                say["restore"],
                [key],
                _json(record),
                params=one,
                errors=(400, 401, 403, 404, 409, 422, 429),
            )
        },
        f"{base}/records/bulk": {
            "post": _operation(
                f"bulk_create_{key}",
                say["bulk_create"],
                [key],
                _json(_ref("BulkResult")),
                body=_bulk_body(create),
                errors=WRITE_ERRORS,
            ),
            "patch": _operation(
                f"bulk_update_{key}",
                say["bulk_update"],
                [key],
                _json(_ref("BulkResult")),
                body=_bulk_body(_with_id(update)),
                errors=WRITE_ERRORS,
            ),
        },
        f"{base}/records/upsert": {
            "post": _operation(
                f"upsert_{key}",
                say["upsert"],
                [key],
                {**_json(record), "201": {**created}},
                body=_upsert_body(plan, create),
                errors=WRITE_ERRORS,
            )
        },
        f"{base}/aggregate": {
            "get": _operation(
                f"aggregate_{key}",
                say["aggregate"],
                [key],
                _json(_ref("Aggregate")),
                params=[*_aggregate_parameters(), filters],
                errors=READ_ERRORS,
            )
        },
        **(_merge_paths(key, record, say) if plan.spec.duplicate_rules else {}),
    }


def _merge_paths(key: str, record: dict[str, Any], say: Mapping[str, str]) -> dict[str, Any]:
    """Merging duplicates (tables with duplicate rules; docs/duplicates.md)."""
    ids = {"type": "integer", "minimum": 1}
    body = {
        "type": "object",
        "required": ["master_id", "other_ids"],
        "properties": {
            "master_id": ids,
            "other_ids": {"type": "array", "minItems": 1, "maxItems": 4, "items": ids},
            "field_choices": {
                "type": "object",
                "additionalProperties": ids,
                "description": "field → id of the record whose value the master keeps",
            },
        },
        "additionalProperties": False,
    }
    merged = {
        "type": "object",
        "required": ["merge_id", "master_id", "merged_ids", "repointed", "record"],
        "properties": {
            "merge_id": {"type": "integer"},
            "master_id": {"type": "integer"},
            "merged_ids": {"type": "array", "items": {"type": "integer"}},
            "repointed": {"type": "object", "additionalProperties": {"type": "integer"}},
            "record": record,
        },
    }
    undone = {
        "type": "object",
        "required": ["merge_id", "record"],
        "properties": {"merge_id": {"type": "integer"}, "record": record},
    }
    merge_id = {"name": "merge_id", "in": "path", "required": True, "schema": ids}
    return {
        f"/tables/{key}/merge": {
            "post": _operation(
                f"merge_{key}", say["merge"], [key], _json(merged), body=body, errors=WRITE_ERRORS
            )
        },
        f"/tables/{key}/merges/{{merge_id}}/undo": {
            "post": _operation(
                f"undo_merge_{key}",
                say["undo_merge"],
                [key],
                _json(undone),
                params=[merge_id],
                errors=(400, 401, 403, 404, 409, 429),
            )
        },
    }


def _operation(
    operation_id: str,
    summary: str,
    tags: list[str],
    responses: dict[str, Any],
    *,
    params: Iterable[dict[str, Any]] = (),
    body: dict[str, Any] | None = None,
    errors: Iterable[int] = (401, 429),
) -> dict[str, Any]:
    out: dict[str, Any] = {"operationId": operation_id, "summary": summary, "tags": tags}
    if params:
        out["parameters"] = list(params)
    if body is not None:
        out["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    out["responses"] = {
        **responses,
        **{str(code): {"$ref": f"#/components/responses/{code}"} for code in errors},
    }
    return out


def _json(schema: dict[str, Any], status: str = "200") -> dict[str, Any]:
    return {status: {"description": "OK", "content": {"application/json": {"schema": schema}}}}


def _ref(name: str) -> dict[str, Any]:
    return schemas.ref(name)


def _page(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["data", "next_cursor"],
        "properties": {
            "data": {"type": "array", "items": record},
            "next_cursor": {"type": ["string", "null"], "description": "Pass as cursor="},
            "total": {"type": "integer", "minimum": 0, "description": "Only with count=true"},
        },
    }


def _with_id(update: dict[str, Any]) -> dict[str, Any]:
    return {"allOf": [update, {"type": "object", "required": ["id"]}]}


def _bulk_body(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["records"],
        "properties": {
            "records": {"type": "array", "maxItems": 1000, "items": row},
            "mode": {"type": "string", "enum": ["atomic", "per_row"], "default": "atomic"},
        },
        "additionalProperties": False,
    }


def _upsert_body(plan: TablePlan, create: dict[str, Any]) -> dict[str, Any]:
    keys = [k for k, f in plan.fields.items() if not f.computed and not f.is_child_table]
    return {
        "type": "object",
        "required": ["key", "record"],
        "properties": {
            "key": {
                "type": "array",
                "minItems": 1,
                "items": {"type": "string", "enum": keys},
                "description": "Fields that identify the record (e.g. a unique name).",
            },
            "record": create,
        },
        "additionalProperties": False,
    }


# --- parameters -------------------------------------------------------------------------
def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema,
            "description": description}  # fmt: skip


def _fields_parameter() -> dict[str, Any]:
    return _query("fields", {"type": "string"}, "Comma-separated field keys to return.")


def _id_parameter() -> dict[str, Any]:
    return {"name": "id", "in": "path", "required": True, "schema": schemas.ID}


def _if_match_parameter() -> dict[str, Any]:
    return {
        "name": "If-Match",
        "in": "header",
        "required": False,
        "schema": {"type": "string"},
        "description": 'The row_version read, quoted: "3" (instead of row_version in the body).',
    }


def _list_parameters() -> list[dict[str, Any]]:
    return [
        _fields_parameter(),
        _query("sort", {"type": "string"}, "Comma-separated keys; '-' for descending: -amount"),
        _query(
            "limit", {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}, "Page size"
        ),
        _query("cursor", {"type": "string"}, "next_cursor of the previous page"),
        _query("count", {"type": "boolean"}, "true adds total"),
        _query("q", {"type": "string", "maxLength": 200}, "Quick search"),
        _where_parameter(),
    ]


def _aggregate_parameters() -> list[dict[str, Any]]:
    return [
        _query("group_by", {"type": "string"}, "Comma-separated field keys"),
        _query("measures", {"type": "string"},
               "count, sum:<field>, avg:<field>, min:<field>, max:<field> (comma-separated)"),
        _where_parameter(),
    ]  # fmt: skip


def _where_parameter() -> dict[str, Any]:
    return _query(
        "where",
        {"type": "string"},
        'JSON condition, e.g. {"field": "stage", "op": "eq", "value": "won"}',
    )


def _filters_parameter(plan: TablePlan) -> dict[str, Any]:
    """The simple filter form: ``<field>=v`` (equals) and ``<field>__<op>=v``."""
    properties: dict[str, Any] = {}
    kinds: dict[str, Kind] = {**SYSTEM_KINDS, **plan.kinds}
    kinds.pop("deleted_at", None)
    for key, kind in kinds.items():
        if key in RESERVED_PARAMETERS or kind in (Kind.JSON, Kind.ROWS):
            continue
        properties[key] = {"type": "string"}
        for op in FILTER_OPERATORS:
            if op in OPERATORS[kind]:
                properties[f"{key}__{op}"] = {"type": "string"}
    return {
        "name": "filters",
        "in": "query",
        "required": False,
        "style": "form",
        "explode": True,
        "schema": {"type": "object", "properties": properties, "additionalProperties": False},
        "description": "Simple filters: <field>=value, <field>__<op>=value with op in "
        + ", ".join(FILTER_OPERATORS)
        + " (in: comma-separated values).",
    }


# --- shared schemas ---------------------------------------------------------------------
def _problem_response(status: int) -> dict[str, Any]:
    text = _STATUS[status]
    response: dict[str, Any] = {
        "description": text,
        "content": {"application/problem+json": {"schema": _ref("Problem")}},
    }
    if status == 429:
        response["headers"] = {"Retry-After": {"schema": {"type": "string"}}}
    return response
