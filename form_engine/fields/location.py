"""``location``: a point on the map (定位), e.g. where a sales visit was checked in."""

from __future__ import annotations

import math
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

_PAIR = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*[,，\s]\s*(-?\d+(?:\.\d+)?)\s*(?:\s(?P<address>.+))?$")


def in_range(lat: float, lng: float) -> bool:
    return -90 <= lat <= 90 and -180 <= lng <= 180


class LocationField(FieldType):
    """``{"lat", "lng", "address"}`` in WGS-84 degrees; text input ``"22.54,113.95"``
    (latitude first), optionally followed by a space and the address."""

    name = "location"
    label: ClassVar[Label] = {"zh-CN": "定位", "en": "Location"}
    kind = Kind.JSON
    sortable = False

    def column_type(self, field: FieldSpec) -> sa.types.TypeEngine[Any]:
        return json_column_type()

    def parse(self, raw: Any, field: FieldSpec) -> dict[str, Any] | None:
        if is_blank(raw):
            return None
        if isinstance(raw, str):
            match = _PAIR.match(normalize_text(raw))
            if not match:
                raise ParseError("not_a_location", value=raw)
            lat, lng, address = float(match[1]), float(match[2]), match["address"] or ""
        elif isinstance(raw, Mapping):
            lat, lng = self._coordinate(raw.get("lat"), raw), self._coordinate(raw.get("lng"), raw)
            address = raw.get("address") or ""
            if not isinstance(address, str) or set(raw) - {"lat", "lng", "address"}:
                raise ParseError("not_a_location", value=raw)
        else:
            raise ParseError("not_a_location", value=raw)
        if not in_range(lat, lng):
            raise ParseError("location_range")
        return {"lat": lat, "lng": lng, "address": address.strip()}

    @staticmethod
    def _coordinate(value: Any, raw: Any) -> float:
        if isinstance(value, str):
            try:
                value = float(normalize_text(value))
            except ValueError:
                raise ParseError("not_a_location", value=raw) from None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ParseError("not_a_location", value=raw)
        if not math.isfinite(value):
            raise ParseError("not_a_location", value=raw)
        return float(value)

    def validate(self, value: Any, field: FieldSpec) -> Iterator[FieldError]:
        try:
            lat, lng = float(value["lat"]), float(value["lng"])
        except (TypeError, KeyError, ValueError):
            yield field_error(field, "not_a_location", value=value)
            return
        if not in_range(lat, lng):
            yield field_error(field, "location_range")

    def export(self, value: Any, field: FieldSpec, *, locale: str = DEFAULT_LOCALE) -> Any:
        if not value:
            return None
        text = f"{value['lat']},{value['lng']}"
        return f"{text} {value['address']}" if value.get("address") else text
