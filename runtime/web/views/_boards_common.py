"""What the kanban and the calendar share: which fields a user may drag, titles of related
records and owner names for cards, money shown as ¥ 1,234, inputs for the fields a
validation error names, and record-service errors as JSON responses."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import current_app, url_for

from form_engine.fields import default_registry
from form_engine.fields.date_time import field_zone
from runtime import org
from runtime.records import (
    PermissionDenied,
    RecordConflict,
    RecordNotFound,
    RecordValidationError,
)
from runtime.records.errors import QueryError
from runtime.web.context import actor, field_access, service
from runtime.web.i18n import current_locale, gettext, t
from schemas.spec import FieldSpec, TableSpec

CURRENCY_SYMBOLS = {"CNY": "¥", "USD": "$", "EUR": "€", "HKD": "HK$"}
PICK_LIMIT = 200
"""How many target records a dialog's relation picker offers."""


def is_computed(field: FieldSpec) -> bool:
    return bool(default_registry().get(field.type).computed)


def editable(table: str, field: FieldSpec) -> bool:
    """The signed-in user may change ``field`` through the UI: edit access, not computed,
    not ``readonly``. (Row scope is still checked by the service on each write.)"""
    if is_computed(field) or field.readonly:
        return False
    return field_access(table).get(field.key) == "edit"


def queryable(table: str, field: FieldSpec) -> bool:
    """Grouping, filtering or sorting by a hidden or masked field would reveal it."""
    return field_access(table).get(field.key) in ("read", "edit")


def title_of(spec: TableSpec, record: dict[str, Any]) -> str:
    key = spec.title_field
    value = record.get(key) if key else None
    return str(value) if value not in (None, "") else f"#{record['id']}"


def relation_titles(target: str, ids: Iterable[Any]) -> dict[int, str]:
    """``{id: title}`` of the target records the user may read (others are left out)."""
    wanted = sorted({int(i) for i in ids if i is not None})
    svc = service()
    if not wanted or not svc.tables.app.has_table(target):
        return {}
    spec = svc.tables.app.table(target)
    fields = [spec.title_field] if spec.title_field else []
    try:
        page = svc.query(
            actor(),
            target,
            where={"field": "id", "op": "in", "value": wanted},
            fields=fields,
            limit=len(wanted),
        )
    except (PermissionDenied, QueryError):
        return {}
    return {int(r["id"]): title_of(spec, r) for r in page.rows}


def user_names(ids: Iterable[Any]) -> dict[int, str]:
    engine = current_app.extensions["kairos"].engine
    with engine.connect() as conn:
        return org.display_names(conn, [int(i) for i in ids if i is not None])


def money(value: Any, currency: str | None = None) -> str:
    """``¥ 1,234,567`` (no cents when whole) — cards and column totals are read at a glance."""
    if value in (None, ""):
        return ""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    symbol = CURRENCY_SYMBOLS.get(currency or "CNY", f"{currency} ")
    text = f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"
    return f"{symbol}{text}"


def detail_url(table: str, record_id: int) -> str | None:
    """The detail page when that blueprint exists (others may be unfinished)."""
    if "detail.show" in current_app.view_functions:
        return url_for("detail.show", table=table, record_id=record_id)
    return None


def list_url(table: str) -> str | None:
    if "records.list_view" in current_app.view_functions:
        return url_for("records.list_view", table=table)
    return None


def field_input(table: str, field: FieldSpec) -> dict[str, Any] | None:
    """How the fix-it dialog asks for ``field``: a control kind, label, and for choices
    the options. None when the user cannot fill it in here."""
    if not editable(table, field):
        return None
    control: dict[str, Any] = {"field": field.key, "label": t(field.label)}
    if field.type == "single_select":
        options = field.config.get("options", [])
        control.update(
            kind="select",
            options=[{"value": o["key"], "label": t(o.get("label") or o["key"])} for o in options],
        )
    elif field.type == "relation":
        target = str(field.config["target"])
        spec = service().tables.app.table(target)
        try:
            page = service().query(
                actor(),
                target,
                where=field.config.get("filter"),
                order_by=picker_order(spec),
                limit=PICK_LIMIT,
            )
        except (PermissionDenied, QueryError):
            return None
        control.update(
            kind="select",
            options=[{"value": str(r["id"]), "label": title_of(spec, r)} for r in page.rows],
        )
    elif field.type == "date":
        # Prefilled with today in the app's timezone (Asia/Shanghai in the sample), not
        # the browser's UTC date: 实际关闭日期 of a deal lost at 07:00 in Beijing is today.
        control.update(kind="date", today=datetime.now(field_zone(field)).date().isoformat())
    elif field.type == "datetime":
        control["kind"] = "datetime-local"
    elif field.type in ("number", "money", "percent"):
        control["kind"] = "number"
    elif field.type == "long_text":
        control["kind"] = "textarea"
    elif field.type in ("text", "email", "phone", "url"):
        control["kind"] = "text"
    else:
        return None
    return control


def picker_order(spec: TableSpec) -> list[tuple[str, str]]:
    """Stage-like tables by their ``sequence``/``sort`` field, others by title."""
    for key in ("sequence", "sort", "sort_order", "position"):
        if spec.has_field(key):
            return [(key, "asc")]
    if spec.title_field:
        return [(spec.title_field, "asc")]
    return [("id", "asc")]


def error_body(error: Exception, table: str) -> tuple[dict[str, Any], int]:
    """A record-service error as ``(body, status)`` for the board scripts: 422 with the
    field errors and inputs for the fields they name, 409 with who changed the record,
    404 / 403 with the localised message."""
    locale = current_locale()
    if isinstance(error, RecordValidationError):
        spec = service().tables.app.table(table)
        errors, inputs, seen = [], [], set()
        for item in error.errors:
            field = spec.field(item.field) if item.field and spec.has_field(item.field) else None
            errors.append(
                {
                    "field": item.field,
                    "label": t(field.label) if field else "",
                    "message": item.message(locale),
                }
            )
            if field is not None and field.key not in seen:
                seen.add(field.key)
                control = field_input(table, field)
                if control is not None:
                    inputs.append(control)
        body = {
            "code": "validation",
            "message": error.message(locale),
            "errors": errors,
            "inputs": inputs,
        }
        return body, 422
    if isinstance(error, RecordConflict):
        who = error.updated_by_name or gettext("someone else")
        body = {
            "code": "conflict",
            "message": gettext(
                "%(name)s changed this record meanwhile; the card was reloaded.", name=who
            ),
            "updated_by_name": error.updated_by_name,
            "row_version": error.current_version,
        }
        return body, 409
    if isinstance(error, RecordNotFound):
        return {"code": "not_found", "message": error.message(locale)}, 404
    if isinstance(error, PermissionDenied):
        return {"code": "forbidden", "message": error.message(locale)}, 403
    if isinstance(error, QueryError):
        return {"code": "bad_request", "message": error.message(locale)}, 400
    raise error
