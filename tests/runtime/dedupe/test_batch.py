"""Duplicate rules on bulk writes (runtime.dedupe.batch): one candidate query per rule
and batch gives what the single-record check gives, and rows of one batch are compared
with each other."""

from __future__ import annotations

import pytest

from form_engine.messages import FieldError
from runtime.db import write_transaction
from runtime.dedupe import _stored, batch
from runtime.dedupe.batch import BatchDuplicates, BatchEntry, check_batch
from runtime.dedupe.check import check_duplicates


def _entries(rows: list[dict]) -> list[BatchEntry]:
    return [BatchEntry(dict(r), set(r), []) for r in rows]


def _said(errors: list[FieldError]) -> list[tuple]:
    return [(e.field, e.code, e.message("zh-CN"), e.message("en")) for e in errors]


@pytest.mark.parametrize("who", ["admin", "zhang"])
def test_batch_check_gives_the_single_record_answer(service, actors, monkeypatch, who):
    """Stored similar names (more than CANDIDATE_LIMIT match some rows' prefilters), some
    the rep cannot see; the batch queries are cut into many rounds (FETCH = 37, a few
    search terms per query, windows of two rows) and must still give each row exactly the
    candidates, errors and warnings of check_duplicates."""
    seed = [{"name": f"杭州测试客户{i:04d}有限公司", "uscc": f"U{i}"} for i in range(260)]
    assert service.bulk_create(actors["admin"], "customer", seed[:130], atomic=False).ok
    assert service.bulk_create(actors["li"], "customer", seed[130:], atomic=False).ok
    service.create(actors["zhang"], "customer", {"name": "宁波海天塑机集团有限公司"})
    monkeypatch.setattr(_stored, "FETCH", 37)
    monkeypatch.setattr(_stored, "TERMS_PER_QUERY", 3)
    monkeypatch.setattr(_stored, "SQLITE_TERMS_PER_QUERY", 2)
    monkeypatch.setattr(batch, "WINDOW", 2)
    new = [
        {"name": "杭州测试客户0007有限公司"},
        {"name": "测试客户0259", "uscc": "U3"},
        {"name": "海天塑机（宁波）", "uscc": "NEW-1"},
        {"name": "完全无关的名字", "uscc": "U39"},
        {"name": "Acme Trading Co., Ltd."},
        {"name": "测试客户01", "uscc": "U0"},
    ]
    actor = actors[who]
    plan = service.plan("customer")
    access = service.access(actor, plan)
    context = service.context(actor)
    with write_transaction(service.engine) as conn:
        entries = _entries(new)
        check = BatchDuplicates(conn, plan, access, entries, context)
        for index in range(len(entries)):
            check.check(index)  # not accepted: compared with stored records only
        for values, entry in zip(new, entries, strict=True):
            errors: list[FieldError] = []
            warnings = check_duplicates(
                conn, plan, access, values, set(values), None, context, errors
            )
            assert _said(entry.errors) == _said(errors)
            assert entry.warnings == warnings
    flagged = [e for e in entries if e.errors or e.warnings]
    assert len(flagged) >= 4  # the test compares real answers, not empty lists


def test_two_identical_new_rows_block_the_later_one(service, actors):
    rows = [
        {"name": "杭州甲公司", "uscc": "91330106MA2ABCDE01"},
        {"name": "另一家", "uscc": "91330106MA2ABCDE01"},
        {"name": "第三家", "uscc": "91330106MA2ABCDE02"},
    ]
    result = service.bulk_create(actors["admin"], "customer", rows, atomic=False)
    assert len(result.created) == 2 and set(result.errors) == {1}
    [error] = result.errors[1].errors
    assert (error.field, error.code) == ("uscc", "duplicate_blocked")
    assert "“杭州甲公司”（同批较早的一行）" in error.message("zh-CN")
    assert '"杭州甲公司" (an earlier row of the same batch)' in error.message("en")


def test_a_blocked_row_does_not_block_the_rows_after_it(service, actors):
    service.create(actors["admin"], "customer", {"name": "已有", "uscc": "X1"})
    rows = [{"name": "甲", "uscc": "X1"}, {"name": "乙", "uscc": "X1"}]
    result = service.bulk_create(actors["admin"], "customer", rows, atomic=False)
    assert result.created == []
    for index in (0, 1):  # both name the stored record, neither the other row
        message = result.errors[index].errors[0].message("zh-CN")
        assert "“已有”" in message and "同批" not in message


