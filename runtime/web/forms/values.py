"""Between HTML form data and record-service values.

Posting: every field the user may edit is sent as its raw form string (the field types
parse them); composite widgets are gathered from their inputs — child rows from
``<field>-<n>-<child field>`` (in page order, so a drag-reordered table keeps its order),
an address from ``<field>.province|city|district|detail``, a location from
``<field>.lat|lng``. Showing: a record's JSON values as what each widget expects.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

import nh3
from werkzeug.datastructures import MultiDict

from runtime.records import TablePlan

_ROW_KEY = re.compile(r"^(?P<field>[a-z][a-z0-9_]*)-(?P<index>\d+)-(?P<child>[a-z][a-z0-9_]*)$")
ADDRESS_PARTS = ("province", "city", "district", "detail")
FILE_TYPES = ("attachment", "image")


def submitted_values(
    plan: TablePlan,
    data: MultiDict[str, str],
    editable: Iterable[str],
    child_plans: dict[str, tuple[TablePlan, set[str]]],
) -> dict[str, Any]:
    """The values to give ``RecordService.create/update`` for the ``editable`` fields."""
    values: dict[str, Any] = {}
    for key in editable:
        field = plan.fields[key]
        kind = field.spec.type
        if kind == "child_table":
            if f"{key}-present" in data:
                child_plan, child_editable = child_plans[key]
                values[key] = _rows(key, data, child_plan, child_editable)
        elif kind == "address":
            if any(f"{key}.{part}" in data for part in ADDRESS_PARTS):
                parts = {p: data.get(f"{key}.{p}", "").strip() for p in ADDRESS_PARTS}
                values[key] = None if not any(parts.values()) else _address(parts)
        elif kind == "location":
            if f"{key}.lat" in data:
                lat, lng = data.get(f"{key}.lat", "").strip(), data.get(f"{key}.lng", "").strip()
                values[key] = {"lat": lat, "lng": lng} if lat or lng else None
        elif kind == "multi_select":
            if key in data or f"{key}-present" in data:
                values[key] = [v for v in data.getlist(key) if v]
        elif kind == "checkbox":
            if key in data:
                values[key] = data.getlist(key)[-1]  # hidden "false", then the box's "true"
        elif kind == "rich_text":
            if key in data:
                values[key] = nh3.clean(data.get(key, ""))
        elif key in data:
            values[key] = data.get(key, "")
    return values


def _address(parts: dict[str, str]) -> dict[str, str]:
    return {p: v for p, v in parts.items() if v}


def _rows(
    key: str, data: MultiDict[str, str], plan: TablePlan, editable: set[str]
) -> list[dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for name in data:
        match = _ROW_KEY.match(name)
        if match is None or match["field"] != key:
            continue
        row = rows.setdefault(match["index"], {})
        child = match["child"]
        if child == "id":
            if data[name].strip():
                row["id"] = int(data[name]) if data[name].strip().isdigit() else data[name]
        elif child in editable:
            row[child] = data[name]
    return [row for row in rows.values() if _has_content(row)]


def _has_content(row: dict[str, Any]) -> bool:
    return "id" in row or any(str(v).strip() for v in row.values())


def display_value(field_type: str, value: Any) -> Any:
    """A stored (JSON-form) value as its widget shows it."""
    if value is None:
        return [] if field_type in ("multi_select", "attachment", "image", "child_table") else ""
    if field_type == "json":
        return json.dumps(value, ensure_ascii=False, indent=2)
    if field_type == "checkbox":
        return "true" if value else "false"
    if field_type == "rich_text":
        return nh3.clean(str(value))
    if field_type in ("number", "percent") and isinstance(value, float) and value.is_integer():
        return int(value)  # 2, not 2.0
    return value


def draft_values(
    plan: TablePlan,
    data: MultiDict[str, str],
    editable: Iterable[str],
    child_plans: dict[str, tuple[TablePlan, set[str]]],
) -> dict[str, Any]:
    """What the user typed, shaped for re-rendering the widgets after a failed save."""
    submitted = submitted_values(plan, data, editable, child_plans)
    return {key: _shown(plan, key, value, child_plans) for key, value in submitted.items()}


def _shown(
    plan: TablePlan,
    key: str,
    value: Any,
    child_plans: dict[str, tuple[TablePlan, set[str]]],
) -> Any:
    """One posted value as its widget re-renders it: file lists (also in child-row cells)
    back from their JSON text to descriptors."""
    kind = plan.fields[key].spec.type
    if kind in FILE_TYPES:
        try:
            files = json.loads(value) if value else []
        except ValueError:
            return []
        return files if isinstance(files, list) else []
    if kind == "child_table" and key in child_plans and isinstance(value, list):
        child = child_plans[key][0]
        return [
            {k: _shown(child, k, v, {}) if k in child.fields else v for k, v in row.items()}
            for row in value
        ]
    return value


def drop_unchanged_rows(
    submitted: dict[str, Any],
    stored: dict[str, Any],
    child_plans: dict[str, tuple[TablePlan, set[str]]],
) -> None:
    """Leave out of ``submitted`` every child table whose posted rows are the stored ones
    (same rows, same order, same values), so saving a form without touching its rows
    records no child-row change in the history."""
    for key, (plan, editable) in child_plans.items():
        if key in submitted and same_rows(plan, editable, submitted[key], stored.get(key)):
            del submitted[key]


def same_rows(plan: TablePlan, editable: set[str], posted: Any, stored: Any) -> bool:
    """Whether posted child rows (form strings) hold what the stored rows (JSON values)
    hold in their editable cells. Both sides go through the field type's ``parse`` so
    ``"2"`` equals ``2`` and ``"100.00"`` equals ``100``; unparseable input counts as a
    change (the service then reports it)."""
    stored = stored or []
    if not isinstance(posted, list) or len(posted) != len(stored):
        return False
    for new, old in zip(posted, stored, strict=True):
        if not isinstance(old, dict) or new.get("id") != old.get("id"):
            return False
        for key in editable:
            if key in new and not _same_value(plan, key, new[key], old.get(key)):
                return False
    return True


def _same_value(plan: TablePlan, key: str, raw: Any, value: Any) -> bool:
    field = plan.fields[key]
    try:
        posted = field.type.parse(raw, field.spec)
        held = field.type.parse(display_value(field.spec.type, value), field.spec)
    except (ValueError, TypeError):
        return False
    return bool(posted == held)
