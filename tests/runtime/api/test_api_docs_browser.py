"""The interactive API docs in Chromium: swagger-ui loads from static/vendor (no CDN),
"Authorize" takes an administrator's bearer token and "Try it out" on GET /me answers 200
as that user. Screenshot in tests/.artifacts."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from runtime.web import create_app
from tests.runtime.api.conftest import ARTIFACTS, make_token
from tests.runtime.web.conftest import postgres_sample_dump  # noqa: F401  (`sample` needs it)

pytestmark = pytest.mark.browser

VENDOR = ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js")


def test_authorize_with_a_token_and_try_me(page: Any, sample: str, tmp_path: Any) -> None:
    app: Flask = create_app({"DATABASE_URL": sample, "SECRET_KEY": "t", "FILES_DIR": str(tmp_path)})
    try:
        secret, _token_id = make_token(app, "admin")
    finally:
        app.extensions["kairos"].engine.dispose()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto("/api/docs")
    assert page.title().startswith("API 文档")
    page.wait_for_selector(".swagger-ui .opblock-tag-section", timeout=45_000)  # ~0.5 MB document
    page.click(".swagger-ui button.authorize")
    page.fill(".swagger-ui .auth-container input", secret)
    page.click(".swagger-ui .auth-btn-wrapper button.authorize")
    page.click(".swagger-ui .auth-btn-wrapper button.btn-done")
    page.click(".swagger-ui #operations-tag-meta")
    page.click(".swagger-ui #operations-meta-get_me .opblock-summary")
    page.click(".swagger-ui #operations-meta-get_me .try-out__btn")
    page.click(".swagger-ui #operations-meta-get_me .execute")
    status = page.locator(
        ".swagger-ui #operations-meta-get_me .live-responses-table tbody .response-col_status"
    )
    status.first.wait_for()
    assert status.first.inner_text().strip().startswith("200")
    body = page.locator(".swagger-ui #operations-meta-get_me .live-responses-table .microlight")
    assert '"username": "admin"' in body.first.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "api_docs_zh.png"), full_page=False)
    hosts = {url.split("/")[2] for url in requested}
    assert len(hosts) == 1, hosts  # everything from this server: no CDN
    assert any(url.endswith(f"/static/vendor/swagger-ui/{name}") for name in VENDOR
               for url in requested)  # fmt: skip
