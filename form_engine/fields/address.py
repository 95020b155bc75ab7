"""``address``: a Chinese postal address by region (省/市/区) plus street detail."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

import sqlalchemy as sa

from form_engine.fields._numbers import normalize_text
from form_engine.fields.base import FieldType, field_error, is_blank
from form_engine.fields.sqltypes import json_column_type
from form_engine.kinds import Kind
from form_engine.messages import FieldError, ParseError
from schemas.spec import DEFAULT_LOCALE, FieldSpec, Label

PARTS = ("province", "city", "district")
LEVELS = {"province": 1, "city": 2, "district": 3}
PART_LABELS = {
    "province": {"zh-CN": "省份", "en": "province"},
    "city": {"zh-CN": "城市", "en": "city"},
    "district": {"zh-CN": "区县", "en": "district"},
}
SHAPE = {
    "zh-CN": "应为“省/市/区 详细地址”或包含 province、city、district、detail 的对象",
    "en": 'must be "province/city/district detail" or an object with province, city, '
    "district and detail",
}
_MUNICIPALITY = r"北京市|天津市|上海市|重庆市"
_RUN_ON = re.compile(
    rf"^(?P<province>{_MUNICIPALITY}|.+?(?:省|自治区|特别行政区))"
    rf"(?P<city>{_MUNICIPALITY}|.+?(?:自治州|地区|盟|市))?"
    r"(?P<district>.+?(?:区|县|旗|市))?(?P<detail>.*)$"
)


class AddressField(FieldType):
    """``{"province", "city", "district", "detail"}``; text input may be
    ``广东省/深圳市/南山区 科技园路1号``, space-separated, or run together
    (``广东省深圳市南山区科技园路1号``)."""

    name = "address"
    label: ClassVar[Label] = {"zh-CN": "地址", "en": "Address"}
    kind = Kind.JSON
    sortable = False
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "level": {
                "enum": list(LEVELS),
                "default": "district",
                "description": "How precise the region must be: province, city or district.",
            },
            "detail": {
                "type": "boolean",
                "default": True,
                "description": "Whether a street address (detail) is asked for.",
            },
        },
    }

    def level(self, field: FieldSpec) -> int:
        return LEVELS[field.config.get("level", "district")]

    def column_type(self, field: FieldSpec) -> sa.types.TypeEngine[Any]:
        return json_column_type()

    def parse(self, raw: Any, field: FieldSpec) -> dict[str, str] | None:
        if is_blank(raw):
            return None
        if isinstance(raw, str):
            parts = self._parse_text(normalize_text(raw), field)
        elif isinstance(raw, Mapping):
            parts = {}
            for key in (*PARTS, "detail"):
                value = raw.get(key)
                if value is not None and not isinstance(value, str):
                    raise ParseError("not_an_object", detail=SHAPE)
                parts[key] = (value or "").strip()
            if set(raw) - {*PARTS, "detail"}:
                raise ParseError("not_an_object", detail=SHAPE)
        else:
            raise ParseError("not_an_object", detail=SHAPE)
        return parts if any(parts.values()) else None

    def _parse_text(self, text: str, field: FieldSpec) -> dict[str, str]:
        level = self.level(field)
        if "/" in text or " " in text:
            pieces = re.split(r"\s*/\s*|\s+", text, maxsplit=level)
        else:
            match = _RUN_ON.match(text)
            if not match:
                raise ParseError("not_an_object", detail=SHAPE)
            if not match["city"] and re.fullmatch(_MUNICIPALITY, match["province"]):
                # 北京市朝阳区…: a municipality is its own city.
                return {
                    "province": match["province"],
                    "city": match["province"] if level >= 2 else "",
                    "district": (match["district"] or "") if level >= 3 else "",
                    "detail": (match["district"] or "") * (level < 3) + match["detail"],
                }
            pieces = [match[p] or "" for p in PARTS[:level]]
            pieces.append("".join(match[p] or "" for p in (*PARTS[level:], "detail")))
        pieces += [""] * (level + 1 - len(pieces))
        parts = dict.fromkeys((*PARTS, "detail"), "")
        for key, piece in zip(PARTS[:level], pieces, strict=False):
            parts[key] = piece
        parts["detail"] = pieces[level]
        return parts

    def validate(self, value: Any, field: FieldSpec) -> Iterator[FieldError]:
        if not isinstance(value, Mapping):
            yield field_error(field, "not_an_object", detail=SHAPE)
            return
        for part in PARTS[: self.level(field)]:
            if not str(value.get(part) or "").strip():
                yield field_error(field, "address_incomplete", part=PART_LABELS[part])
                return

    def export(self, value: Any, field: FieldSpec, *, locale: str = DEFAULT_LOCALE) -> Any:
        if not value:
            return None
        region = "/".join(value.get(p) or "" for p in PARTS[: self.level(field)])
        detail = value.get("detail") or ""
        return f"{region} {detail}".strip()
