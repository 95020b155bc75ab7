"""The ``api`` blueprint (URL prefix ``/api``): authentication before every view, JSON in
and out, and every error as ``application/problem+json``.

Routes of the REST API are ``/api/v1/…`` (``V1`` below); every one needs a token. The
OpenAPI document and the docs page are another blueprint (``runtime.api.docs``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Response, current_app, g, request
from werkzeug.exceptions import HTTPException

from runtime.api import auth
from runtime.api._json import strict_loads
from runtime.api.problems import Problem, api_locale, from_record_error, problem_response, text
from runtime.api.ratelimit import limiter_for
from runtime.api.tokens import ensure_token_table
from runtime.records import RecordError

blueprint = Blueprint("api", __name__, url_prefix="/api")
V1 = "/v1"
DEFAULT_MAX_BODY = 8 * 1024 * 1024
"""Bytes of one request body (config ``API_MAX_BODY``); 1,000 bulk rows fit easily."""
MAX_BULK_ROWS = 1000
JSON_TYPE = "application/json"
log = logging.getLogger(__name__)


@blueprint.record_once
def _setup(setup_state: Any) -> None:
    app = setup_state.app
    app.extensions["csrf"].exempt(blueprint)  # bearer tokens, no cookies: no CSRF
    engine = app.extensions["kairos"].engine
    ensure_token_table(engine)
    app.extensions["kairos_api_rate"] = limiter_for(app.config, engine)


@blueprint.before_request
def _authenticate() -> None:
    g.api_locale = api_locale(None)
    g.api_caller = auth.authenticate()
    g.api_locale = api_locale(g.api_caller.actor.locale)


@blueprint.after_request
def _rate_headers(response: Response) -> Response:
    rate = g.get("api_rate")
    if rate is not None:
        response.headers["X-RateLimit-Limit"] = str(rate[0])
        response.headers["X-RateLimit-Remaining"] = str(rate[1])
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def locale() -> str:
    return g.get("api_locale") or api_locale(None)


@blueprint.errorhandler(Problem)
def _problem(problem: Problem) -> Response:
    return problem_response(problem, locale())


@blueprint.errorhandler(RecordError)
def _record_error(error: RecordError) -> Response:
    return problem_response(from_record_error(error), locale())


@blueprint.errorhandler(ArithmeticError)
def _number_out_of_range(error: ArithmeticError) -> Response:
    """A number no field can hold that slipped past the field types' own checks (e.g. a
    huge float sent to a text field): the input's fault, so 422, never 500."""
    log.warning("API number out of range: %s %s: %r", request.method, request.path, error)
    problem = Problem(
        422,
        "number_out_of_range",
        text(
            "请求中的数字超出可保存的范围", "A number in the request is beyond what can be stored"
        ),
        title_code="validation",
    )
    return problem_response(problem, locale())


@blueprint.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> Response:
    return problem_response(http_problem(error.code or 500), locale())


@blueprint.errorhandler(Exception)
def _unexpected(error: Exception) -> Response:
    log.exception("API request failed: %s %s", request.method, request.path)
    return problem_response(http_problem(500), locale())


def http_problem(status: int) -> Problem:
    """A problem for a plain HTTP error (routing, body size …); also used by the app for
    URLs under /api/ that match no route."""
    known = {
        400: ("bad_request", "请求无效", "The request is not valid"),
        404: ("not_found", "没有这个地址", "There is no such URL"),
        405: (
            "method_not_allowed",
            "该地址不支持此请求方法",
            "This URL does not accept this method",
        ),
        413: ("too_large", "请求体超过上限", "The request body is over the limit"),
        415: ("unsupported_media_type", "请发送 application/json", "Send application/json"),
    }
    code, zh, en = known.get(status, ("server_error", "请求处理失败，错误已记录",
                                      "The request failed; the error was logged"))  # fmt: skip
    return Problem(status if status in known else 500, code, text(zh, en))


def json_body() -> Any:
    """The request body as JSON: 413 over ``API_MAX_BODY``, 415 unless a JSON media type,
    400 when malformed (NaN and Infinity are not JSON)."""
    request.max_content_length = int(current_app.config.get("API_MAX_BODY", DEFAULT_MAX_BODY))
    mimetype = request.mimetype or ""
    if mimetype != JSON_TYPE and not (
        mimetype.startswith("application/") and mimetype.endswith("+json")
    ):
        raise http_problem(415)
    data = request.get_data(cache=False)

    try:
        return strict_loads(data)
    except (ValueError, RecursionError):
        raise Problem(
            400, "malformed_json", text("请求体不是有效的 JSON", "The body is not valid JSON")
        ) from None


def json_object(value: Any, what: str = "body") -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Problem(
            400,
            "malformed_json",
            text("{w} 应为 JSON 对象", "The {w} must be a JSON object", w=what),
        )
    return value


def json_response(
    data: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    body = json.dumps(data, ensure_ascii=False, default=str)
    response = Response(body, status=status, mimetype=JSON_TYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def api_error(status: int) -> Response:
    """problem+json for an error the app raised outside any API view (no route, wrong
    method) on a URL under /api/."""
    return problem_response(http_problem(status), locale())
