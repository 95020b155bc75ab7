"""Shared behaviour of attachment and image: a JSON list of uploaded-file descriptors.

A descriptor is ``{"name", "file_id", "size", "content_type"}``: ``file_id`` is the key the
runtime's file store gave the upload, ``size`` is in bytes.
"""

from __future__ import annotations

import json
import mimetypes
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

import sqlalchemy as sa

from form_engine.fields.base import FieldType, field_error, is_blank
from form_engine.fields.sqltypes import json_column_type
from form_engine.kinds import Kind
from form_engine.messages import FieldError, ParseError
from schemas.spec import DEFAULT_LOCALE, FieldSpec

MB = 1024 * 1024
EXPORT_SEPARATOR = ", "

FILES_CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "max_files": {"type": "integer", "minimum": 1, "description": "Most files allowed."},
        "max_size_mb": {
            "type": "number",
            "exclusiveMinimum": 0,
            "description": "Largest size of one file, in MB.",
        },
        "accept": {
            "type": "array",
            "items": {"type": "string", "pattern": r"^(\.[A-Za-z0-9]+|[a-z]+/(\*|[\w.+-]+))$"},
            "description": "Allowed extensions (.pdf) or media types (image/*, application/pdf).",
        },
    },
}


def _shape_error(index: int, en: str, zh: str) -> ParseError:
    return ParseError("not_a_file", index=index, detail={"zh-CN": zh, "en": en})


def parse_descriptor(raw: Any, index: int) -> dict[str, Any]:
    """One normalised descriptor; the content type is guessed from the name if missing."""
    if not isinstance(raw, Mapping):
        raise _shape_error(index, "must be an object", "应为对象")
    name, file_id = raw.get("name"), raw.get("file_id")
    if not isinstance(name, str) or not name.strip():
        raise _shape_error(index, "needs a name", "缺少文件名")
    if isinstance(file_id, int) and not isinstance(file_id, bool):
        file_id = str(file_id)
    if not isinstance(file_id, str) or not file_id.strip():
        raise _shape_error(index, "needs a file_id", "缺少 file_id")
    size = raw.get("size", 0)
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise _shape_error(index, "size must be a whole number of bytes", "大小应为字节数")
    content_type = raw.get("content_type") or mimetypes.guess_type(name)[0]
    return {
        "name": name.strip(),
        "file_id": file_id.strip(),
        "size": size,
        "content_type": content_type or "application/octet-stream",
    }


def accepts(pattern: str, descriptor: Mapping[str, Any]) -> bool:
    if pattern.startswith("."):
        return str(descriptor["name"]).lower().endswith(pattern.lower())
    if pattern.endswith("/*"):
        return str(descriptor["content_type"]).startswith(pattern[:-1])
    return descriptor["content_type"] == pattern


class FilesFieldType(FieldType):
    """A list of descriptors checked against ``max_files``, ``max_size_mb`` and ``accept``."""

    kind = Kind.JSON
    sortable = False
    config_schema: ClassVar[dict[str, Any]] = FILES_CONFIG_SCHEMA
    default_accept: ClassVar[tuple[str, ...]] = ()

    def column_type(self, field: FieldSpec) -> sa.types.TypeEngine[Any]:
        return json_column_type()

    def accept(self, field: FieldSpec) -> tuple[str, ...]:
        return tuple(field.config.get("accept") or self.default_accept)

    def parse(self, raw: Any, field: FieldSpec) -> list[dict[str, Any]] | None:
        if is_blank(raw):
            return None
        if isinstance(raw, str):
            try:
                raw = json.loads(raw)
            except ValueError:
                raise ParseError("not_a_list", value=raw) from None
        if isinstance(raw, Mapping):
            raw = [raw]
        if not isinstance(raw, list | tuple):
            raise ParseError("not_a_list", value=raw)
        return [parse_descriptor(item, i) for i, item in enumerate(raw, start=1)] or None

    def validate(self, value: Any, field: FieldSpec) -> Iterator[FieldError]:
        if not isinstance(value, list):
            yield field_error(field, "not_a_list", value=value)
            return
        for index, item in enumerate(value, start=1):
            try:
                parse_descriptor(item, index)
            except ParseError as exc:
                yield field_error(field, exc.code, **exc.params)
                return
        max_files = field.config.get("max_files")
        if max_files is not None and len(value) > max_files:
            yield field_error(field, "too_many_files", max=max_files)
        max_mb = field.config.get("max_size_mb")
        accept = self.accept(field)
        for item in value:
            if max_mb is not None and item["size"] > max_mb * MB:
                yield field_error(field, "file_too_large", name=item["name"], max_mb=max_mb)
            if accept and not any(accepts(p, item) for p in accept):
                yield field_error(field, "file_type", name=item["name"], allowed=", ".join(accept))

    def export(self, value: Any, field: FieldSpec, *, locale: str = DEFAULT_LOCALE) -> Any:
        return EXPORT_SEPARATOR.join(item["name"] for item in value) if value else None
