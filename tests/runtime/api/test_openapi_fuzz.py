"""Schemathesis against the live API (CI): every operation of the generated OpenAPI
document gets a bounded number of generated requests — valid ones and invalid ones — as
an administrator's token, through the WSGI app. Any 500, any response that does not match
the document (schema, status code, content type) fails the test.

CI fuzzes once, on PostgreSQL (the stricter backend: integer ranges, text without NUL,
typed comparisons); its SQLite run skips this module to keep CI within its time budget.
A developer's run without PostgreSQL fuzzes on SQLite.

Reproducible: hypothesis runs derandomized without its example database. One test per
table (and one for /me and /tables), so a failure names the table; each collects the
failures of all its operations before failing, so one bad operation hides no other.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.runtime.api.conftest import make_token

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "opportunity" / "tables"
TOP_LEVEL_TABLES = sorted(
    doc["key"]
    for doc in (json.loads(p.read_text(encoding="utf-8")) for p in EXAMPLES.glob("*.json"))
    if not doc.get("parent")
)
pytestmark = pytest.mark.skipif(
    os.environ.get("CI") == "true" and not os.environ.get("KAIROS_TEST_DATABASE_URL"),
    reason="CI fuzzes the API once, in its PostgreSQL run",
)
MAX_EXAMPLES = 4
"""Per operation and generation mode: ~130 operations stay within about two minutes."""
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]


@pytest.fixture(scope="module")
def admin_token(api_app: Flask) -> str:
    secret, _token_id = make_token(api_app, "admin")
    return secret


@pytest.fixture(scope="module")
def api_schema(api_app: Flask) -> Any:
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", api_app)


def _operations(schema: Any, tag: str) -> Iterator[Any]:
    for result in schema.get_all_operations():
        operation = result.ok()
        if tag in (operation.definition.raw.get("tags") or []):
            yield operation


def _fuzz(operation: Any, mode: GenerationMode, headers: dict[str, str]) -> None:
    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()


def _fuzz_tag(schema: Any, tag: str, token: str) -> list[str]:
    headers = {"Authorization": f"Bearer {token}"}
    failures: list[str] = []
    operations = list(_operations(schema, tag))
    assert operations, f"the document has no operations tagged {tag!r}"
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _fuzz(operation, mode, headers)
            except Exception as error:  # every failing operation is reported together
                failures.append(f"{operation.label} [{mode.value}]: {error}")
    return failures


@pytest.mark.parametrize("table", TOP_LEVEL_TABLES)
def test_table_operations_conform_and_never_fail(
    api_schema: Any, admin_token: str, table: str
) -> None:
    failures = _fuzz_tag(api_schema, table, admin_token)
    assert not failures, "\n\n".join(failures)


def test_meta_operations_conform(api_schema: Any, admin_token: str) -> None:
    failures = _fuzz_tag(api_schema, "meta", admin_token)
    assert not failures, "\n\n".join(failures)
