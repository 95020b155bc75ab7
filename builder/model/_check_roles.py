"""Checks of roles: permission tables and field-access fields exist. Row-scope conditions are
type-checked with the other conditions (builder.model._check_logic)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from builder.model._check_keys import unknown_field, unknown_table
from builder.model.context import AppContext, items
from builder.model.problems import Finding

ALL_TABLES = "*"


def check_roles(ctx: AppContext) -> Iterator[Finding]:
    for ri, role in items(ctx.document, "roles"):
        permissions = role.get("permissions") if isinstance(role, Mapping) else None
        if not isinstance(permissions, Mapping):
            continue
        for table_key, permission in permissions.items():
            path = ("roles", ri, "permissions", table_key)
            field_access = permission.get("fields") if isinstance(permission, Mapping) else None
            if table_key == ALL_TABLES:
                if field_access:
                    yield Finding((*path, "fields"), "star_field_access")
                continue
            table = ctx.tables.get(table_key)
            if table is None:
                yield from unknown_table(ctx, table_key, path)
                continue
            if isinstance(field_access, Mapping):
                for key in field_access:
                    yield from unknown_field(table, key, (*path, "fields", key))
