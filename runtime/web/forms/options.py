"""Choices for relation, user and department pickers: remote search and the label of the
current value. Relation targets are searched through the record service (the user's row
scope applies); users and departments come from the organisation tables."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from runtime.records import Actor, RecordService, TablePlan
from runtime.storage.system import define_system_tables

_SYSTEM = define_system_tables(sa.MetaData())
USERS = _SYSTEM["kairos_user"]
DEPARTMENTS = _SYSTEM["kairos_department"]
LIMIT = 20
ORDER_FIELDS = ("sequence", "sort")
"""Fields that give a target table's records their own order (stages, reasons, …)."""


def title_field(service: RecordService, table: str) -> str:
    spec = service.tables.app.table(table)
    return spec.title_field or "id"


def choice_order(service: RecordService, actor: Actor, table: str) -> list[tuple[str, str]]:
    """How a table's records are listed as choices: by its ``sequence`` / ``sort`` field
    when it has one the user may sort by, else by its title (then id)."""
    plan = service.plan(table)
    access = service.access(actor, plan)
    for key in (*ORDER_FIELDS, plan.spec.title_field):
        field = plan.fields.get(key) if key else None
        if field is not None and field.type.sortable and access.usable_in_queries(key):
            return [(key, "asc")]
    return []


def search(
    service: RecordService,
    actor: Actor,
    field_type: str,
    target: str | None,
    text: str,
    where: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Up to 20 ``{"value", "text"}`` choices matching ``text`` (and, for a relation, its
    ``filter`` condition on the target record, e.g. only active stages)."""
    text = text.strip()
    if field_type == "relation" and target:
        title = title_field(service, target)
        page = service.query(
            actor,
            target,
            where=where,
            fields=[title],
            order_by=choice_order(service, actor, target),
            limit=LIMIT,
            search=text or None,
        )
        return [{"value": r["id"], "text": str(r.get(title) or r["id"])} for r in page.rows]
    table = USERS if field_type == "user" else DEPARTMENTS
    column = table.c.display_name if field_type == "user" else table.c.name
    query = sa.select(table.c.id, column.label("text")).order_by(column).limit(LIMIT)
    if field_type == "user":
        query = query.where(table.c.is_active.is_(True))
        if text:
            query = query.where(sa.or_(column.contains(text), table.c.username.contains(text)))
    elif text:
        query = query.where(column.contains(text))
    with service.engine.connect() as conn:
        return [{"value": r.id, "text": r.text} for r in conn.execute(query)]


def labels(
    service: RecordService, actor: Actor, plan: TablePlan, values: dict[str, Any]
) -> dict[str, str]:
    """``{"<field>:<id>": text}`` for the references in ``values`` (and in child rows),
    so pickers show names, not ids."""
    out: dict[str, str] = {}
    for key, field in plan.fields.items():
        value = values.get(key)
        if field.is_child_table and isinstance(value, list):
            child = service.app[plan.children[key]]
            for row in value:
                for child_key, text in labels(service, actor, child, row).items():
                    out[f"{key}.{child_key}"] = text
        elif field.spec.type in ("relation", "user", "department") and value not in (None, ""):
            text = label_of(service, actor, field.spec.type, field.spec.config.get("target"), value)
            if text is not None:
                out[f"{key}:{value}"] = text
    return out


def label_of(
    service: RecordService, actor: Actor, field_type: str, target: str | None, value: Any
) -> str | None:
    try:
        record_id = int(value)
    except (TypeError, ValueError):
        return None
    if field_type == "relation" and target:
        from runtime.records import PermissionDenied, RecordNotFound

        title = title_field(service, target)
        try:
            record = service.get(actor, target, record_id, fields=[title])
        except (RecordNotFound, PermissionDenied):
            return None
        return str(record.get(title) or record_id)
    table = USERS if field_type == "user" else DEPARTMENTS
    column = table.c.display_name if field_type == "user" else table.c.name
    with service.engine.connect() as conn:
        found = conn.execute(sa.select(column).where(table.c.id == record_id)).scalar()
    return None if found is None else str(found)
