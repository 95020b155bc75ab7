"""Field-level changes on publish: add, archive, restore, rename — data survives each."""

from __future__ import annotations

from decimal import Decimal

from migration_apps import app, columns, field, insert, release, select, table

CUSTOMER = "crm__customer"


def base(*extra_fields):
    return app(table("customer", field("name"), field("city"), *extra_fields))


def test_first_publish_creates_every_table(engine):
    doc = app(
        table("customer", field("name"), field("amount", "money")),
        table(
            "opportunity",
            field("title"),
            field("customer", "relation", config={"target": "customer"}),
        ),
    )
    result = release(engine, doc)
    assert result.applied and result.version_no == 1
    assert [s.kind for s in result.plan.steps] == ["create_table", "create_table"]
    assert {"name", "amount", "id", "deleted_at"} <= columns(engine, CUSTOMER)
    assert "customer" in columns(engine, "crm__opportunity")
    insert(engine, doc, "customer", [{"name": "华为", "amount": Decimal("12.50")}])
    assert select(engine, CUSTOMER, "name") == [(1, "华为")]


def test_adding_a_field_keeps_existing_rows(engine):
    release(engine, base())
    insert(engine, base(), "customer", [{"name": "A", "city": "上海"}, {"name": "B"}])
    result = release(engine, base(field("phone", "phone", required=True)))
    assert [s.kind for s in result.plan.steps] == ["add_column"]
    assert select(engine, CUSTOMER, "name", "city", "phone") == [
        (1, "A", "上海", None),
        (2, "B", None, None),
    ]


def test_removing_a_field_archives_its_column_with_the_data(engine):
    release(engine, base())
    insert(engine, base(), "customer", [{"name": "A", "city": "上海"}])
    result = release(engine, app(table("customer", field("name"))))
    assert [s.kind for s in result.plan.steps] == ["archive_column"]
    assert "city" not in columns(engine, CUSTOMER)
    assert select(engine, CUSTOMER, "name", "_archived_city") == [(1, "A", "上海")]


def test_re_adding_a_field_restores_the_archived_data(engine):
    release(engine, base())
    insert(engine, base(), "customer", [{"name": "A", "city": "上海"}])
    release(engine, app(table("customer", field("name"))))
    result = release(engine, base())
    assert [s.kind for s in result.plan.steps] == ["restore_column"]
    assert select(engine, CUSTOMER, "city") == [(1, "上海")]
    assert not any(c.startswith("_archived") for c in columns(engine, CUSTOMER))


def test_re_adding_with_another_type_adds_a_fresh_column_and_keeps_the_archive(engine):
    release(engine, base())
    insert(engine, base(), "customer", [{"name": "A", "city": "上海"}])
    release(engine, app(table("customer", field("name"))))
    result = release(engine, app(table("customer", field("name"), field("city", "number"))))
    assert [s.kind for s in result.plan.steps] == ["add_column"]
    assert select(engine, CUSTOMER, "city", "_archived_city") == [(1, None, "上海")]
    # Removing it again keeps both generations of archived data.
    release(engine, app(table("customer", field("name"))))
    assert {"_archived_city", "_archived2_city"} <= columns(engine, CUSTOMER)
    assert select(engine, CUSTOMER, "_archived2_city") == [(1, "上海")]


def test_renamed_from_moves_the_data(engine):
    release(engine, base())
    insert(engine, base(), "customer", [{"name": "A", "city": "上海"}])
    renamed = app(table("customer", field("name"), field("region", renamed_from="city")))
    result = release(engine, renamed)
    assert [s.kind for s in result.plan.steps] == ["rename_column"]
    assert select(engine, CUSTOMER, "region") == [(1, "上海")]
    assert "city" not in columns(engine, CUSTOMER)
    # Publishing it again (renamed_from still there) changes nothing more.
    again = app(
        table(
            "customer",
            field("name"),
            field("region", renamed_from="city"),
            field("note", "long_text"),
        )
    )
    assert [s.kind for s in release(engine, again).plan.steps] == ["add_column"]
