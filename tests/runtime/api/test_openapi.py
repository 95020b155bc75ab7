"""The generated OpenAPI 3.1 document: valid against the OpenAPI 3.1 meta-schema (and
each schema against JSON Schema 2020-12), shaped from the definition (types, enums,
required, readOnly, bilingual descriptions, child tables), served without a token,
cached per published version, and the interactive docs page served locally."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from jsonschema import Draft202012Validator
from schemathesis.specs.openapi.definitions import OPENAPI_31

from runtime.api import docs
from runtime.api.openapi import openapi_document


@pytest.fixture(scope="module")
def document(api_app: Flask) -> dict[str, Any]:
    return openapi_document(api_app.extensions["kairos"].service(), locale="zh-CN")


def _schema(document: dict[str, Any], name: str) -> dict[str, Any]:
    return document["components"]["schemas"][name]


def test_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    errors = sorted(Draft202012Validator(OPENAPI_31).iter_errors(document), key=str)
    assert [e.message for e in errors] == []
    for schema in document["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)
    assert document["openapi"] == "3.1.0"


def test_meta_schema_check_is_not_vacuous(document: dict[str, Any]) -> None:
    broken = {**document, "paths": {"/x": {"get": {"responses": "nope"}}}}
    assert list(Draft202012Validator(OPENAPI_31).iter_errors(broken))


def test_paths_follow_the_contract(document: dict[str, Any]) -> None:
    paths = document["paths"]
    base = "/tables/opportunity"
    assert set(paths[f"{base}/records"]) == {"get", "post"}
    assert set(paths[f"{base}/records/{{id}}"]) == {"get", "patch", "delete"}
    assert set(paths[f"{base}/records/bulk"]) == {"post", "patch"}
    assert "post" in paths[f"{base}/records/{{id}}/restore"]
    assert "post" in paths[f"{base}/records/upsert"]
    assert "get" in paths[f"{base}/aggregate"]
    assert "/me" in paths and "/tables" in paths
    assert document["servers"] == [{"url": "/api/v1"}]
    assert "/tables/opportunity_line/records" not in paths  # child rows go with parents
    listing = paths[f"{base}/records"]["get"]
    names = {p["name"] for p in listing["parameters"]}
    assert {"fields", "sort", "limit", "cursor", "count", "q", "where", "filters"} <= names
    filters = next(p for p in listing["parameters"] if p["name"] == "filters")
    assert filters["style"] == "form" and filters["explode"] is True
    assert {"amount", "amount__gte", "stage__in", "name__contains"} <= set(
        filters["schema"]["properties"]
    )
    assert "amount__contains" not in filters["schema"]["properties"]  # not for numbers
    create = paths[f"{base}/records"]["post"]["responses"]
    assert "Location" in create["201"]["headers"]
    assert {"400", "401", "403", "409", "413", "415", "422", "429"} <= set(create)
    problem = document["components"]["responses"]["422"]["content"]
    assert problem["application/problem+json"]["schema"]["$ref"].endswith("/Problem")
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_field_schemas_follow_the_field_types(document: dict[str, Any]) -> None:
    record = _schema(document, "opportunity.Record")["properties"]
    assert record["amount"]["type"] == ["string", "null"]  # money: an exact decimal string
    assert record["amount"]["pattern"]
    assert record["expected_close_date"]["format"] == "date"
    assert record["customer"]["type"] == ["integer", "null"]  # relation: the record id
    assert record["id"]["readOnly"] is True
    lead = _schema(document, "lead.Record")["properties"]
    assert lead["source"]["enum"][:2] == ["web_form", "import"]
    assert lead["source"]["enum"][-1] is None
    assert lead["score"]["type"] == ["integer", "null"]
    assert lead["opportunity_count"]["readOnly"] is True  # rollup: computed
    assert lead["name"]["description"] == "线索名称 / Lead name"
    assert lead["name"]["title"] == "线索名称"
    create = _schema(document, "lead.Create")
    assert {"name", "company_name", "source"} <= set(create["required"])
    assert "status" not in create["required"]  # has a default
    assert "opportunity_count" not in create["properties"]
    assert create["properties"]["score"]["maximum"] == 100
    assert create["additionalProperties"] is False
    assert "required" not in _schema(document, "lead.Update")


def test_child_tables_are_arrays_of_rows(document: dict[str, Any]) -> None:
    record = _schema(document, "opportunity.Record")["properties"]
    children = [k for k, v in record.items() if v.get("x-kairos-type") == "child_table"]
    assert children
    key = children[0]
    assert record[key]["type"] == "array"
    assert record[key]["items"]["$ref"].endswith(".Record")
    update = _schema(document, "opportunity.Update")["properties"][key]
    assert update["items"]["$ref"].endswith(".Row")


def test_english_document_has_english_titles(api_app: Flask) -> None:
    english = openapi_document(api_app.extensions["kairos"].service(), locale="en")
    assert english["info"]["title"].endswith("API")
    summary = english["paths"]["/tables/lead/records"]["get"]["summary"]
    assert summary == "List Lead records"


def test_served_without_a_token_and_cached_per_version(api_app: Flask) -> None:
    client = api_app.test_client()
    response = client.get("/api/v1/openapi.json?locale=en")
    assert response.status_code == 200
    assert response.json["info"]["title"].endswith("API")
    service = api_app.extensions["kairos"].service()
    assert docs.cached_document(service, "en") is docs.cached_document(service, "en")
    zh = client.get("/api/v1/openapi.json", headers={"Accept-Language": "zh-CN"}).json
    assert zh["paths"]["/tables/lead/records"]["get"]["summary"] == "查询线索"


def test_interactive_docs_page_uses_local_swagger_ui(api_app: Flask) -> None:
    html = api_app.test_client().get("/api/docs", headers={"Accept-Language": "zh-CN"}).text
    assert '<meta charset="utf-8">' in html
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html
    assert "http://" not in html.replace("http://localhost", "")  # no CDN
    assert "API 文档" in html
