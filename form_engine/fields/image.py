"""``image``: uploaded pictures, e.g. 名片照片."""

from __future__ import annotations

from typing import ClassVar

from form_engine.fields._files import FilesFieldType
from schemas.spec import Label


class ImageField(FilesFieldType):
    """Like attachment, but only ``image/*`` files unless ``accept`` says otherwise."""

    name = "image"
    label: ClassVar[Label] = {"zh-CN": "图片", "en": "Image"}
    default_accept = ("image/*",)
