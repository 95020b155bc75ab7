"""``relation``: a many-to-one link to a record of another table, e.g. 商机 → 客户."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from form_engine.fields._config_messages import ConfigProblem
from form_engine.fields._reference import ReferenceFieldType
from schemas.spec import FieldSpec, Label

ON_DELETE = ("restrict", "set_null", "cascade")


class RelationField(ReferenceFieldType):
    """Stores the target record's id. The storage layer adds the foreign key to
    ``target(id)`` with ``on_delete``; ``filter`` limits which records may be picked."""

    name = "relation"
    label: ClassVar[Label] = {"zh-CN": "关联记录", "en": "Relation"}
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "required": ["target"],
        "properties": {
            "target": {
                "type": "string",
                "pattern": "^[a-z][a-z0-9_]{0,29}$",
                "description": "Key of the table linked to.",
            },
            "on_delete": {
                "enum": list(ON_DELETE),
                "default": "restrict",
                "description": "When the target record is deleted: refuse (restrict), "
                "clear this field (set_null) or delete this record with it (cascade).",
            },
            "filter": {
                "type": "object",
                "description": "Condition the picked record must meet (condition language).",
            },
        },
    }

    def target(self, field: FieldSpec) -> str:
        """Key of the table this relation points at."""
        return str(field.config["target"])

    def on_delete(self, field: FieldSpec) -> str:
        return str(field.config.get("on_delete", "restrict"))

    def check_config(self, field: FieldSpec) -> Iterator[str]:
        if field.required and self.on_delete(field) == "set_null":
            yield ConfigProblem("required_set_null")
