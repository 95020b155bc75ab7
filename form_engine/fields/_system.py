"""Shared behaviour of created_at, updated_at, created_by and updated_by.

These fields expose a system column every table already has (``created_at`` …); they have
no column of their own, and the record service fills the system column.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import sqlalchemy as sa

from form_engine.fields.base import FieldType
from form_engine.fields.sqltypes import UTCDateTime
from schemas.spec import FieldSpec


class SystemFieldType(FieldType):
    """Reads ``system_column`` instead of a column named after the field."""

    computed = True
    system_column: ClassVar[str]

    def columns(self, field: FieldSpec) -> list[sa.Column[Any]]:
        return []

    def to_db(self, value: Any, field: FieldSpec) -> dict[str, Any]:
        return {}

    def from_db(self, row: Mapping[str, Any], field: FieldSpec) -> Any:
        return row.get(self.system_column)

    def sql_expression(self, table: sa.Table, field: FieldSpec) -> sa.ColumnElement[Any]:
        return table.c[self.system_column]


class SystemTimestampFieldType(SystemFieldType):
    """created_at / updated_at: an aware UTC datetime."""

    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "timezone": {
                "type": "string",
                "description": "IANA timezone the value is exported in (Asia/Shanghai).",
            }
        },
    }

    def column_type(self, field: FieldSpec) -> sa.types.TypeEngine[Any]:
        """Type of the system column (the storage layer creates it once per table)."""
        return UTCDateTime()


class SystemUserFieldType(SystemFieldType):
    """created_by / updated_by: a user id."""

    def column_type(self, field: FieldSpec) -> sa.types.TypeEngine[Any]:
        """Type of the system column (the storage layer creates it once per table)."""
        return sa.Integer()
