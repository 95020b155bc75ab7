"""The duplicate check's search index (runtime.dedupe.terms): kept by every write, built
from the stored rows when missing, and fast enough for a batch of distinct names."""

from __future__ import annotations

from dataclasses import replace

import sqlalchemy as sa

from form_engine import dedupe
from runtime.db import write_transaction
from runtime.dedupe import terms
from runtime.dedupe.batch import BatchDuplicates, BatchEntry
from runtime.dedupe.check import check_duplicates


def _warned(service, actor, name: str) -> list[str]:
    """Titles of the records the single-record check warns about for ``name``."""
    plan = service.plan("customer")
    access = service.access(actor, plan)
    with write_transaction(service.engine) as conn:
        warnings = check_duplicates(
            conn, plan, access, {"name": name}, {"name"}, None, service.context(actor), []
        )
    return [m["title"] for w in warnings for m in w["matches"]]


def _indexed(service, column: sa.Column, record_id: int) -> list[str]:
    """What the search index holds for a record: its terms or its forms."""
    with service.engine.connect() as conn:
        return list(
            conn.execute(sa.select(column).where(column.table.c.record_id == record_id)).scalars()
        )


def _terms_of(service, record_id: int) -> set[str]:
    return set(_indexed(service, terms.TERMS.c.term, record_id))


def _forms_of(service, record_id: int) -> list[str]:
    return _indexed(service, terms.FORMS.c.form, record_id)


def test_a_saved_record_is_indexed_and_reindexed_when_its_name_changes(service, actors):
    admin = actors["admin"]
    assert _warned(service, admin, "恒瑞达信息技术有限公司") == []  # builds the empty slot
    record = service.create(admin, "customer", {"name": "杭州恒瑞达信息技术有限公司"})
    assert {"恒瑞", "瑞达"} <= _terms_of(service, record["id"])
    [form] = _forms_of(service, record["id"])  # the parsed name, stored next to the terms
    assert dedupe.form_from_text("company_name", form) == dedupe.parse_company(record["name"])
    assert _warned(service, admin, "恒瑞达信息技术（中国）有限公司") == [
        "杭州恒瑞达信息技术有限公司"
    ]

    service.update(admin, "customer", record["id"], {"name": "宁波海天塑机集团有限公司"})
    assert "恒瑞" not in _terms_of(service, record["id"])  # the old name's terms are gone
    assert _forms_of(service, record["id"]) == [
        dedupe.form_text("company_name", "宁波海天塑机集团有限公司")
    ]
    assert _warned(service, admin, "恒瑞达信息技术有限公司") == []
    assert _warned(service, admin, "海天塑机（宁波）有限公司") == ["宁波海天塑机集团有限公司"]


def test_a_missing_index_is_built_from_the_stored_rows(service, actors):
    """A database written before the index existed (or after a publish that changed the
    rule): the first check builds the slot from what is stored — terms and forms."""
    admin = actors["admin"]
    record = service.create(admin, "customer", {"name": "杭州恒瑞达信息技术有限公司"})
    with write_transaction(service.engine) as conn:
        conn.execute(terms.TERMS.delete())
        conn.execute(terms.FORMS.delete())
        conn.execute(terms.SLOTS.delete())
    assert _warned(service, admin, "恒瑞达信息技术有限公司") == ["杭州恒瑞达信息技术有限公司"]
    assert len(_forms_of(service, record["id"])) == 1
    with service.engine.connect() as conn:
        slots = conn.execute(sa.select(terms.SLOTS.c.slot)).scalars().all()
    assert "name:company_name" in slots


def test_a_soft_deleted_record_is_not_a_candidate_and_is_again_once_restored(service, actors):
    admin = actors["admin"]
    record = service.create(admin, "customer", {"name": "杭州恒瑞达信息技术有限公司"})
    service.delete(admin, "customer", record["id"])
    assert _warned(service, admin, "恒瑞达信息技术有限公司") == []
    service.restore(admin, "customer", record["id"])
    assert _warned(service, admin, "恒瑞达信息技术有限公司") == ["杭州恒瑞达信息技术有限公司"]


def test_a_batch_of_thousands_of_distinct_names_is_checked_in_one_go(service, actors):
    """Every row of a real import brings its own terms: the batch query must not grow
    with them (SQLite refused an OR of a thousand LIKEs: "Expression tree is too large")."""
    admin = actors["admin"]
    service.create(admin, "customer", {"name": "杭州恒瑞达信息技术有限公司"})
    chars = "华信达恒瑞博安泰新宏远鼎盛源聚丰海嘉汇通盈德康宇明辉诚凯立天正中金隆和顺优创启航"
    names = [
        f"{a}{b}{c}贸易有限公司"
        for a in chars
        for b in chars
        for c in "甲乙"
        if a != b and {a, b} != {"恒", "瑞"}
    ][:1500]
    rows = [{"name": n} for n in names] + [{"name": "恒瑞达信息技术（中国）有限公司"}]
    plan = service.plan("customer")
    access = service.access(admin, plan)
    entries = [BatchEntry(dict(r), set(r), []) for r in rows]
    with write_transaction(service.engine) as conn:
        check = BatchDuplicates(conn, plan, access, entries, service.context(admin))
        for index in range(len(entries)):
            check.check(index)
    warned = [i for i, e in enumerate(entries) if e.warnings]
    assert warned == [len(rows) - 1]
    assert entries[-1].warnings[0]["matches"][0]["title"] == "杭州恒瑞达信息技术有限公司"


def test_publish_forgets_the_slots_of_rules_that_changed(service, actors):
    from _app import dedupe_app

    admin = actors["admin"]
    service.create(admin, "customer", {"name": "杭州恒瑞达信息技术有限公司"})
    assert _warned(service, admin, "恒瑞达信息技术有限公司")  # slot built
    current = dedupe_app()
    tables = tuple(
        replace(t, duplicate_rules=()) if t.key == "customer" else t for t in current.tables
    )
    without_rules = replace(current, tables=tables)
    with write_transaction(service.engine) as conn:
        terms.forget_changed(conn, current, current)  # nothing changed: kept
        kept = conn.execute(sa.select(terms.SLOTS.c.slot)).scalars().all()
        # The rules come back after a version without them: their slots start over.
        terms.forget_changed(conn, without_rules, current)
        left = conn.execute(sa.select(terms.SLOTS.c.slot)).scalars().all()
    assert "name:company_name" in kept
    assert left == []
    assert _warned(service, admin, "恒瑞达信息技术有限公司") == ["杭州恒瑞达信息技术有限公司"]


def test_an_index_built_before_forms_were_kept_still_finds_duplicates(service, actors):
    """Terms without forms (an index built by an older version): the batch parses those
    candidates' values instead, with the same answer."""
    admin = actors["admin"]
    service.create(admin, "customer", {"name": "杭州恒瑞达信息技术有限公司"})
    with write_transaction(service.engine) as conn:
        conn.execute(terms.FORMS.delete())
    result = service.bulk_create(admin, "customer", [{"name": "恒瑞达信息技术（中国）有限公司"}])
    assert [m["title"] for w in result.warnings[0] for m in w["matches"]] == [
        "杭州恒瑞达信息技术有限公司"
    ]
