"""Shared ``min``/``max`` handling for date, datetime and time fields."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from form_engine.fields._config_messages import ConfigProblem
from form_engine.fields.base import FieldType, field_error
from form_engine.messages import FieldError, ParseError
from schemas.spec import FieldSpec, localize


def bound_schemas(example: str) -> dict[str, Any]:
    return {
        "min": {"type": "string", "description": f"Earliest allowed value, e.g. {example}."},
        "max": {"type": "string", "description": f"Latest allowed value, e.g. {example}."},
    }


class BoundedFieldType(FieldType):
    """A field with ordered values and optional ``min``/``max`` given as text in config."""

    def bound(self, field: FieldSpec, key: str) -> Any:
        """The parsed ``config[key]`` (``min``/``max``) or None."""
        text = field.config.get(key)
        return None if text is None else self.parse(text, field)

    def validate(self, value: Any, field: FieldSpec) -> Iterator[FieldError]:
        minimum, maximum = self.bound(field, "min"), self.bound(field, "max")
        if minimum is not None and value < minimum:
            yield field_error(field, "min_value", min=self.describe(minimum, field))
        if maximum is not None and value > maximum:
            yield field_error(field, "max_value", max=self.describe(maximum, field))

    def describe(self, value: Any, field: FieldSpec) -> str:
        """How a bound is shown in an error message."""
        return str(self.export(value, field))

    def _type_label(self) -> dict[str, str]:
        """The type as messages name it: ``date`` in English, its label (日期) in zh-CN."""
        return {"en": self.name, "zh-CN": localize(self.label, "zh-CN") or self.name}

    def check_config(self, field: FieldSpec) -> Iterator[str]:
        bounds = {}
        for key in ("min", "max"):
            try:
                bounds[key] = self.bound(field, key)
            except ValueError:
                value = field.config.get(key)
                yield ConfigProblem("bad_bound", key=key, value=value, type=self._type_label())
        low, high = bounds.get("min"), bounds.get("max")
        if low is not None and high is not None and low > high:
            yield ConfigProblem(
                "min_later_than_max", min=field.config["min"], max=field.config["max"]
            )


def parse_with(parser: Callable[[Any], Any], raw: Any, code: str) -> Any:
    """Run ``parser`` and turn its ValueError into a ParseError(``code``)."""
    try:
        return parser(raw)
    except (ValueError, OverflowError) as exc:
        raise ParseError(code, value=raw) from exc
