"""Serving the OpenAPI document and the interactive docs (docs/openapi.md).

``GET /api/v1/openapi.json`` needs no token: it describes the published app's tables and
fields, which every API user may learn from the docs anyway, and code generators fetch it
unauthenticated. The document is built once per published version and locale: the
record service is replaced on publish, so it is the cache key (held weakly, so an old
version's document goes with its service). ``GET /api/docs`` is swagger-ui, served from
``static/vendor/swagger-ui`` (no CDN).
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

from flask import Blueprint, current_app, jsonify, render_template, request

from runtime.api.openapi import openapi_document
from runtime.records import RecordService
from runtime.web.i18n import current_locale
from schemas.spec import LOCALES

blueprint = Blueprint("api_docs", __name__)

_documents: weakref.WeakKeyDictionary[RecordService, dict[str, dict[str, Any]]] = (
    weakref.WeakKeyDictionary()
)
_lock = threading.Lock()


def cached_document(service: RecordService, locale: str) -> dict[str, Any]:
    """The document of ``service``'s published version in ``locale``, built once."""
    with _lock:
        per_locale = _documents.setdefault(service, {})
        document = per_locale.get(locale)
        if document is None:
            document = per_locale[locale] = openapi_document(service, locale=locale)
        return document


def _document_locale() -> str:
    """``?locale=zh-CN|en`` when given, else the visitor's language."""
    wanted = request.args.get("locale")
    return wanted if wanted in LOCALES else current_locale()


@blueprint.get("/api/v1/openapi.json")
def openapi_json() -> Any:
    service = current_app.extensions["kairos"].service()
    response = jsonify(cached_document(service, _document_locale()))
    response.headers["Cache-Control"] = "no-cache"  # revalidate: a publish changes it
    response.headers["Access-Control-Allow-Origin"] = "*"  # public, read-only, no cookies
    return response


@blueprint.get("/api/docs")
def interactive_docs() -> Any:
    service = current_app.extensions["kairos"].service()
    locale = current_locale()
    document = cached_document(service, locale)
    return render_template(
        "api_docs/index.html",
        document_url=f"/api/v1/openapi.json?locale={locale}",
        title=document["info"]["title"],
        version=document["info"]["version"],
    )
