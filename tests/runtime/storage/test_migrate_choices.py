"""Switching a field between single and multiple choice keeps the choices people made."""

from __future__ import annotations

import json

import pytest
from migration_apps import app, field, insert, release, table
from migration_apps import select as select_raw

from runtime.publish import list_versions
from runtime.storage.migrate import MigrationRefused

TASK = "crm__task"
OPTIONS = {
    "options": [{"key": k, "label": {"zh-CN": k, "en": k}} for k in ("low", "medium", "high")]
}


def select(engine, name: str, *columns: str) -> list[tuple]:
    """Rows with JSON text (SQLite) decoded, so both backends compare alike."""

    def decoded(value):
        return json.loads(value) if isinstance(value, str) and value[:1] == "[" else value

    return [tuple(decoded(v) for v in row) for row in select_raw(engine, name, *columns)]


def with_priority(type_: str) -> dict:
    return app(table("task", field("title"), field("priority", type_, config=OPTIONS)))


def test_multi_to_single_unwraps_one_choice_and_empties_no_choice(engine):
    doc = with_priority("multi_select")
    release(engine, doc)
    insert(
        engine,
        doc,
        "task",
        [
            {"title": "a", "priority": ["low"]},
            {"title": "b", "priority": []},
            {"title": "c", "priority": None},
            {"title": "d", "priority": ["high"]},
        ],
    )
    result = release(engine, with_priority("single_select"))
    assert [s.kind for s in result.plan.steps] == ["change_type"]
    assert select(engine, TASK, "priority") == [(1, "low"), (2, None), (3, None), (4, "high")]
    assert select(engine, TASK, "_archived_priority")[0] == (1, ["low"])


def test_multi_to_single_refuses_only_rows_with_several_choices(engine):
    doc = with_priority("multi_select")
    release(engine, doc)
    insert(
        engine,
        doc,
        "task",
        [
            {"title": "a", "priority": ["low"]},
            {"title": "b", "priority": ["low", "high"]},
            {"title": "c", "priority": ["medium", "high", "low"]},
        ],
    )
    with pytest.raises(MigrationRefused) as refused:
        release(engine, with_priority("single_select"))
    problems = refused.value.problems
    assert [(p.record_id, p.field, p.value) for p in problems] == [
        (2, "priority", ["low", "high"]),
        (3, "priority", ["medium", "high", "low"]),
    ]
    assert {p.error.code for p in problems} == {"migration_many_choices"}
    assert "2 choices" in problems[0].reason("en")
    assert "2 个选项" in problems[0].reason("zh-CN")
    assert [v.version_no for v in list_versions(engine, "crm")] == [1]
    assert select(engine, TASK, "priority")[1] == (2, ["low", "high"])


def test_single_to_multi_wraps_the_choice(engine):
    doc = with_priority("single_select")
    release(engine, doc)
    insert(
        engine,
        doc,
        "task",
        [{"title": "a", "priority": "medium"}, {"title": "b", "priority": None}],
    )
    release(engine, with_priority("multi_select"))
    assert select(engine, TASK, "priority") == [(1, ["medium"]), (2, None)]
    # And back again: the one-element lists become single choices.
    release(engine, with_priority("single_select"))
    assert select(engine, TASK, "priority") == [(1, "medium"), (2, None)]
