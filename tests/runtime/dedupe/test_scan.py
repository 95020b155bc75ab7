"""The whole-table scan: groups per rule, batches, read scope, and the background job."""

from __future__ import annotations

import pytest

from runtime.dedupe import jobs
from runtime.dedupe.scan import scan_duplicates
from runtime.jobs import registered_kinds
from runtime.records import QueryError

NAMES = [
    "杭州阿里巴巴网络科技有限公司",  # 1 ┐
    "阿里巴巴（杭州）网络科技",  # 2 ┘ same company
    "北京银行",  # 3 — not 上海银行
    "上海银行股份有限公司",  # 4
    "深圳市腾讯计算机系统有限公司",  # 5 ┐
    "腾讯计算机系统（深圳）有限公司",  # 6 ┘
    "宁波海天塑机集团有限公司",  # 7
]


@pytest.fixture
def customers(service, actors):
    admin = actors["admin"]
    phones = ["0571-88886666", "+86 571 8888 6666", None, None, None, None, "0574-87654321"]
    return [
        service.create(admin, "customer", {"name": n, "phone": p})["id"]
        for n, p in zip(NAMES, phones, strict=True)
    ]


def test_fuzzy_rule_groups_with_small_batches(service, actors, customers):
    seen = []
    groups = scan_duplicates(
        service,
        actors["admin"],
        "customer",
        "similar_name",
        batch_size=2,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert [g.ids for g in groups] == [[customers[0], customers[1]], [customers[4], customers[5]]]
    assert groups[0].members[1].title == "阿里巴巴（杭州）网络科技"
    assert seen[-1] == (7, 7) and len(seen) == 4


def test_equality_rule_buckets_normalised_values(service, actors, customers):
    [group] = scan_duplicates(service, actors["admin"], "customer", "same_phone")
    assert group.ids == customers[:2] and group.score == 100.0
    assert group.as_dict()["action"] == "report"


def test_all_rules_and_unknown_rule(service, actors, customers):
    groups = scan_duplicates(service, actors["admin"], "customer")
    assert {g.rule for g in groups} == {"similar_name", "same_phone"}
    with pytest.raises(QueryError):
        scan_duplicates(service, actors["admin"], "customer", "nope")


def test_scan_sees_only_readable_records(service, actors):
    service.create(actors["li"], "customer", {"name": "宁波海天塑机集团有限公司"})
    mine = service.create(actors["zhang"], "customer", {"name": "宁波海天塑机集团"})
    mine2 = service.create(actors["zhang"], "customer", {"name": "海天塑机集团（宁波）"})
    [group] = scan_duplicates(service, actors["zhang"], "customer", "similar_name")
    assert group.ids == [mine["id"], mine2["id"]]
    assert len(scan_duplicates(service, actors["admin"], "customer", "similar_name")[0].ids) == 3


def test_scan_job(service, actors, customers, monkeypatch):
    monkeypatch.setattr(jobs, "open_app", lambda engine, key: service)

    class Context:
        engine = service.engine
        app_key = "crm"
        user_id = actors["admin"].user_id

        def progress(self, done, total=None, message=None):
            assert total == 7

    assert jobs.SCAN_JOB in registered_kinds()
    result = jobs.scan_job(Context(), {"table": "customer", "rule": "same_phone"})
    assert result["groups"][0]["records"][0] == {"id": customers[0], "title": NAMES[0]}
    with pytest.raises(jobs.ScanFailed):
        jobs.scan_job(Context(), {"table": "customer", "rule": "nope"})
