"""The set-based bulk path: same validation and errors as ``create`` (row index → errors),
database checks per batch, consecutive auto-numbers, audit and events per record, parent
rollups and child rows, atomic and per-row modes, and imports with preserved system values.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from runtime.records import (
    PermissionDenied,
    RecordService,
    RecordValidationError,
    _bulk,
)

BAD_OPPORTUNITIES = [
    {"customer": 1},  # name missing
    {"name": "A", "customer": 1, "amount": "lots"},  # parse error
    {"name": "B", "customer": 1, "stage": "lost"},  # required_when
    {"name": "C", "customer": 1, "stage": "won"},  # rule
    {"name": "D", "customer": 1, "weighted": "1"},  # computed
    {"name": "E", "customer": 1, "colour": "red"},  # unknown field
    {"name": "F" * 41, "customer": 1, "probability": 101},  # length and bounds
    {"name": "G", "customer": 1, "lines": [{"quantity": 0}]},  # child row errors
    {"name": "H", "customer": 1, "created_at": "2025-01-01T00:00:00+00:00"},  # system key
]


def _count(service: RecordService, table: str) -> int:
    with service.engine.connect() as conn:
        target = service.tables.system.get(table)
        if target is None:
            target = service.tables.table(table)
        return conn.execute(sa.select(sa.func.count()).select_from(target)).scalar_one()


def _customers(service, admin, *names):
    result = service.bulk_create(admin, "customer", [{"name": n} for n in names])
    assert result.ok
    return result.created


def test_bulk_errors_are_the_errors_create_gives(service: RecordService, admin):
    _customers(service, admin, "c1")
    expected = {}
    for index, row in enumerate(BAD_OPPORTUNITIES):
        with pytest.raises(RecordValidationError) as caught:
            service.create(admin, "opportunity", row)
        expected[index] = caught.value
    result = service.bulk_create(admin, "opportunity", BAD_OPPORTUNITIES, atomic=False)
    assert result.created == [] and set(result.errors) == set(expected)
    for index, error in expected.items():
        got = result.errors[index]
        assert isinstance(got, RecordValidationError)
        assert got.codes() == error.codes(), index
        assert got.by_field("en") == error.by_field("en"), index


def test_relations_to_missing_or_deleted_records_fail_per_row(service, admin):
    live, gone = _customers(service, admin, "live", "gone")
    service.delete(admin, "customer", gone)
    result = service.bulk_create(
        admin,
        "opportunity",
        [
            {"name": "ok", "customer": live},
            {"name": "deleted", "customer": gone},
            {"name": "missing", "customer": 999},
            {"name": "ok too", "customer": live},
        ],
        atomic=False,
    )
    assert len(result.created) == 2 and set(result.errors) == {1, 2}
    assert result.errors[1].codes() == {"customer": ["not_found_reference"]}
    assert result.errors[2].codes() == {"customer": ["not_found_reference"]}
    got = service.get(admin, "opportunity", result.created[1])
    assert got["name"] == "ok too" and got["customer_level"] == "c"  # lookup filled


def test_unique_values_within_the_batch_and_against_the_table(service, admin):
    (first,) = _customers(service, admin, "taken")
    result = service.bulk_create(
        admin,
        "customer",
        [
            {"name": "taken"},  # against the table
            {"name": "new"},
            {"name": "new"},  # against row 1
            {"name": "bad", "credit_limit": "x"},
            {"name": "bad"},  # row 3 failed, so it claimed nothing
        ],
        atomic=False,
    )
    assert set(result.errors) == {0, 2, 3}
    assert result.errors[0].codes() == {"name": ["unique"]}
    assert result.errors[2].codes() == {"name": ["unique"]}
    combo = service.bulk_create(
        admin,
        "opportunity",
        [
            {"name": "X", "customer": first},
            {"name": "X", "customer": first},
            {"name": "Y", "customer": first},
        ],
        atomic=False,
    )
    assert set(combo.errors) == {1}
    assert combo.errors[1].codes() == {"customer": ["unique_together"]}


def test_auto_numbers_are_distinct_and_consecutive(service, admin):
    (customer,) = _customers(service, admin, "c")
    service.create(admin, "opportunity", {"name": "first", "customer": customer})
    result = service.bulk_create(
        admin, "opportunity", [{"name": f"n{i}", "customer": customer} for i in range(5)]
    )
    codes = [service.get(admin, "opportunity", i)["code"] for i in result.created]
    assert codes == [f"OPP-2026-{n:04d}" for n in range(2, 7)]
    assert service.create(admin, "opportunity", {"name": "next", "customer": customer})["code"] == (
        "OPP-2026-0007"
    )


def test_every_record_gets_its_audit_entry_and_event(service, admin):
    ids = _customers(service, admin, "a", "b", "c")
    for record_id, name in zip(ids, "abc", strict=True):
        (entry,) = service.history(admin, "customer", record_id)
        assert entry.action == "create" and entry.changes["name"] == [None, name]
        assert entry.changes["opportunity_count"] == [None, 0]
    outbox = service.tables.system["kairos_outbox"]
    with service.engine.connect() as conn:
        events = conn.execute(sa.select(outbox).order_by(outbox.c.id)).mappings().all()
    assert [e["record_id"] for e in events] == ids
    assert {e["topic"] for e in events} == {"record.created"}
    assert events[1]["payload"]["record"]["name"] == "b"
    assert events[1]["payload"]["id"] == ids[1]


def test_parent_rollups_are_right_after_a_bulk_insert(service, admin):
    first, second = _customers(service, admin, "first", "second")
    rows = [
        {"name": "w1", "customer": first, "stage": "won", "amount": "100"},
        {"name": "w2", "customer": first, "stage": "won", "amount": "250.5"},
        {"name": "o1", "customer": first, "amount": "999"},
        {"name": "w3", "customer": second, "stage": "won", "amount": "7"},
    ]
    assert service.bulk_create(admin, "opportunity", rows).ok
    one, two = (service.get(admin, "customer", i) for i in (first, second))
    assert (one["opportunity_count"], one["won_amount"]) == (3, "350.50")
    assert (two["opportunity_count"], two["won_amount"]) == (1, "7.00")
    assert one["row_version"] == 1  # a recompute is not an edit


def test_child_rows_are_inserted_with_their_parent(service, admin):
    (customer,) = _customers(service, admin, "c")
    lines = [{"product": "CRM", "quantity": 2, "unit_price": "10"}, {"product": "ERP"}]
    result = service.bulk_create(
        admin,
        "opportunity",
        [
            {"name": "with lines", "customer": customer, "lines": lines},
            {"name": "without", "customer": customer},
        ],
    )
    with_lines = service.get(admin, "opportunity", result.created[0])
    assert [line["product"] for line in with_lines["lines"]] == ["CRM", "ERP"]
    assert [line["row_order"] for line in with_lines["lines"]] == [0, 1]
    assert with_lines["lines"][1]["quantity"] == 1  # default
    assert with_lines["product_total"] == "20.00" and with_lines["line_total"] == "20.00"
    assert service.get(admin, "opportunity", result.created[1])["lines"] == []
    (entry,) = service.history(admin, "opportunity", result.created[0])
    assert entry.changes["lines"]["added"] == [line["id"] for line in with_lines["lines"]]
    assert _count(service, "opportunity_line") == 2


def test_a_failed_atomic_batch_writes_nothing(service, admin, monkeypatch):
    (customer,) = _customers(service, admin, "c")
    monkeypatch.setattr(_bulk, "BATCH", 2)  # the failure is in a later batch
    rows = [{"name": f"n{i}", "customer": customer, "lines": [{"product": "p"}]} for i in range(5)]
    rows[4]["customer"] = 999
    audits, events = _count(service, "kairos_audit"), _count(service, "kairos_outbox")
    result = service.bulk_create(admin, "opportunity", rows)
    assert result.created == [] and set(result.errors) == {4}
    assert _count(service, "opportunity") == 0 and _count(service, "opportunity_line") == 0
    assert (_count(service, "kairos_audit"), _count(service, "kairos_outbox")) == (audits, events)
    assert service.get(admin, "customer", customer)["opportunity_count"] == 0
    code = service.create(admin, "opportunity", {"name": "n", "customer": customer})["code"]
    assert code == "OPP-2026-0001"  # the rolled-back batch gave its numbers back


def test_duplicates_across_batches_of_one_call(service, admin, monkeypatch):
    monkeypatch.setattr(_bulk, "BATCH", 2)
    rows = [{"name": n} for n in ("a", "b", "c", "a", "d")]
    result = service.bulk_create(admin, "customer", rows, atomic=False)
    assert set(result.errors) == {3} and len(result.created) == 4
    atomic = service.bulk_create(admin, "customer", [{"name": "e"}, {"name": "e"}])
    assert atomic.created == [] and set(atomic.errors) == {1}


def test_a_refused_batch_falls_back_to_one_savepoint_per_row(service, admin, monkeypatch):
    """When the database refuses the batch (a concurrent writer took a value after the
    check), each row is written alone and only the offending one fails."""
    _customers(service, admin, "raced")
    monkeypatch.setattr(_bulk, "_taken", lambda *args: set())  # the check saw nothing
    rows = [{"name": "x"}, {"name": "raced"}, {"name": "y"}]
    result = service.bulk_create(admin, "customer", rows, atomic=False)
    assert set(result.errors) == {1} and result.errors[1].codes() == {"name": ["unique"]}
    assert len(result.created) == 2 and _count(service, "customer") == 3
    assert _count(service, "kairos_audit") == 3
    atomic = service.bulk_create(admin, "customer", [{"name": "z"}, {"name": "raced"}])
    assert atomic.created == [] and set(atomic.errors) == {1}
    assert _count(service, "customer") == 3


def test_preserve_ids_accepts_system_values_of_an_import(service, admin, people):
    zhang, li = people.users["zhang"], people.users["li"]
    created = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    result = service.bulk_create(
        admin,
        "customer",
        [
            {"id": 50, "name": "a", "owner_id": zhang, "created_by": zhang, "created_at": created},
            {
                "id": "60",
                "name": "b",
                "created_by": li,
                "created_at": "2024-05-06T15:08:09+08:00",
                "updated_at": "2024-06-01T00:00:00+00:00",
                "updated_by": zhang,
            },
            {"name": "no id"},
        ],
        preserve_ids=True,
    )
    assert result.ok and result.created[:2] == [50, 60] and result.created[2] > 60
    a, b = (service.get(admin, "customer", i) for i in (50, 60))
    assert a["created_at"] == created.isoformat() and a["updated_at"] == created.isoformat()
    assert (a["owner_id"], a["created_by"], a["updated_by"]) == (zhang, zhang, zhang)
    assert datetime.fromisoformat(b["created_at"]) == created
    assert b["updated_at"] == "2024-06-01T00:00:00+00:00" and b["updated_by"] == zhang
    assert service.create(admin, "customer", {"name": "later"})["id"] > result.created[2]


def test_preserved_system_values_are_checked(service, admin, people):
    naive = datetime(2024, 1, 1)
    result = service.bulk_create(
        admin,
        "customer",
        [
            {"id": 1, "name": "a", "created_at": naive},
            {"id": 2, "name": "b", "created_at": "yesterday"},
            {"id": 3, "name": "c", "created_by": 9999},
            {"id": "x", "name": "d"},
            {"id": 5, "name": "e"},
            {"id": 5, "name": "f"},
            {
                "id": 7,
                "name": "g",
                "created_at": datetime(2024, 1, 1, tzinfo=timezone(timedelta(hours=8))),
            },
        ],
        atomic=False,
        preserve_ids=True,
    )
    assert result.errors[0].codes() == {"created_at": ["not_a_datetime"]}
    assert result.errors[1].codes() == {"created_at": ["not_a_datetime"]}
    assert result.errors[2].codes() == {"created_by": ["not_found_reference"]}
    assert result.errors[3].codes() == {"id": ["not_a_reference"]}
    assert result.errors[5].codes() == {"id": ["duplicate_id"]}
    assert result.created == [5, 7]


def test_system_values_stay_refused_without_preserve_ids(service, admin, people):
    rows = [{"id": 9, "name": "a", "created_at": "2024-01-01T00:00:00+00:00", "created_by": 1}]
    result = service.bulk_create(admin, "customer", rows)
    assert result.errors[0].codes() == {"created_at": ["read_only"], "created_by": ["read_only"]}
    with pytest.raises(PermissionDenied):
        service.bulk_create(people.actors["wang"], "customer", rows, preserve_ids=True)
    ok = service.bulk_create(admin, "customer", [{"id": 9, "name": "a"}])
    assert ok.ok and ok.created != [9]  # the id is ignored, not kept
