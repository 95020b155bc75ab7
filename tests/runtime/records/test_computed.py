"""Formulas, lookups, rollups and auto-numbers, materialised in the write transaction."""

from __future__ import annotations

import threading

import pytest

from runtime.records import RecordService, RecordValidationError


def test_formula_is_recomputed_on_update(service: RecordService, admin, make_customer):
    customer = make_customer()
    opp = service.create(
        admin,
        "opportunity",
        {"name": "A", "customer": customer["id"], "amount": "1000", "probability": 30},
    )
    assert opp["weighted"] == "300.00"
    opp = service.update(admin, "opportunity", opp["id"], {"probability": 55})
    assert opp["weighted"] == "550.00"
    filtered = service.count(admin, "opportunity", {"field": "weighted", "op": "gt", "value": 500})
    assert filtered == 1


def test_lookup_follows_the_relation_and_its_target(service, admin, make_customer):
    gold = make_customer(level="a")
    plain = make_customer(level="c")
    opp = service.create(admin, "opportunity", {"name": "A", "customer": gold["id"]})
    assert opp["customer_level"] == "a"
    opp = service.update(admin, "opportunity", opp["id"], {"customer": plain["id"]})
    assert opp["customer_level"] == "c"
    service.update(admin, "customer", plain["id"], {"level": "b"})
    assert service.get(admin, "opportunity", opp["id"])["customer_level"] == "b"


def test_backlink_rollups_follow_linked_records(service, admin, make_customer):
    first, second = make_customer(), make_customer()
    assert first["opportunity_count"] == 0 and first["won_amount"] == "0.00"
    won = service.create(
        admin,
        "opportunity",
        {"name": "A", "customer": first["id"], "stage": "won", "amount": "500"},
    )
    service.create(admin, "opportunity", {"name": "B", "customer": first["id"], "amount": "70"})
    got = service.get(admin, "customer", first["id"])
    assert got["opportunity_count"] == 2
    assert got["won_amount"] == "500.00"
    # moving an opportunity updates both customers; the customer's version is not bumped
    service.update(admin, "opportunity", won["id"], {"customer": second["id"]})
    got, other = (service.get(admin, "customer", c["id"]) for c in (first, second))
    assert (got["opportunity_count"], got["won_amount"]) == (1, "0.00")
    assert (other["opportunity_count"], other["won_amount"]) == (1, "500.00")
    assert other["row_version"] == 1
    service.delete(admin, "opportunity", won["id"])
    assert service.get(admin, "customer", second["id"])["opportunity_count"] == 0
    service.restore(admin, "opportunity", won["id"])
    assert service.get(admin, "customer", second["id"])["won_amount"] == "500.00"


def test_auto_number_pattern_and_yearly_reset(service, admin, make_customer, clock):
    customer = make_customer()
    codes = [
        service.create(admin, "opportunity", {"name": f"n{i}", "customer": customer["id"]})["code"]
        for i in range(3)
    ]
    assert codes == ["OPP-2026-0001", "OPP-2026-0002", "OPP-2026-0003"]
    clock.now = clock.now.replace(year=2027)
    nxt = service.create(admin, "opportunity", {"name": "y", "customer": customer["id"]})
    assert nxt["code"] == "OPP-2027-0001"


def test_failed_create_gives_its_number_back(service, admin, make_customer):
    customer = make_customer()
    service.create(admin, "opportunity", {"name": "a", "customer": customer["id"]})
    with pytest.raises(RecordValidationError):  # duplicate: rolled back after numbering
        service.create(admin, "opportunity", {"name": "a", "customer": customer["id"]})
    third = service.create(admin, "opportunity", {"name": "b", "customer": customer["id"]})
    assert third["code"] == "OPP-2026-0002"


def test_auto_numbers_never_repeat_under_concurrency(service, admin, make_customer):
    customer = make_customer()
    codes: list[str] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def worker(prefix: str) -> None:
        try:
            for i in range(50):
                made = service.create(
                    admin, "opportunity", {"name": f"{prefix}{i}", "customer": customer["id"]}
                )
                with lock:
                    codes.append(made["code"])
        except BaseException as exc:  # surfaced below
            failures.append(exc)

    threads = [threading.Thread(target=worker, args=(p,)) for p in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert len(codes) == 100
    assert sorted(codes) == [f"OPP-2026-{n:04d}" for n in range(1, 101)]
    assert service.get(admin, "customer", customer["id"])["opportunity_count"] == 100
