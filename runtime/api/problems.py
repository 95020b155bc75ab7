"""RFC 9457 problem details for every API error, in zh-CN or en.

``Problem`` is raised anywhere in a request and rendered by the blueprint's error handler;
``from_record_error`` maps the record service's errors onto statuses, so the API says
exactly what the service decided (404 never tells "exists but hidden" apart from missing).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from flask import Response, request

from runtime.records import (
    PermissionDenied,
    QueryError,
    RecordConflict,
    RecordError,
    RecordNotFound,
    RecordValidationError,
)
from schemas.spec import DEFAULT_LOCALE, LOCALES

PROBLEM_BASE = "https://kairos.dev/problems/"
MEDIA_TYPE = "application/problem+json"

TITLES: Mapping[str, Mapping[str, str]] = {
    "bad_request": {"zh-CN": "请求有误", "en": "Bad request"},
    "bad_parameter": {"zh-CN": "查询参数有误", "en": "Bad query parameter"},
    "bad_query": {"zh-CN": "查询条件有误", "en": "Bad query"},
    "malformed_json": {"zh-CN": "JSON 格式有误", "en": "Malformed JSON"},
    "unauthorized": {"zh-CN": "未认证", "en": "Not authenticated"},
    "forbidden": {"zh-CN": "没有权限", "en": "Forbidden"},
    "token_scope": {"zh-CN": "令牌范围不允许", "en": "Outside the token's scope"},
    "not_found": {"zh-CN": "不存在", "en": "Not found"},
    "method_not_allowed": {"zh-CN": "不支持该请求方法", "en": "Method not allowed"},
    "conflict": {"zh-CN": "记录已被他人修改", "en": "Edit conflict"},
    "too_large": {"zh-CN": "请求过大", "en": "Request too large"},
    "unsupported_media_type": {"zh-CN": "不支持的内容类型", "en": "Unsupported media type"},
    "validation": {"zh-CN": "数据校验未通过", "en": "Validation failed"},
    "rate_limited": {"zh-CN": "请求过于频繁", "en": "Too many requests"},
    "server_error": {"zh-CN": "服务器内部错误", "en": "Internal server error"},
}


def api_locale(preferred: str | None = None) -> str:
    """``Accept-Language`` when it names zh-CN or en (zh counts as zh-CN), else the token
    user's locale, else zh-CN."""
    header = request.headers.get("Accept-Language", "") if request else ""
    if header:
        best = request.accept_languages.best_match(["zh-CN", "zh", "en"])
        if best in ("zh-CN", "zh"):
            return "zh-CN"
        if best == "en":
            return "en"
    return preferred if preferred in LOCALES else DEFAULT_LOCALE


class Problem(Exception):
    """An API error: status, code (also the ``type`` suffix), localised detail, extras."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: Mapping[str, str] | str,
        *,
        title_code: str | None = None,
        headers: Mapping[str, str] | None = None,
        **extra: Any,
    ) -> None:
        self.status = status
        self.code = code
        self.detail = detail
        self.title_code = title_code or code
        self.headers = dict(headers or {})
        self.extra = extra
        super().__init__(f"{status} {code}")

    def body(self, locale: str) -> dict[str, Any]:
        detail = self.detail if isinstance(self.detail, str) else self.detail[locale]
        title = TITLES.get(self.title_code, TITLES["bad_request"])[locale]
        body: dict[str, Any] = {
            "type": PROBLEM_BASE + self.code,
            "title": title,
            "status": self.status,
            "detail": detail,
            "instance": request.path if request else None,
            "code": self.code,
        }
        for key, value in self.extra.items():
            body[key] = value(locale) if callable(value) else value
        return body


def text(zh: str, en: str, **params: Any) -> dict[str, str]:
    """A detail in both languages (``{name}`` placeholders filled in)."""
    return {"zh-CN": zh.format(**params), "en": en.format(**params)}


def problem_response(problem: Problem, locale: str) -> Response:
    body = json.dumps(problem.body(locale), ensure_ascii=False, default=str)
    response = Response(body, status=problem.status, mimetype=MEDIA_TYPE)
    for name, value in problem.headers.items():
        response.headers[name] = value
    return response


def _messages(error: RecordError) -> dict[str, str]:
    return {loc: error.message(loc) for loc in LOCALES}


def field_errors(error: RecordValidationError) -> Callable[[str], list[dict[str, Any]]]:
    """The ``errors`` member: a callable of the locale, so each is rendered on output."""

    def render(locale: str) -> list[dict[str, Any]]:
        return [
            {"field": item.field, "code": item.code, "message": item.message(locale)}
            for item in error.errors
        ]

    return render


def from_record_error(error: RecordError) -> Problem:
    """The problem for a record-service error (status per docs/dev/data-contracts.md)."""
    if isinstance(error, RecordValidationError):
        return Problem(422, "validation", _messages(error), errors=field_errors(error))
    if isinstance(error, RecordNotFound):
        return Problem(404, "not_found", _messages(error))
    if isinstance(error, PermissionDenied):
        return Problem(403, "forbidden", _messages(error))
    if isinstance(error, RecordConflict):
        return Problem(
            409,
            "conflict",
            _messages(error),
            row_version=error.current_version,
            updated_by_name=error.updated_by_name,
            updated_at=error.updated_at.isoformat(),
        )
    if isinstance(error, QueryError):
        return Problem(400, "bad_query", _messages(error))
    return Problem(400, "bad_request", _messages(error))
