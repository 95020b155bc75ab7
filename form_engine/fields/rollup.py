"""``rollup``: an aggregate over child rows or back-linked records, e.g. 报价总额."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from form_engine.fields._config_messages import ConfigProblem
from form_engine.fields._derived import (
    RESULT_CONFIG_SCHEMA,
    RESULT_TYPE_SCHEMA,
    DerivedFieldType,
)
from form_engine.kinds import Kind
from schemas.spec import FieldSpec, Label

AGGREGATES = ("count", "sum", "min", "max", "avg")
FIELD_KEY = {"type": "string", "pattern": "^[a-z][a-z0-9_]{0,39}$"}
DEFAULT_AVG_PRECISION = 2


class RollupField(DerivedFieldType):
    """``aggregate`` of ``field`` over the rows of ``child`` (a child_table field here) or
    over the records of ``table`` whose relation ``via`` points at this record, optionally
    only rows meeting ``filter``. Recomputed and stored when those rows change.

    Without ``result_type`` the value is a number (whole for count, 2 decimals otherwise);
    the builder sets ``result_type`` from the aggregated field (e.g. money for a sum of
    amounts, date for the max of dates)."""

    name = "rollup"
    label: ClassVar[Label] = {"zh-CN": "汇总", "en": "Rollup"}
    kind = Kind.NUMBER
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "required": ["aggregate"],
        "properties": {
            "child": {**FIELD_KEY, "description": "Key of a child_table field of this table."},
            "table": {
                "type": "string",
                "pattern": "^[a-z][a-z0-9_]{0,29}$",
                "description": "Key of a table whose records link here (with via).",
            },
            "via": {**FIELD_KEY, "description": "Relation field of table pointing here."},
            "aggregate": {"enum": list(AGGREGATES), "description": "How rows are combined."},
            "field": {**FIELD_KEY, "description": "Field aggregated (not needed for count)."},
            "filter": {"type": "object", "description": "Condition rows must meet."},
            "result_type": RESULT_TYPE_SCHEMA,
            "result_config": RESULT_CONFIG_SCHEMA,
        },
    }

    def result_type_name(self, field: FieldSpec) -> str | None:
        return super().result_type_name(field) or "number"

    def result_config(self, field: FieldSpec) -> Mapping[str, Any]:
        config = dict(super().result_config(field))
        if field.config.get("result_type") is None and field.config.get("aggregate") != "count":
            config.setdefault("precision", DEFAULT_AVG_PRECISION)
        return config

    def check_config(self, field: FieldSpec) -> Iterator[str]:
        config = field.config
        has_child = "child" in config
        has_back_link = "table" in config or "via" in config
        if has_child == has_back_link:
            yield ConfigProblem("rollup_source")
        elif has_back_link and not ("table" in config and "via" in config):
            yield ConfigProblem("rollup_table_via")
        if config.get("aggregate") != "count" and "field" not in config:
            yield ConfigProblem("rollup_needs_field", aggregate=config.get("aggregate"))
        if config.get("aggregate") == "count" and config.get("result_type") not in (
            None,
            "number",
        ):
            yield ConfigProblem("count_is_number")
        yield from self.check_result_type(field)
