"""``child_table``: sub-form rows kept in their own table, e.g. 报价明细."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

import sqlalchemy as sa

from form_engine.fields.base import FieldType, field_error, is_blank
from form_engine.kinds import Kind
from form_engine.messages import FieldError, ParseError
from schemas.spec import DEFAULT_LOCALE, FieldSpec, Label

ROW_DETAIL = {"zh-CN": "每一行应为对象", "en": "each row must be an object"}


class ChildTableField(FieldType):
    """A list of row dicts. The rows live in ``config.table`` (whose ``parent`` is this
    table) with a ``parent_id`` column; the record service validates each row against that
    table's fields and writes them with the parent. This type only checks the list shape."""

    name = "child_table"
    label: ClassVar[Label] = {"zh-CN": "子表", "en": "Child table"}
    kind = Kind.ROWS
    stored = False
    sortable = False
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "required": ["table"],
        "properties": {
            "table": {
                "type": "string",
                "pattern": "^[a-z][a-z0-9_]{0,29}$",
                "description": "Key of the child table holding the rows.",
            },
        },
    }

    def child_table(self, field: FieldSpec) -> str:
        return str(field.config["table"])

    def columns(self, field: FieldSpec) -> list[sa.Column[Any]]:
        return []

    def to_db(self, value: Any, field: FieldSpec) -> dict[str, Any]:
        return {}

    def from_db(self, row: Mapping[str, Any], field: FieldSpec) -> Any:
        return None

    def sql_expression(self, table: sa.Table, field: FieldSpec) -> sa.ColumnElement[Any]:
        raise TypeError(
            f"child_table field {field.key!r} has no column; "
            f"query table {self.child_table(field)!r} by parent_id instead"
        )

    def parse(self, raw: Any, field: FieldSpec) -> list[dict[str, Any]] | None:
        if is_blank(raw):
            return None
        if not isinstance(raw, list | tuple):
            raise ParseError("not_a_list", value=raw)
        for row in raw:
            if not isinstance(row, Mapping):
                raise ParseError("not_an_object", detail=ROW_DETAIL)
        return [dict(row) for row in raw] or None

    def validate(self, value: Any, field: FieldSpec) -> Iterator[FieldError]:
        if not isinstance(value, list) or not all(isinstance(r, Mapping) for r in value):
            yield field_error(field, "not_an_object", detail=ROW_DETAIL)

    def export(self, value: Any, field: FieldSpec, *, locale: str = DEFAULT_LOCALE) -> Any:
        # Rows are exported as their own sheet; the parent's cell shows how many there are.
        return None if value is None else len(value)
