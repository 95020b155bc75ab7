"""Options of single and multi select: the allowed list in an error reads in each locale."""

from __future__ import annotations

from dataclasses import replace

import pytest

from form_engine.fields import default_registry
from form_engine.messages import ParseError
from schemas.spec import FieldSpec

REGISTRY = default_registry()
STAGE = FieldSpec(
    "stage",
    "single_select",
    {"zh-CN": "阶段", "en": "Stage"},
    config={
        "options": [
            {"key": "won", "label": {"zh-CN": "赢单", "en": "Won"}},
            {"key": "lost", "label": {"zh-CN": "输单", "en": "Lost"}},
        ]
    },
)
UNKNOWN_OPTION = {
    "en": 'Stage has no option "maybe"; allowed: Won, Lost',
    "zh-CN": "阶段的选项“maybe”不存在，可选：赢单、输单",
}


@pytest.mark.parametrize("type_name", ["single_select", "multi_select"])
def test_input_outside_the_options_lists_the_labels_in_each_language(type_name: str) -> None:
    field = replace(STAGE, type=type_name)
    with pytest.raises(ParseError) as caught:
        REGISTRY.get(type_name).parse("maybe", field)
    assert caught.value.to_field_error(field.key, field.label).messages == UNKNOWN_OPTION


@pytest.mark.parametrize(
    ("type_name", "value"), [("single_select", "maybe"), ("multi_select", ["maybe"])]
)
def test_stored_value_outside_the_options_lists_the_labels_in_each_language(
    type_name: str, value: object
) -> None:
    field = replace(STAGE, type=type_name)
    (error,) = REGISTRY.get(type_name).validate(value, field)
    assert error.code == "not_an_option"
    assert error.messages == UNKNOWN_OPTION
