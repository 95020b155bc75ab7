"""Type changes on publish: every value converts (originals archived) or nothing changes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from migration_apps import app, columns, field, insert, release, select, table
from sqlalchemy.engine import Engine

from runtime.publish import list_versions
from runtime.storage.migrate import MigrationRefused

CUSTOMER = "crm__customer"


def with_amount(type_: str = "text", **extra) -> dict:
    return app(table("customer", field("name"), field("amount", type_, **extra)))


def seed(engine: Engine, *amounts: str | None) -> None:
    release(engine, with_amount())
    insert(
        engine,
        with_amount(),
        "customer",
        [{"name": f"c{i}", "amount": a} for i, a in enumerate(amounts)],
    )


def test_text_to_number_converts_messy_cells_and_keeps_the_originals(engine):
    seed(engine, "1,234", " 56 ", None, "", "１２")
    result = release(engine, with_amount("number"))
    assert [s.kind for s in result.plan.steps] == ["change_type"]
    assert "(3 rows" in result.plan.describe("en")[0]
    assert select(engine, CUSTOMER, "amount", "_archived_amount") == [
        (1, 1234, "1,234"),
        (2, 56, " 56 "),
        (3, None, None),
        (4, None, ""),
        (5, 12, "１２"),
    ]


def test_text_to_money_understands_currency_text(engine):
    seed(engine, "¥1,234.5", "1.2万")
    release(engine, with_amount("money"))
    assert select(engine, CUSTOMER, "amount") == [(1, Decimal("1234.50")), (2, Decimal("12000.00"))]


def test_a_type_change_that_would_lose_data_is_refused_with_the_rows(engine):
    seed(engine, "12", "abc", "3", "n/a")
    before = columns(engine, CUSTOMER)
    with pytest.raises(MigrationRefused) as refused:
        release(engine, with_amount("number"))
    problems = refused.value.problems
    assert [(p.table, p.record_id, p.field, p.value) for p in problems] == [
        ("customer", 2, "amount", "abc"),
        ("customer", 4, "amount", "n/a"),
    ]
    assert refused.value.total == 2
    assert "must be a number" in problems[0].reason("en")
    assert "应为数字" in refused.value.message("zh-CN")
    # Nothing changed: same columns, same values, no new version.
    assert columns(engine, CUSTOMER) == before
    assert select(engine, CUSTOMER, "amount") == [(1, "12"), (2, "abc"), (3, "3"), (4, "n/a")]
    assert [v.version_no for v in list_versions(engine, "crm")] == [1]


def test_the_refusal_lists_at_most_fifty_rows_but_counts_all(engine):
    seed(engine, *(["bad"] * 60))
    with pytest.raises(MigrationRefused) as refused:
        release(engine, with_amount("number"))
    assert len(refused.value.problems) == 50
    assert refused.value.total == 60
    assert "10 more" in refused.value.message("en")


def test_narrowing_a_text_length_refuses_values_that_do_not_fit(engine):
    seed(engine, "short", "far too long for five")
    with pytest.raises(MigrationRefused) as refused:
        release(engine, with_amount(config={"max_length": 5}))
    assert [(p.record_id, p.value) for p in refused.value.problems] == [
        (2, "far too long for five")
    ]
    assert refused.value.problems[0].error.code == "max_length"


def test_narrowing_succeeds_when_every_value_fits(engine):
    seed(engine, "short", None)
    release(engine, with_amount(config={"max_length": 8}))
    assert select(engine, CUSTOMER, "amount") == [(1, "short"), (2, None)]
    release(engine, with_amount(config={"max_length": 8}))
    assert [v.version_no for v in list_versions(engine, "crm")] == [1, 2]


def test_number_to_text_and_back(engine):
    doc = with_amount("number")
    release(engine, doc)
    insert(engine, doc, "customer", [{"name": "a", "amount": 42}, {"name": "b", "amount": None}])
    release(engine, with_amount("text"))
    assert select(engine, CUSTOMER, "amount") == [(1, "42"), (2, None)]
    release(engine, with_amount("number"))
    assert select(engine, CUSTOMER, "amount") == [(1, 42), (2, None)]
    # Each conversion archived the values it replaced; the older archive was kept too.
    assert select(engine, CUSTOMER, "_archived_amount", "_archived2_amount") == [
        (1, "42", 42),
        (2, None, None),
    ]


def test_reducing_money_precision_refuses_instead_of_rounding(engine):
    doc = with_amount("money")
    release(engine, doc)
    insert(engine, doc, "customer", [{"name": "a", "amount": Decimal("10.25")}])
    with pytest.raises(MigrationRefused) as refused:
        release(engine, with_amount("money", config={"precision": 1}))
    assert refused.value.problems[0].error.code == "precision"


def test_rename_and_type_change_together(engine):
    seed(engine, "7")
    doc = app(table("customer", field("name"), field("budget", "number", renamed_from="amount")))
    result = release(engine, doc)
    assert [s.kind for s in result.plan.steps] == ["change_type"]
    assert select(engine, CUSTOMER, "budget", "_archived_amount") == [(1, 7, "7")]
    assert "amount" not in columns(engine, CUSTOMER)
