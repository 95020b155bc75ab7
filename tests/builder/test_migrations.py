"""The schema_version migration chain, tested against a frozen version-0 fixture."""

from __future__ import annotations

import json

import pytest

from builder.model import CURRENT_VERSION, load_app, load_definition, upgrade_app
from builder.model.migrations import _CHAIN, SchemaVersionError, upgrade_table
from tests.builder.conftest import FIXTURES

V0_FOLDER = FIXTURES / "app_v0"
V0_EXPECTED = json.loads((FIXTURES / "app_v0_expected.json").read_text("utf-8"))


def test_chain_has_a_step_for_every_old_version() -> None:
    assert sorted(_CHAIN) == list(range(min(_CHAIN), CURRENT_VERSION))


def test_frozen_v0_folder_upgrades_to_expected_v1_document() -> None:
    raw = load_definition(V0_FOLDER)
    assert raw.problems == []
    assert raw.document == V0_EXPECTED


def test_upgraded_v0_app_is_valid() -> None:
    result = load_app(V0_FOLDER)
    assert result.problems == []
    assert result.spec is not None
    assert result.spec.table("deal").field("stage").config["options"][0] == {
        "key": "new",
        "label": {"zh-CN": "初步接触"},
    }


def test_upgrade_does_not_touch_its_input() -> None:
    doc = {
        "schema_version": 0,
        "key": "a1",
        "tables": [
            {"key": "t", "fields": [{"key": "s", "fieldtype": "select", "options": "a\nb=Bee"}]}
        ],
    }
    before = json.dumps(doc)
    upgraded = upgrade_app(doc)
    assert json.dumps(doc) == before
    assert upgraded["schema_version"] == 1
    assert upgraded["tables"][0]["fields"][0] == {
        "key": "s",
        "type": "single_select",
        "config": {
            "options": [
                {"key": "a", "label": {"zh-CN": "a"}},
                {"key": "b", "label": {"zh-CN": "Bee"}},
            ]
        },
    }


def test_table_file_uses_app_locale_for_option_labels() -> None:
    table = {
        "schema_version": 0,
        "key": "t",
        "fields": [{"key": "s", "fieldtype": "select", "options": "a=Apple"}],
    }
    upgraded = upgrade_table(table, {"default_locale": "en"})
    assert upgraded["schema_version"] == 1
    assert upgraded["fields"][0]["config"] == {"options": [{"key": "a", "label": {"en": "Apple"}}]}


def test_current_version_is_left_as_is() -> None:
    doc = {"schema_version": CURRENT_VERSION, "key": "a1", "fieldtype": "kept"}
    assert upgrade_app(doc) == doc


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"key": "a1"}, "app.json: schema_version: schema_version is missing"),
        (
            {"schema_version": "1"},
            "app.json: schema_version: schema_version must be a whole number, got '1'",
        ),
        (
            {"schema_version": -1},
            "app.json: schema_version: schema_version must be a whole number, got -1",
        ),
        (
            {"schema_version": 7},
            "app.json: schema_version: schema_version 7 is newer than this "
            "Kairos understands (at most 1); upgrade Kairos",
        ),
    ],
)
def test_unusable_versions_are_clear_errors(tmp_path, doc, message) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "app.json"
    path.write_text(json.dumps(doc))
    result = load_app(path)
    assert result.spec is None
    assert [str(p) for p in result.problems] == [message]


def test_future_version_raises_for_direct_callers() -> None:
    with pytest.raises(SchemaVersionError) as info:
        upgrade_app({"schema_version": CURRENT_VERSION + 1})
    assert info.value.code == "version_future"
