"""``unit_of_work``: many service calls in one transaction — commit together, roll back
together, and a failing call undoes only itself."""

from __future__ import annotations

import pytest

from runtime.records import RecordNotFound, RecordService, RecordValidationError


def _names(service: RecordService, admin) -> list[str]:
    return sorted(r["name"] for r in service.query(admin, "customer", limit=200).rows)


def test_calls_in_a_unit_commit_together(service: RecordService, admin) -> None:
    with service.unit_of_work():
        first = service.create(admin, "customer", {"name": "甲公司"})
        service.create(admin, "customer", {"name": "乙公司"})
        service.update(admin, "customer", first["id"], {"name": "甲集团"})
        assert _names(service, admin) == ["乙公司", "甲集团"]  # reads see the unit's writes
    assert _names(service, admin) == ["乙公司", "甲集团"]
    assert len(service.history(admin, "customer", first["id"])) == 2


def test_an_exception_rolls_back_the_whole_unit(service: RecordService, admin) -> None:
    with pytest.raises(RuntimeError), service.unit_of_work():
        service.create(admin, "customer", {"name": "甲公司"})
        raise RuntimeError("boom")
    assert _names(service, admin) == []


def test_a_dry_run_writes_nothing(service: RecordService, admin) -> None:
    with service.unit_of_work(commit=False):
        created = service.create(admin, "customer", {"name": "甲公司"})
        assert service.get(admin, "customer", created["id"])["name"] == "甲公司"
    with pytest.raises(RecordNotFound):
        service.get(admin, "customer", created["id"])


def test_discard_rolls_back_at_the_end(service: RecordService, admin) -> None:
    with service.unit_of_work() as unit:
        service.create(admin, "customer", {"name": "甲公司"})
        unit.discard()
    assert _names(service, admin) == []


def test_a_failing_call_undoes_only_itself(service: RecordService, admin) -> None:
    with service.unit_of_work():
        kept = service.create(admin, "customer", {"name": "甲公司"})
        with pytest.raises(RecordValidationError):
            service.create(admin, "customer", {"name": "乙公司", "credit_limit": "lots"})
        refused = service.bulk_create(admin, "customer", [{"name": "丙"}, {"credit_limit": "x"}])
        assert refused.created == [] and sorted(refused.errors) == [1]
        preview = service.preview(admin, "customer", {"name": "丁公司"})
        assert preview.ok
    assert _names(service, admin) == ["甲公司"]
    assert service.get(admin, "customer", kept["id"])["row_version"] == 1


def test_units_do_not_nest(service: RecordService) -> None:
    outer = service.unit_of_work()
    with outer, pytest.raises(RuntimeError, match="nest"), service.unit_of_work():
        pass
