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

from flask import current_app, url_for

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
    "warnings": [{"message", "matches", "hidden"}, …]}`` of the record the draft would
    become. Raises RecordNotFound for an unknown or unseen record, PermissionDenied
    without the create / update right."""
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
    warnings = [_warning(table, w, locale) for w in result.warnings]
    return {"values": shown, "rows": rows, "warnings": warnings}


def _warning(table: str, warning: Any, locale: str) -> dict[str, Any]:
    """``{"message", "matches": [{"id", "title", "score", "url"}], "hidden"}``: a possible
    duplicate with links to the records the user may open (docs/duplicates.md)."""
    if not isinstance(warning, Mapping):
        message = getattr(warning, "message", None)
        text = str(message(locale)) if callable(message) else str(warning)
        return {"message": text, "matches": [], "hidden": 0}
    messages = warning.get("messages") or {}
    link = "detail.show" in current_app.view_functions
    matches = [
        {
            "id": match["id"],
            "title": match.get("title"),
            "score": match.get("score"),
            "url": url_for("detail.show", table=table, record_id=match["id"]) if link else None,
        }
        for match in warning.get("matches") or []
    ]
    return {
        "message": messages.get(locale) or next(iter(messages.values()), ""),
        "matches": matches,
        "hidden": int(warning.get("hidden") or 0),
    }
