"""Request helpers shared by the feature blueprints: the record service, the signed-in
actor, the table being shown, and turning record-service errors into responses."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, g

from runtime.records import Actor, PermissionDenied, RecordNotFound, RecordService, TablePlan
from runtime.web.i18n import current_locale
from schemas.spec import TableSpec


def service() -> RecordService:
    return current_app.extensions["kairos"].service()


def actor() -> Actor:
    """The signed-in user as an Actor of the ``ui`` channel (views are login_required)."""
    current: Actor | None = g.get("actor")
    if current is None:
        abort(401)
    return current


def table_spec(table: str) -> TableSpec:
    """The definition of ``table``, or 404 (also when the user may not read it, so table
    names do not leak)."""
    svc = service()
    if not svc.tables.app.has_table(table):
        abort(404)
    if not svc.access(actor(), svc.plan(table)).can("read"):
        abort(404)
    return svc.tables.app.table(table)


def table_plan(table: str) -> TablePlan:
    table_spec(table)
    return service().plan(table)


def field_access(table: str) -> dict[str, str]:
    """hidden / masked / read / edit per field key, for the signed-in user."""
    svc = service()
    access = svc.access(actor(), svc.plan(table))
    return {f.key: access.access(f.key) for f in svc.tables.app.table(table).fields}


def can(table: str, action: str) -> bool:
    svc = service()
    return svc.access(actor(), svc.plan(table)).can(action)


def abort_for(error: Exception) -> Any:
    """404 for records out of scope or missing, 403 for denied actions."""
    if isinstance(error, RecordNotFound):
        abort(404)
    if isinstance(error, PermissionDenied):
        abort(403, description=error.message(current_locale()))
    raise error
