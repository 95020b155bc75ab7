"""Who is calling: the bearer token, its user as an ``api`` actor, the rate limit, and the
token's scope narrowing what the user's roles allow."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import current_app, g, request

from runtime import org
from runtime.api import tokens
from runtime.api.problems import Problem, text
from runtime.api.ratelimit import Limiter
from runtime.db import read_transaction, write_transaction
from runtime.records import Actor, RecordService
from runtime.records._permissions import TableAccess
from runtime.records._plan import TablePlan

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="kairos"'}


@dataclass(frozen=True)
class Caller:
    """The authenticated request: token and actor (channel ``api``)."""

    token: tokens.TokenInfo
    actor: Actor


def state() -> Any:
    return current_app.extensions["kairos"]


def limiter() -> Limiter:
    return current_app.extensions["kairos_api_rate"]  # type: ignore[no-any-return]


def service() -> RecordService:
    return state().service()  # type: ignore[no-any-return]


def _unauthorized(zh: str, en: str) -> Problem:
    return Problem(401, "unauthorized", text(zh, en), headers=CHALLENGE)


def authenticate() -> Caller:
    """The caller of this request, or a 401 Problem (missing, malformed, unknown, revoked
    or expired token, or a deactivated user)."""
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if not header:
        raise _unauthorized(
            "缺少令牌：请在 Authorization 头中发送 Bearer kai_…",
            "Missing token: send Authorization: Bearer kai_…",
        )
    if scheme.lower() != "bearer" or not secret.strip():
        raise _unauthorized("Authorization 头应为 Bearer kai_…", "Use Authorization: Bearer kai_…")
    now = datetime.now(UTC)
    app_key = state().app_key
    engine = state().engine
    with read_transaction(engine) as conn:
        token = tokens.authenticate(conn, secret.strip(), now)
        actor = None
        if token is not None and token.app_key == app_key:
            try:
                actor = org.load_actor(conn, token.user_id, app_key, channel="api")
            except org.UnknownUser:
                actor = None
    if token is None or actor is None:
        raise _unauthorized("令牌无效、已撤销或已过期", "The token is invalid, revoked or expired")
    verdict = limiter().hit(token.id)
    if verdict.remaining is not None:  # None: the counter failed and let the request by
        g.api_rate = (limiter().limit, verdict.remaining)
    if not verdict.allowed:
        raise Problem(
            429,
            "rate_limited",
            text(
                "每分钟最多 {n} 次请求，请 {s} 秒后重试",
                "At most {n} requests per minute; retry in {s} s",
                n=limiter().limit,
                s=verdict.retry_after,
            ),
            headers={"Retry-After": str(verdict.retry_after)},
        )
    if token.last_used_at is None or now - token.last_used_at >= tokens.TOUCH_INTERVAL:
        with write_transaction(engine) as conn:
            tokens.touch(conn, token, now)
    return Caller(token, actor)


def caller() -> Caller:
    return g.api_caller  # type: ignore[no-any-return]


def _no_table(table: str) -> Problem:
    shown = table if len(table) <= 60 else table[:59] + "…"
    return Problem(
        404,
        "not_found",
        text(
            "没有数据表“{t}”，或您无权查看",
            "There is no table {t!r}, or you may not see it",
            t=shown,
        ),
    )


def table_access(table: str, *, write: bool = False) -> tuple[TablePlan, TableAccess]:
    """The table's plan and the caller's access: 404 when unknown, a child table or not
    readable by the user's roles; 403 when outside the token's tables, or a write with a
    read-only token."""
    svc = service()
    app = svc.tables.app
    if not app.has_table(table) or app.table(table).parent:
        raise _no_table(table)
    plan = svc.plan(table)
    access = svc.access(caller().actor, plan)
    if not access.can("read"):
        raise _no_table(table)
    token = caller().token
    if not token.covers(table):
        raise Problem(
            403,
            "token_scope",
            text("此令牌不能访问数据表“{t}”", "This token may not access table {t!r}", t=table),
        )
    if write and token.access != "write":
        raise Problem(
            403,
            "token_scope",
            text("此令牌只读，不能写入", "This token is read-only; it cannot write"),
        )
    return plan, access
