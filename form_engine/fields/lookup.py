"""``lookup``: a field of the record a relation points at, e.g. 商机 → 客户.行业."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from form_engine.fields._config_messages import ConfigProblem
from form_engine.fields._derived import (
    RESULT_CONFIG_SCHEMA,
    RESULT_TYPE_SCHEMA,
    DerivedFieldType,
)
from form_engine.kinds import Kind
from schemas.spec import FieldSpec, Label

FIELD_KEY = {"type": "string", "pattern": "^[a-z][a-z0-9_]{0,39}$"}


class LookupField(DerivedFieldType):
    """Copies ``field`` of the record linked by ``relation`` into this record on every
    write (and when the linked record changes), so it can be filtered and sorted in SQL.
    Its column and behaviour are those of the looked-up field (``result_type``)."""

    name = "lookup"
    label: ClassVar[Label] = {"zh-CN": "查找引用", "en": "Lookup"}
    kind = Kind.TEXT
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "required": ["relation", "field"],
        "properties": {
            "relation": {**FIELD_KEY, "description": "Key of a relation field of this table."},
            "field": {**FIELD_KEY, "description": "Key of the field of the related table."},
            "result_type": RESULT_TYPE_SCHEMA,
            "result_config": RESULT_CONFIG_SCHEMA,
        },
    }

    def source(self, field: FieldSpec) -> tuple[str, str]:
        """(relation field key here, field key in the target table)."""
        return str(field.config["relation"]), str(field.config["field"])

    def check_config(self, field: FieldSpec) -> Iterator[str]:
        if field.config.get("relation") == field.key:
            yield ConfigProblem("lookup_itself")
        yield from self.check_result_type(field)
