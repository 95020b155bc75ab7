"""``formula``: a value computed from other fields, e.g. 加权金额 = amount * probability / 100."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from form_engine.fields._config_messages import ConfigProblem, listed
from form_engine.fields._derived import DerivedFieldType
from form_engine.kinds import Kind
from schemas.spec import FieldSpec, Label

RESULT_TYPES = ("text", "number", "money", "percent", "date", "datetime", "checkbox")
NUMERIC_RESULTS = ("number", "money", "percent")


class FormulaField(DerivedFieldType):
    """``expression`` is evaluated by form_engine.formula on every write and the result
    stored in a column of ``result_type``. This type stores and checks the config only."""

    name = "formula"
    label: ClassVar[Label] = {"zh-CN": "公式", "en": "Formula"}
    kind = Kind.NUMBER
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "required": ["expression", "result_type"],
        "properties": {
            "expression": {
                "type": "string",
                "minLength": 1,
                "description": "The formula, e.g. amount * probability / 100 (see "
                "docs/formulas.md).",
            },
            "result_type": {
                "enum": list(RESULT_TYPES),
                "description": "Field type of the result; decides the column.",
            },
            "precision": {
                "type": "integer",
                "minimum": 0,
                "maximum": 8,
                "description": "Decimal places of a number, money or percent result.",
            },
        },
    }

    def result_config(self, field: FieldSpec) -> Mapping[str, Any]:
        precision = field.config.get("precision")
        if precision is None or field.config.get("result_type") not in NUMERIC_RESULTS:
            return {}
        return {"precision": precision}

    def expression(self, field: FieldSpec) -> str:
        return str(field.config["expression"])

    def check_config(self, field: FieldSpec) -> Iterator[str]:
        if not str(field.config.get("expression", "")).strip():
            yield ConfigProblem("expression_empty")
        result_type = field.config.get("result_type")
        if "precision" in field.config and result_type not in NUMERIC_RESULTS:
            yield ConfigProblem("precision_not_numeric", types=listed(NUMERIC_RESULTS))
        if result_type == "money" and field.config.get("precision", 2) > 6:
            yield ConfigProblem("money_precision")
        yield from self.check_result_type(field)
