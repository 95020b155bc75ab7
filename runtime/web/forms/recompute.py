"""Live recompute of a form draft: formulas, lookups and rollups over child rows, exactly
as the record service would store them, without writing anything.

The draft goes through ``RecordService.preview`` (the write's own preparation in a
rolled-back transaction); its errors are ignored here — they are reported when the user
saves. Only fields the user may see come back; warnings (e.g. possible duplicates) are
passed on as messages in the current language.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from runtime.records import Actor, RecordService


def preview(
    service: RecordService,
    actor: Actor,
    table: str,
    values: Mapping[str, Any],
    record_id: int | None = None,
    locale: str = "zh-CN",
) -> dict[str, Any]:
    """``{"values": {field: json}, "rows": {child field: [{field: json}, …]},
    "warnings": [text, …]}`` of the record the draft would become. Raises RecordNotFound
    for an unknown or unseen record, PermissionDenied without the create / update right."""
    plan = service.plan(table)
    result = service.preview(actor, table, values, record_id=record_id)
    shown = {
        key: value
        for key, value in result.values.items()
        if key in plan.fields and key not in plan.children
    }
    rows: dict[str, list[dict[str, Any]]] = {}
    for key, child_key in plan.children.items():
        child = service.plan(child_key)
        computed = [k for k, f in child.fields.items() if f.computed]
        rows[key] = [
            {k: row[k] for k in computed if k in row} for row in result.values.get(key) or []
        ]
    return {"values": shown, "rows": rows, "warnings": [_text(w, locale) for w in result.warnings]}


def _text(warning: Any, locale: str) -> str:
    message = getattr(warning, "message", None)
    return str(message(locale)) if callable(message) else str(warning)
