"""Table and index changes on publish: archive/restore/rename tables, index changes, unique
indexes refused over duplicates, and child rows surviving a table rebuild."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from migration_apps import app, columns, field, indexes, insert, release, select, table, tables

from runtime.storage.migrate import MigrationRefused

CUSTOMER = "crm__customer"


def customer(*fields, **extra):
    return table("customer", field("name"), field("city"), *fields, **extra)


def test_removed_table_is_archived_and_restored_with_its_data(engine):
    doc = app(customer(index=True), table("note", field("body", "long_text")))
    release(engine, doc)
    insert(engine, doc, "note", [{"body": "first call"}])
    result = release(engine, app(customer()))
    assert [s.kind for s in result.plan.steps] == ["archive_table"]
    assert "crm__note" not in tables(engine)
    assert select(engine, "_archived_crm__note", "body") == [(1, "first call")]
    assert indexes(engine, "_archived_crm__note") == {}
    release(engine, doc)
    assert select(engine, "crm__note", "body") == [(1, "first call")]
    assert "ix_crm__note_owner" in indexes(engine, "crm__note")


def test_renamed_table_keeps_its_rows_and_gets_its_indexes_renamed(engine):
    doc = app(customer())
    release(engine, doc)
    insert(engine, doc, "customer", [{"name": "A"}])
    result = release(
        engine, app(table("account", field("name"), field("city"), renamed_from="customer"))
    )
    assert result.plan.steps[0].kind == "rename_table"
    assert select(engine, "crm__account", "name") == [(1, "A")]
    assert CUSTOMER not in tables(engine)
    names = set(indexes(engine, "crm__account"))
    assert "ix_crm__account_owner" in names
    assert not any("customer" in n for n in names)


def test_field_index_is_added_and_removed(engine):
    release(engine, app(customer()))
    assert "ix_crm__customer_city" not in indexes(engine, CUSTOMER)
    release(engine, app(table("customer", field("name"), field("city", index=True))))
    assert indexes(engine, CUSTOMER)["ix_crm__customer_city"]["column_names"] == ["city", "id"]
    result = release(engine, app(customer()))
    assert [s.kind for s in result.plan.steps] == ["drop_index"]
    assert "ix_crm__customer_city" not in indexes(engine, CUSTOMER)


def test_declared_index_over_two_fields(engine):
    release(engine, app(customer()))
    release(engine, app(customer(indexes=[{"fields": ["city", "name"]}])))
    assert indexes(engine, CUSTOMER)["ix_crm__customer_city_name"]["column_names"] == [
        "city",
        "name",
    ]


def test_unique_is_refused_while_live_rows_share_a_value(engine):
    doc = app(customer())
    release(engine, doc)
    deleted = datetime(2026, 1, 1, tzinfo=UTC)
    insert(
        engine,
        doc,
        "customer",
        [
            {"name": "华为"},
            {"name": "腾讯"},
            {"name": "华为"},
            {"name": "腾讯", "deleted_at": deleted},  # in the recycle bin: does not count
            {"name": None},
            {"name": None},  # empty values never clash
        ],
    )
    unique = app(table("customer", field("name", unique=True), field("city")))
    with pytest.raises(MigrationRefused) as refused:
        release(engine, unique)
    assert [(p.record_id, p.field, p.value) for p in refused.value.problems] == [
        (1, "name", "华为"),
        (3, "name", "华为"),
    ]
    assert "已存在" in refused.value.problems[0].reason("zh-CN")
    assert "ix_crm__customer_name_uq" not in indexes(engine, CUSTOMER)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE crm__customer SET name = '华为二' WHERE id = 3"))
    release(engine, unique)
    assert indexes(engine, CUSTOMER)["ix_crm__customer_name_uq"]["unique"]
    insert(engine, doc, "customer", [{"name": "华为", "deleted_at": deleted}])
    with pytest.raises(sa.exc.IntegrityError):
        insert(engine, doc, "customer", [{"name": "华为"}])


def test_unique_combination_refusal_names_both_fields(engine):
    doc = app(customer())
    release(engine, doc)
    insert(
        engine,
        doc,
        "customer",
        [
            {"name": "A", "city": "上海"},
            {"name": "A", "city": "上海"},
            {"name": "A", "city": "北京"},
        ],
    )
    with pytest.raises(MigrationRefused) as refused:
        release(engine, app(customer(unique=[["name", "city"]])))
    assert [(p.record_id, p.field) for p in refused.value.problems] == [
        (1, "name,city"),
        (2, "name,city"),
    ]
    assert "name、city" in refused.value.problems[0].reason("zh-CN")


def test_rebuilding_a_parent_table_keeps_child_rows_and_partial_indexes(engine, backend):
    """On SQLite renaming a column rebuilds the table; with foreign keys enforced that
    would cascade-delete child rows, and a careless rebuild would drop the WHERE of the
    partial unique index."""
    lines = table("line", field("product"), parent="quote")
    quote = table(
        "quote",
        field("code", unique=True),
        field("title"),
        field("lines", "child_table", config={"table": "line"}),
    )
    doc = app(quote, lines)
    release(engine, doc)
    deleted = datetime(2026, 1, 1, tzinfo=UTC)
    insert(
        engine, doc, "quote", [{"code": "Q1", "title": "t"}, {"code": "Q1", "deleted_at": deleted}]
    )
    insert(engine, doc, "line", [{"parent_id": 1, "product": "p1", "row_order": 0}])
    renamed = app(
        table(
            "quote",
            field("code", unique=True),
            field("subject", renamed_from="title"),
            field("lines", "child_table", config={"table": "line"}),
        ),
        lines,
    )
    release(engine, renamed)
    assert select(engine, "crm__quote", "code", "subject") == [(1, "Q1", "t"), (2, "Q1", None)]
    assert select(engine, "crm__line", "parent_id", "product") == [(1, 1, "p1")]
    # Still partial: a deleted duplicate is accepted, a live one is not.
    insert(engine, renamed, "quote", [{"code": "Q1", "deleted_at": deleted}])
    with pytest.raises(sa.exc.IntegrityError):
        insert(engine, renamed, "quote", [{"code": "Q1"}])
    # And the child's foreign key is still enforced.
    with pytest.raises(sa.exc.IntegrityError):
        insert(engine, renamed, "line", [{"parent_id": 99, "product": "x", "row_order": 0}])


def test_relation_added_to_an_existing_table_gets_a_foreign_key(engine):
    doc = app(customer(), table("deal", field("title")))
    release(engine, doc)
    linked = app(
        customer(),
        table("deal", field("title"), field("customer", "relation", config={"target": "customer"})),
    )
    release(engine, linked)
    assert "customer" in columns(engine, "crm__deal")
    fks = sa.inspect(engine).get_foreign_keys("crm__deal")
    assert [
        (f["constrained_columns"], f["referred_table"])
        for f in fks
        if f["constrained_columns"] == ["customer"]
    ] == [(["customer"], CUSTOMER)]
    with pytest.raises(sa.exc.IntegrityError):
        insert(engine, linked, "deal", [{"title": "x", "customer": 42}])


def test_new_tables_that_refer_to_each_other(engine):
    doc = app(
        table("account", field("name"), field("main", "relation", config={"target": "contact"})),
        table("contact", field("name"), field("account", "relation", config={"target": "account"})),
    )
    release(engine, doc)
    refs = {
        name: {f["referred_table"] for f in sa.inspect(engine).get_foreign_keys(name)}
        for name in ("crm__account", "crm__contact")
    }
    assert refs == {
        "crm__account": {"crm__contact", "kairos_user"},
        "crm__contact": {"crm__account", "kairos_user"},
    }
    insert(engine, doc, "account", [{"name": "A"}])
    insert(engine, doc, "contact", [{"name": "B", "account": 1}])
    with pytest.raises(sa.exc.IntegrityError):
        insert(engine, doc, "contact", [{"name": "C", "account": 9}])


def test_pointing_a_relation_at_another_table_archives_the_old_ids(engine):
    doc = app(
        customer(),
        table("vendor", field("name")),
        table("deal", field("party", "relation", config={"target": "customer"})),
    )
    release(engine, doc)
    insert(engine, doc, "customer", [{"name": "A"}])
    insert(engine, doc, "deal", [{"party": 1}])
    moved = app(
        customer(),
        table("vendor", field("name")),
        table("deal", field("party", "relation", config={"target": "vendor"})),
    )
    result = release(engine, moved)
    assert sorted(s.kind for s in result.plan.steps) == [
        "add_column",
        "archive_column",
        "create_index",  # the new column's index; the old one went with the archive
        "drop_index",
    ]
    assert select(engine, "crm__deal", "party", "_archived_party") == [(1, None, 1)]


def _industries(key: str, **extra) -> dict:
    """A lookup table with a self-relation (sub-industries)."""
    return table(
        key,
        field("name"),
        field("parent", "relation", config={"target": key, "on_delete": "set_null"}),
        **extra,
    )


def _referring(target: str) -> list[dict]:
    relation = {"target": target, "on_delete": "set_null"}
    return [
        table("company", field("name"), field("industry", "relation", config=relation)),
        table("lead", field("name"), field("industry", "relation", config=relation)),
    ]


def test_renaming_a_referenced_table_keeps_every_reference(engine):
    doc = app(_industries("industry"), *_referring("industry"))
    release(engine, doc)
    insert(engine, doc, "industry", [{"name": "IT"}, {"name": "Software", "parent": 1}])
    insert(engine, doc, "company", [{"name": "A", "industry": 2}, {"name": "B"}])
    insert(engine, doc, "lead", [{"name": "L", "industry": 1}])
    renamed = app(_industries("sector", renamed_from="industry"), *_referring("sector"))
    result = release(engine, renamed)
    kinds = [s.kind for s in result.plan.steps]
    assert "rename_table" in kinds
    assert "archive_column" not in kinds and "add_column" not in kinds
    assert select(engine, "crm__sector", "name", "parent") == [(1, "IT", None), (2, "Software", 1)]
    assert select(engine, "crm__company", "industry") == [(1, 2), (2, None)]
    assert select(engine, "crm__lead", "industry") == [(1, 1)]
    assert not {c for c in columns(engine, "crm__company") if c.startswith("_archived")}
    # The foreign keys follow the table: they point at sector and are still enforced.
    for name in ("crm__company", "crm__lead", "crm__sector"):
        targets = {fk["referred_table"] for fk in sa.inspect(engine).get_foreign_keys(name)}
        assert "crm__sector" in targets and "crm__industry" not in targets
    with pytest.raises(sa.exc.IntegrityError):
        insert(engine, renamed, "company", [{"name": "C", "industry": 99}])
