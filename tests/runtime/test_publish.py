"""Publishing: immutable versions, no-op republish, dry runs, reading versions back."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from form_engine.fields import default_registry
from runtime.publish import (
    PublishResult,
    VersionNotFound,
    list_versions,
    load_published,
    publish,
)
from runtime.storage.migrate import apply_migration, plan_migration
from runtime.storage.tables import AppTables
from schemas.spec import AppSpec


def field(key: str, **extra: Any) -> dict[str, Any]:
    return {"key": key, "type": "text", "label": {"zh-CN": key, "en": key}, **extra}


def app(*fields: dict[str, Any]) -> dict[str, Any]:
    customer = {
        "key": "customer",
        "label": {"zh-CN": "客户", "en": "Customer"},
        "fields": list(fields),
    }
    return {
        "schema_version": 1,
        "key": "crm",
        "name": {"zh-CN": "客户管理", "en": "CRM"},
        "version": "1",
        "tables": [customer],
    }


def release(engine: sa.Engine, document: dict[str, Any], **kwargs: Any) -> PublishResult:
    return publish(engine, AppSpec.from_dict(document), document, **kwargs)


def customer_table(document: dict[str, Any]) -> sa.Table:
    return AppTables(AppSpec.from_dict(document), default_registry()).table("customer")


V1 = app(field("name"))
V2 = app(field("name"), field("city"))


def test_each_publish_stores_an_immutable_version(engine):
    assert list_versions(engine, "crm") == []
    assert release(engine, V1, published_by=None).version_no == 1
    assert release(engine, V2).version_no == 2
    versions = list_versions(engine, "crm")
    assert [(v.version_no, len(v.checksum)) for v in versions] == [(1, 64), (2, 64)]
    assert versions[1].migration_plan["steps"][0]["step"] == "add_column"
    assert versions[1].migration_plan["steps"][0]["zh-CN"] == "表“customer”：新增列 city"
    assert "city" in versions[1].migration_plan["changes"]["en"]
    spec, document = load_published(engine, "crm", 1)
    assert document == V1 and spec.table("customer").has_field("city") is False
    assert load_published(engine, "crm")[1] == V2
    with engine.connect() as conn:
        current = conn.execute(sa.text("SELECT current_version FROM kairos_app")).scalar()
    assert current == 2


def test_publishing_the_same_definition_again_creates_no_version(engine):
    first = release(engine, V1)
    again = release(engine, dict(reversed(list(V1.items()))))  # key order does not matter
    assert (again.version_no, again.applied, again.plan.is_empty) == (1, False, True)
    assert [v.version_no for v in list_versions(engine, "crm")] == [first.version_no]


def test_going_back_to_an_older_definition_is_a_new_version(engine):
    release(engine, V1)
    release(engine, V2)
    assert release(engine, V1).version_no == 3


def test_a_label_only_change_is_a_version_without_schema_steps(engine):
    release(engine, V1)
    relabelled = app(field("name", label={"zh-CN": "名称", "en": "Name"}))
    result = release(engine, relabelled)
    assert (result.version_no, result.applied, result.plan.steps) == (2, True, ())
    assert result.plan.describe("en") == ["No database changes"]


def test_dry_run_changes_nothing(engine):
    first = release(engine, V1, dry_run=True)
    assert (first.version_no, first.applied) == (1, False)
    assert first.plan.describe("en") == ['Create table "customer"']
    assert sa.inspect(engine).get_table_names() == []
    release(engine, V1)
    now = datetime(2026, 3, 1, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(
            customer_table(V1)
            .insert()
            .values(name="A", created_at=now, updated_at=now, row_version=1)
        )
    removed = app(field("city"))
    preview = release(engine, removed, dry_run=True)
    assert preview.version_no == 2
    assert preview.plan.describe("zh-CN") == [
        "表“customer”：新增列 city",
        "表“customer”：归档列 name 为 _archived_name（数据保留）",
    ]
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT name FROM crm__customer")).all() == [("A",)]
    assert [v.version_no for v in list_versions(engine, "crm")] == [1]


def test_unknown_versions_are_reported(engine):
    with pytest.raises(VersionNotFound):
        load_published(engine, "crm")
    release(engine, V1)
    with pytest.raises(VersionNotFound, match="version 7"):
        load_published(engine, "crm", 7)


def test_apply_migration_on_sqlite_insists_on_foreign_keys_off(engine, backend):
    if backend != "sqlite":
        pytest.skip("PostgreSQL needs no pragma")
    tables_ = AppTables(AppSpec.from_dict(V1), default_registry())
    plan = plan_migration(engine, tables_, None)
    with engine.begin() as conn, pytest.raises(RuntimeError, match="foreign_keys"):
        apply_migration(conn, plan)
