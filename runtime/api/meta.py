"""``/api/v1/me`` (who the token acts as) and ``/api/v1/tables`` (what it may reach)."""

from __future__ import annotations

from flask import Response, request

from runtime.api import params
from runtime.api.auth import caller, service
from runtime.api.blueprint import V1, blueprint, json_response
from runtime.db import read_transaction
from runtime.org import get_user

ACTIONS = ("read", "create", "update", "delete", "share")
WRITE_ACTIONS = frozenset(ACTIONS) - {"read"}


@blueprint.get(V1 + "/me")
def me() -> Response:
    params.single(request.args, ())
    who = caller()
    with read_transaction(service().engine) as conn:
        user = get_user(conn, who.token.user_id)
    return json_response(
        {
            "id": who.token.user_id,
            "username": user["username"],
            "display_name": user["display_name"],
            "locale": who.actor.locale,
            "token": who.token.scope(),
        }
    )


@blueprint.get(V1 + "/tables")
def tables() -> Response:
    """The top-level tables the user may read and the token covers, with the actions
    left after the token's access (a read-only token: ``["read"]``)."""
    params.single(request.args, ())
    who = caller()
    svc = service()
    data = []
    for spec in svc.tables.app.tables:
        if spec.parent or not who.token.covers(spec.key):
            continue
        access = svc.access(who.actor, svc.plan(spec.key))
        if not access.can("read"):
            continue
        actions = [a for a in ACTIONS if access.can(a)]
        if who.token.access != "write":
            actions = [a for a in actions if a not in WRITE_ACTIONS]
        data.append({"key": spec.key, "label": dict(spec.label), "actions": actions})
    return json_response({"data": data})
