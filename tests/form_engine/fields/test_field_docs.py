"""docs/field-types.md documents every registered field type and its config keys."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from form_engine.fields import default_registry

DOC = Path(__file__).resolve().parents[3] / "docs" / "field-types.md"
REGISTRY = default_registry()


def sections() -> dict[str, str]:
    text = DOC.read_text(encoding="utf-8")
    parts = re.split(r"^### `([a-z_]+)`", text, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


@pytest.mark.parametrize("name", REGISTRY.names())
def test_type_has_a_heading_with_its_config_keys(name: str) -> None:
    documented = sections()
    assert name in documented, f"docs/field-types.md has no '### `{name}`' heading"
    body = documented[name]
    assert REGISTRY.get(name).label["zh-CN"] in body
    for key in REGISTRY.get(name).config_schema.get("properties", {}):
        assert f"`{key}`" in body, f"config key {key!r} of {name} is not documented"


def test_no_heading_for_a_type_that_does_not_exist() -> None:
    assert set(sections()) <= set(REGISTRY.names())
