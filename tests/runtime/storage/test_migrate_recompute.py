"""Publishing recomputes the stored values of new and changed formula, lookup and rollup
fields (and of the computed fields reading them) on every existing row."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from migration_apps import app, columns, field, insert, select, table

from builder.model.validate import validate_document
from runtime.publish import PublishResult, list_versions, publish
from runtime.storage import _recompute_formula
from runtime.storage.migrate import MigrationRefused

DEAL = "crm__deal"
CUSTOMER = "crm__customer"


def release(engine, document: dict[str, Any]) -> PublishResult:
    """Validate (which resolves lookup and rollup result types), then publish."""
    loaded = validate_document(document)
    assert loaded.ok, [str(p) for p in loaded.problems]
    return publish(engine, loaded.spec, loaded.document)


def customer(*extra: dict) -> dict:
    return table("customer", field("name"), field("region"), *extra)


def deal(*extra: dict) -> dict:
    relation = {"target": "customer", "on_delete": "set_null"}
    return table(
        "deal",
        field("title"),
        field("amount", "money"),
        field("probability", "number"),
        field("customer", "relation", config=relation),
        *extra,
    )


def formula(key: str, expression: str, result: str = "money", **config: Any) -> dict:
    return field(key, "formula", config={"expression": expression, "result_type": result, **config})


def seed(engine, document: dict) -> None:
    release(engine, document)
    insert(engine, document, "customer", [{"name": "A", "region": "east"}, {"name": "B"}])
    insert(
        engine,
        document,
        "deal",
        [
            {"title": "d1", "amount": Decimal("100.00"), "probability": 50, "customer": 1},
            {"title": "d2", "amount": Decimal("10.00"), "probability": 25, "customer": 2},
            {"title": "d3", "amount": None, "probability": 10, "customer": None},
            {
                "title": "gone",
                "amount": Decimal("8.00"),
                "probability": 100,
                "customer": 1,
                "deleted_at": datetime(2026, 3, 2, tzinfo=UTC),
            },
        ],
    )


def test_a_new_formula_is_computed_for_existing_rows(engine):
    seed(engine, app(customer(), deal()))
    result = release(
        engine, app(customer(), deal(formula("weighted", "amount * probability / 100")))
    )
    assert result.plan.describe("en")[-1] == (
        'Recompute formula field "weighted" of table "deal" (all existing records)'
    )
    assert "重新计算表“deal”的公式字段“weighted”" in result.plan.describe("zh-CN")[-1]
    assert select(engine, DEAL, "weighted") == [
        (1, Decimal("50.00")),
        (2, Decimal("2.50")),
        (3, None),
        (4, Decimal("8.00")),  # rows in the recycle bin too
    ]
    # Not an edit: no row_version bump.
    assert {v for _i, v in select(engine, DEAL, "row_version")} == {1}


def test_changing_an_expression_recomputes_it_and_the_formulas_reading_it(engine):
    first = app(
        customer(),
        deal(formula("weighted", "amount * probability / 100"), formula("double", "weighted * 2")),
    )
    seed(engine, first)
    release(
        engine,
        app(customer(), deal(formula("weighted", "amount"), formula("double", "weighted * 2"))),
    )
    changed = app(
        customer(),
        deal(formula("weighted", "amount / 2"), formula("double", "weighted * 2")),
    )
    result = release(engine, changed)
    assert [s.describe("en").split('"')[1] for s in result.plan.steps] == ["weighted", "double"]
    assert select(engine, DEAL, "weighted", "double")[:2] == [
        (1, Decimal("50.00"), Decimal("100.00")),
        (2, Decimal("5.00"), Decimal("10.00")),
    ]


def test_a_plain_field_turned_formula_drops_the_typed_text(engine):
    seed(engine, app(customer(), deal(field("label"))))
    insert(engine, app(customer(), deal(field("label"))), "deal", [{"title": "d5", "label": "x"}])
    release(engine, app(customer(), deal(formula("label", 'title & "!"', "text"))))
    rows = select(engine, DEAL, "label", "_archived_label")
    assert rows[0] == (1, "d1!", None)
    assert rows[-1] == (5, "d5!", "x")  # the typed text is archived, not kept


def test_new_lookup_and_rollups_are_computed_with_sql(engine):
    seed(engine, app(customer(), deal()))
    lookup = field("region", "lookup", config={"relation": "customer", "field": "region"})
    rollups = [
        field("deals", "rollup", config={"table": "deal", "via": "customer", "aggregate": "count"}),
        field(
            "big_total",
            "rollup",
            config={
                "table": "deal",
                "via": "customer",
                "aggregate": "sum",
                "field": "amount",
                "filter": {"field": "probability", "op": "gte", "value": 50},
            },
        ),
    ]
    result = release(engine, app(customer(*rollups), deal(lookup)))
    assert {s.describe("en").split('"')[1] for s in result.plan.steps if s.kind == "recompute"} == {
        "deals",
        "big_total",
        "region",
    }
    assert select(engine, DEAL, "region") == [(1, "east"), (2, None), (3, None), (4, "east")]
    # Deleted deals do not count.
    assert select(engine, CUSTOMER, "deals", "big_total") == [
        (1, 1, Decimal("100.00")),
        (2, 1, Decimal("0.00")),
    ]


def test_a_formula_over_a_new_lookup_is_computed_after_it(engine):
    seed(engine, app(customer(), deal()))
    release(
        engine,
        app(
            customer(),
            deal(
                formula("where", 'title & "@" & region', "text"),
                field("region", "lookup", config={"relation": "customer", "field": "region"}),
            ),
        ),
    )
    assert select(engine, DEAL, "where")[:2] == [(1, "d1@east"), (2, "d2@")]


def test_child_rollup_and_child_formula(engine):
    line = table("line", field("qty", "number"), field("price", "money"), parent="deal")
    lines = field("lines", "child_table", config={"table": "line"})
    doc = app(customer(), deal(lines), line)
    seed(engine, doc)
    insert(
        engine,
        doc,
        "line",
        [
            {"parent_id": 1, "row_order": 0, "qty": 2, "price": Decimal("3.00")},
            {"parent_id": 1, "row_order": 1, "qty": 1, "price": Decimal("4.50")},
        ],
    )
    counted = field("line_count", "rollup", config={"child": "lines", "aggregate": "count"})
    release(
        engine, app(customer(), deal(lines, counted, formula("prices", "SUM(lines.price)")), line)
    )
    assert select(engine, DEAL, "line_count", "prices")[:2] == [
        (1, 2, Decimal("7.50")),
        (2, 0, Decimal("0.00")),
    ]


def test_many_rows_are_recomputed_in_batches(engine, monkeypatch):
    doc = app(customer(), deal())
    release(engine, doc)
    insert(engine, doc, "deal", [{"title": f"d{i}", "amount": Decimal(i)} for i in range(7)])
    monkeypatch.setattr(_recompute_formula, "BATCH", 3)
    release(engine, app(customer(), deal(formula("double", "amount * 2"))))
    assert [v for _i, v in select(engine, DEAL, "double")] == [Decimal(2 * i) for i in range(7)]


def test_values_too_large_for_the_column_refuse_the_publish(engine):
    seed(engine, app(customer(), deal()))
    before = columns(engine, DEAL)
    with pytest.raises(MigrationRefused) as refused:
        release(engine, app(customer(), deal(formula("huge", "amount * 10000000000000000"))))
    problems = refused.value.problems
    assert [(p.table, p.record_id, p.field) for p in problems] == [
        ("deal", 1, "huge"),
        ("deal", 2, "huge"),
        ("deal", 4, "huge"),
    ]
    assert "too large" in problems[0].reason("en")
    assert columns(engine, DEAL) == before
    assert [v.version_no for v in list_versions(engine, "crm")] == [1]


def test_rollup_values_too_large_refuse_the_publish(engine):
    seed(engine, app(customer(), deal()))
    big = {"amount": Decimal("9000000000000000"), "customer": 2}
    insert(engine, app(customer(), deal()), "deal", [big, big])
    total = field(
        "total",
        "rollup",
        config={"table": "deal", "via": "customer", "aggregate": "sum", "field": "amount"},
    )
    with pytest.raises(MigrationRefused) as refused:
        release(engine, app(customer(total), deal()))
    assert [(p.record_id, p.field) for p in refused.value.problems] == [(2, "total")]
    assert refused.value.problems[0].error.code == "number_too_large"


def test_unchanged_computed_fields_are_not_recomputed(engine):
    doc = app(customer(), deal(formula("weighted", "amount * probability / 100")))
    seed(engine, doc)
    result = release(
        engine,
        app(customer(field("city")), deal(formula("weighted", "amount * probability / 100"))),
    )
    assert [s.kind for s in result.plan.steps] == ["add_column"]


def test_a_changed_formula_recomputes_rollups_over_it_on_another_table(engine):
    total = field(
        "weighted_total",
        "rollup",
        config={"table": "deal", "via": "customer", "aggregate": "sum", "field": "weighted"},
    )
    seed(engine, app(customer(total), deal(formula("weighted", "amount"))))
    result = release(engine, app(customer(total), deal(formula("weighted", "amount / 10"))))
    assert [s.describe("en").split('"')[1] for s in result.plan.steps] == [
        "weighted",
        "weighted_total",
    ]
    assert select(engine, CUSTOMER, "weighted_total") == [
        (1, Decimal("10.00")),
        (2, Decimal("1.00")),
    ]
