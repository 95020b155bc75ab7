"""Rows in, records out: database rows become dicts of Python values keyed by field key,
and those become the JSON form callers get, with hidden fields removed and masked fields
masked for the reading actor."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from form_engine.fields.base import FieldType
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
    values = {key: row[key] for key in system_keys(plan)}
    for key, field, plain in plan.stored_readers:
        # Most types keep their value in one column named after the field: read it
        # directly instead of calling the type (list pages convert thousands of values).
        values[key] = row[key] if plain else field.type.from_db(row, field.spec)
    return values


def json_value(value: Any) -> Any:
    """JSON form of a system value (datetimes as ISO 8601)."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


OutputShape = tuple[tuple[str, ...], tuple[tuple[str, Any, str, bool], ...]]
"""(system keys, ((field key, FieldPlan, access level, plain JSON), ...)) of one read;
``plain`` when the type's JSON form is the Python value itself (text, numbers, …)."""


def output_shape(
    plan: TablePlan, access: TableAccess, fields: Iterable[str] | None = None
) -> OutputShape:
    """Which keys a read returns and how: worked out once per read, not once per row."""
    system = tuple(k for k in system_keys(plan) if k != "deleted_at")
    wanted = plan.fields.keys() if fields is None else fields
    columns = []
    for key in wanted:
        field = plan.fields.get(key)
        if field is None:
            continue
        level = access.access(key)
        if level != "hidden":
            plain = type(field.type).to_json is FieldType.to_json and not field.is_child_table
            columns.append((key, field, level, plain))
    return system, tuple(columns)


def to_output(
    plan: TablePlan,
    values: Mapping[str, Any],
    access: TableAccess,
    *,
    fields: Iterable[str] | None = None,
    as_json: bool = True,
    children: Mapping[str, tuple[TablePlan, TableAccess]] | None = None,
    shape: OutputShape | None = None,
) -> dict[str, Any]:
    """The record as the actor may see it. ``fields`` limits the field keys (system keys
    are always included); child rows are converted with their own table's plan. Pass a
    ``shape`` from ``output_shape`` when converting many rows of one read."""
    system, columns = shape or output_shape(plan, access, fields)
    out: dict[str, Any] = {}
    for key in system:
        if key in values:
            out[key] = json_value(values[key]) if as_json else values[key]
    if values.get("deleted_at") is not None:
        out["deleted_at"] = json_value(values["deleted_at"]) if as_json else values["deleted_at"]
    for key, field, level, plain in columns:
        if plain and level != "masked":
            out[key] = values.get(key)
            continue
        if field.is_child_table:
            if key not in values:
                continue
            child_plan, child_access = (children or {}).get(key, (None, None))
            if child_plan is None or child_access is None:
                continue
            out[key] = [
                to_output(child_plan, row, child_access, as_json=as_json)
                for row in values[key] or ()
            ]
            continue
        value = values.get(key)
        if level == "masked":
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
