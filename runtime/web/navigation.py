"""The app's navigation as the signed-in user may see it (tables they cannot read vanish)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from runtime.records import Actor, RecordService
from schemas.spec import Label


@dataclass(frozen=True)
class NavGroup:
    label: Label
    tables: tuple[tuple[str, Label], ...]


def navigation(service: RecordService, actor: Actor) -> list[NavGroup]:
    app = service.tables.app
    groups: list[NavGroup] = []
    for entry in app.navigation:
        visible = tuple(
            (key, app.table(key).label)
            for key in entry.get("tables", ())
            if app.has_table(key) and can_read(service, actor, key)
        )
        if visible:
            groups.append(NavGroup(entry.get("group", app.name), visible))
    return groups


def can_read(service: RecordService, actor: Actor, table: str) -> bool:
    return service.access(actor, service.plan(table)).can("read")


def nav_context(service: RecordService, actor: Actor | None) -> dict[str, Any]:
    if actor is None:
        return {"nav_groups": [], "app_name": service.tables.app.name}
    return {"nav_groups": navigation(service, actor), "app_name": service.tables.app.name}