def test_in_batch_similar_names_warn_and_are_both_written(service, actors):
    admin = actors["admin"]
    stored = service.create(admin, "customer", {"name": "阿里巴巴网络科技有限公司"})
    plan = service.plan("customer")
    rows = [
        {"name": "杭州阿里巴巴网络科技有限公司"},
        {"name": "某某贸易"},
        {"name": "阿里巴巴（杭州）网络科技"},
    ]
    entries = _entries(rows)
    with write_transaction(service.engine) as conn:
        check_batch(conn, plan, service.access(admin, plan), entries, service.context(admin))
    assert [e.errors for e in entries] == [[], [], []]
    assert entries[1].warnings == []
    [first] = entries[0].warnings
    assert first["matches"] == [{"id": stored["id"], "title": stored["name"], "score": 100.0}]
    [third] = entries[2].warnings
    # The stored record first, then the earlier row of the batch (newer, same score).
    assert third["matches"] == [
        {"id": stored["id"], "title": stored["name"], "score": 100.0},
        {"id": None, "title": "杭州阿里巴巴网络科技有限公司", "score": 100.0},
    ]
    assert "同批较早的一行" in third["messages"]["zh-CN"]
    result = service.bulk_create(admin, "customer", rows, atomic=False)
    assert result.ok and len(result.created) == 3


def test_bulk_outcome_carries_the_warnings_of_created_rows(service, actors):
    from datetime import UTC, datetime

    from runtime.records._bulk import bulk_insert

    admin = actors["admin"]
    plan = service.plan("customer")
    rows = [{"name": "宁波海天塑机集团有限公司"}, {"name": "海天塑机（宁波）"}, {"name": "乙"}]
    with write_transaction(service.engine) as conn:
        outcome = bulk_insert(
            conn, service.app, plan, service.access(admin, plan), admin, rows,
            datetime(2026, 3, 1, tzinfo=UTC), atomic=False, preserve_ids=False,
        )  # fmt: skip
    assert len(outcome.created) == 3 and not outcome.errors
    assert list(outcome.warnings) == [1]
    assert outcome.warnings[1][0]["rule"] == "similar_name"


def _matched_titles(warnings: list[dict]) -> list[str]:
    return [m["title"] for w in warnings for m in w["matches"]]


def test_records_in_the_recycle_bin_do_not_crowd_out_older_candidates(service, actors, monkeypatch):
    """The index keeps the terms of deleted records: when the newest CANDIDATE_LIMIT
    records of a term are all in the recycle bin, the batch asks further back and still
    finds the older live record, as the single-record check does."""
    from runtime.dedupe import _match

    admin = actors["admin"]
    service.create(admin, "customer", {"name": "杭州恒瑞达信息技术有限公司"})
    newer = service.bulk_create(
        admin, "customer", [{"name": f"恒瑞达{c}贸易有限公司"} for c in "甲乙丙丁戊己"]
    )
    for record_id in newer.created:
        service.delete(admin, "customer", record_id)
    monkeypatch.setattr(batch, "CANDIDATE_LIMIT", 2)
    monkeypatch.setattr(_stored, "CANDIDATE_LIMIT", 2)
    monkeypatch.setattr(_match, "CANDIDATE_LIMIT", 2)
    plan = service.plan("customer")
    entries = _entries([{"name": "恒瑞达信息技术（中国）有限公司"}])
    with write_transaction(service.engine) as conn:
        check_batch(conn, plan, service.access(admin, plan), entries, service.context(admin))
    assert _matched_titles(entries[0].warnings) == ["杭州恒瑞达信息技术有限公司"]


def test_candidates_remembered_across_batches_give_the_same_answers(service, actors, monkeypatch):
    """A bulk call remembers the stored candidates it made for its later batches, and
    forgets the least recently used past KNOWN_LIMIT: with batches of two rows and room
    for one remembered candidate, every row still names the stored records it matches."""
    from runtime.records import _bulk

    admin = actors["admin"]
    service.create(admin, "customer", {"name": "杭州恒瑞达信息技术有限公司"})
    service.create(admin, "customer", {"name": "宁波海天塑机集团有限公司"})
    monkeypatch.setattr(_bulk, "BATCH", 2)
    monkeypatch.setattr(_stored, "KNOWN_LIMIT", 1)
    rows = [
        {"name": "恒瑞达信息技术（中国）有限公司"},
        {"name": "海天塑机（宁波）"},
        {"name": "某某贸易"},
        {"name": "杭州恒瑞达信息技术有限责任公司"},
        {"name": "海天塑机集团"},
    ]
    result = service.bulk_create(admin, "customer", rows, atomic=False)
    assert result.ok and sorted(result.warnings) == [0, 1, 3, 4]
    hengruida, haitian = "杭州恒瑞达信息技术有限公司", "宁波海天塑机集团有限公司"
    assert _matched_titles(result.warnings[0]) == [hengruida]
    assert _matched_titles(result.warnings[1]) == [haitian]
    assert hengruida in _matched_titles(result.warnings[3])
    assert haitian in _matched_titles(result.warnings[4])
