"""``single_select``: one option out of a list, e.g. 商机阶段."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import sqlalchemy as sa

from form_engine.fields._options import (
    OPTIONS_SCHEMA,
    allowed_labels,
    check_options,
    option_label,
    options,
    resolve_option,
)
from form_engine.fields.base import FieldType, field_error, is_blank
from form_engine.kinds import Kind
from form_engine.messages import FieldError
from schemas.spec import DEFAULT_LOCALE, FieldSpec, Label


class SingleSelectField(FieldType):
    """Stores the option key; input may be the key or its zh-CN/en label."""

    name = "single_select"
    label: ClassVar[Label] = {"zh-CN": "单选", "en": "Single select"}
    kind = Kind.CHOICE
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "required": ["options"],
        "properties": {"options": OPTIONS_SCHEMA},
    }

    def column_type(self, field: FieldSpec) -> sa.types.TypeEngine[Any]:
        return sa.String(64)

    def parse(self, raw: Any, field: FieldSpec) -> str | None:
        if is_blank(raw):
            return None
        return resolve_option(raw.strip() if isinstance(raw, str) else raw, field)

    def validate(self, value: Any, field: FieldSpec) -> Iterator[FieldError]:
        if value not in {o["key"] for o in options(field)}:
            yield field_error(field, "not_an_option", value=value, allowed=allowed_labels(field))

    def export(self, value: Any, field: FieldSpec, *, locale: str = DEFAULT_LOCALE) -> Any:
        return None if value is None else option_label(value, field, locale)

    def check_config(self, field: FieldSpec) -> Iterator[str]:
        return check_options(field)
