"""Rows in, records out: database rows become dicts of Python values keyed by field key,
and those become the JSON form callers get, with hidden fields removed and masked fields
masked for the reading actor."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from runtime.records._permissions import TableAccess, mask
from runtime.records._plan import TablePlan
from schemas.spec import PARENT_COLUMN, ROW_ORDER_COLUMN, SYSTEM_COLUMNS

SYSTEM_OUTPUT = tuple(c for c in SYSTEM_COLUMNS if c != "deleted_at")


def system_keys(plan: TablePlan) -> tuple[str, ...]:
    if plan.parent:
        return (*SYSTEM_COLUMNS, PARENT_COLUMN, ROW_ORDER_COLUMN)
    return SYSTEM_COLUMNS


def row_values(plan: TablePlan, row: Mapping[str, Any]) -> dict[str, Any]:
    """Python values of a database row: system columns plus every stored field."""
    values = {key: row[key] for key in system_keys(plan) if key in row}
    for field in plan.fields.values():
        if field.stored:
            values[field.key] = field.type.from_db(row, field.spec)
    return values


def json_value(value: Any) -> Any:
    """JSON form of a system value (datetimes as ISO 8601)."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def to_output(
    plan: TablePlan,
    values: Mapping[str, Any],
    access: TableAccess,
    *,
    fields: Iterable[str] | None = None,
    as_json: bool = True,
    children: Mapping[str, tuple[TablePlan, TableAccess]] | None = None,
) -> dict[str, Any]:
    """The record as the actor may see it. ``fields`` limits the field keys (system keys
    are always included); child rows are converted with their own table's plan."""
    out: dict[str, Any] = {}
    for key in system_keys(plan):
        if key in values and key != "deleted_at":
            out[key] = json_value(values[key]) if as_json else values[key]
    if values.get("deleted_at") is not None:
        out["deleted_at"] = json_value(values["deleted_at"]) if as_json else values["deleted_at"]
    wanted = plan.fields.keys() if fields is None else fields
    for key in wanted:
        field = plan.fields.get(key)
        if field is None or (field.is_child_table and key not in values):
            continue
        access_level = access.access(key)
        if access_level == "hidden":
            continue
        value = values.get(key)
        if field.is_child_table:
            child_plan, child_access = (children or {}).get(key, (None, None))
            if child_plan is None or child_access is None:
                continue
            out[key] = [
                to_output(child_plan, row, child_access, as_json=as_json) for row in value or ()
            ]
            continue
        if access_level == "masked":
            out[key] = mask(field.to_json(value), field.spec.type)
        else:
            out[key] = field.to_json(value) if as_json else value
    return out


def field_json(plan: TablePlan, key: str, value: Any) -> Any:
    """JSON form of one value of ``key`` (a field or a system column)."""
    field = plan.fields.get(key)
    if field is None:
        return json_value(value)
    return field.to_json(value)
