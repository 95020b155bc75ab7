"""``bulk_create`` pauses the cyclic garbage collector per batch and always resumes it —
also when a batch raises — and never resumes a collector it did not pause."""

from __future__ import annotations

import gc

import pytest

from runtime.records import _bulk


def test_collector_is_paused_inside_and_resumed_after():
    assert gc.isenabled()
    with _bulk.cycle_collection_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_collector_is_resumed_when_the_batch_raises():
    with pytest.raises(RuntimeError), _bulk.cycle_collection_paused():
        raise RuntimeError("batch failed")
    assert gc.isenabled()


def test_a_collector_paused_by_someone_else_stays_paused():
    gc.disable()
    try:
        with _bulk.cycle_collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_bulk_create_leaves_the_collector_running(service, admin):
    rows = [{"name": f"客户 {i}"} for i in range(3)] + [{"colour": "red"}]
    result = service.bulk_create(admin, "customer", rows, atomic=False)
    assert len(result.created) == 3 and set(result.errors) == {3}
    assert gc.isenabled()
