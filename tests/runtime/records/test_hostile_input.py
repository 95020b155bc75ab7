"""Hostile and malformed input: every public method answers with a specific error
(RecordValidationError per field, RecordNotFound or QueryError), never a raw exception,
and SQLite and PostgreSQL answer the same."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from runtime.records import (
    QueryError,
    RecordError,
    RecordNotFound,
    RecordService,
    RecordValidationError,
)

BIG = 10**30


@pytest.fixture
def opportunity(service: RecordService, admin, make_customer) -> dict[str, Any]:
    customer = make_customer()
    return service.create(admin, "opportunity", {"name": "A", "customer": customer["id"]})


def _codes(call) -> dict:
    with pytest.raises(RecordValidationError) as caught:
        call()
    return caught.value.codes()


# --- values ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"amount": "1e400"}, {"amount": ["number_too_large"]}),
        ({"amount": "9" * 60}, {"amount": ["number_too_large"]}),
        ({"probability": 10**20}, {"probability": ["number_too_large"]}),
        ({"customer": BIG}, {"customer": ["not_found_reference"]}),
        ({"customer": 2**63}, {"customer": ["not_found_reference"]}),
        ({"name": "a\x00b"}, {"name": ["text_nul"]}),
        ({"lines": [{"product": "x\x00"}]}, {"lines": ["child_row"]}),
    ],
)
def test_bad_values_are_field_errors(service: RecordService, admin, opportunity, values, expected):
    base = {"name": "B", "customer": opportunity["customer"]}
    assert _codes(lambda: service.create(admin, "opportunity", {**base, **values})) == expected
    update = {k: v for k, v in values.items()}
    assert _codes(lambda: service.update(admin, "opportunity", opportunity["id"], update)) == (
        expected
    )


def test_computed_result_too_large(service: RecordService, admin, opportunity):
    huge_line = {"product": "x", "quantity": 99_999_999_999, "unit_price": "99999999999"}
    error = _codes(
        lambda: service.update(admin, "opportunity", opportunity["id"], {"lines": [huge_line]})
    )
    assert error == {"lines": ["child_row"]}
    with pytest.raises(RecordValidationError) as caught:
        service.update(admin, "opportunity", opportunity["id"], {"lines": [huge_line]})
    assert caught.value.errors[0].params["code"] == "result_too_large"
    big = {"product": "x", "quantity": 6, "unit_price": "1000000000000000"}  # 6e15 each
    codes = _codes(
        lambda: service.update(admin, "opportunity", opportunity["id"], {"lines": [big, big]})
    )
    assert codes == {"product_total": ["result_too_large"], "line_total": ["result_too_large"]}
    assert "too large" in str(caught.value)


def test_rollup_of_a_parent_too_large_refuses_the_write(service: RecordService, admin, opportunity):
    customer = opportunity["customer"]
    won = {"customer": customer, "stage": "won", "amount": "6000000000000000"}
    service.create(admin, "opportunity", {**won, "name": "W1"})
    codes = _codes(lambda: service.create(admin, "opportunity", {**won, "name": "W2"}))
    assert codes == {"won_amount": ["result_too_large"]}
    assert service.get(admin, "customer", customer)["won_amount"] == "6000000000000000.00"


def test_records_that_are_not_mappings(service: RecordService, admin, opportunity):
    for bad in (None, [1, 2], "name"):
        assert _codes(lambda bad=bad: service.create(admin, "customer", bad)) == {
            None: ["not_a_record"]
        }
    assert _codes(lambda: service.update(admin, "opportunity", opportunity["id"], None)) == {
        None: ["not_a_record"]
    }
    for bad in (None, "rows", {"name": "x"}, 5):
        assert _codes(lambda bad=bad: service.bulk_create(admin, "customer", bad)) == {
            None: ["not_a_record_list"]
        }
    result = service.bulk_create(admin, "customer", [None, {"name": "好"}, 3], atomic=False)
    assert len(result.created) == 1
    assert {i: e.codes() for i, e in result.errors.items()} == {
        0: {None: ["not_a_record"]},
        2: {None: ["not_a_record"]},
    }


@pytest.mark.parametrize("version", ["abc", 1.5, [1], -1, True])
def test_bad_row_version(service: RecordService, admin, opportunity, version):
    codes = {"row_version": ["not_a_row_version"]}
    call = service.update
    assert _codes(lambda: call(admin, "opportunity", opportunity["id"], {"name": "x"},
                               row_version=version)) == codes  # fmt: skip
    values = {"name": "x", "row_version": version}
    assert _codes(lambda: call(admin, "opportunity", opportunity["id"], values)) == codes
    assert _codes(lambda: service.delete(admin, "opportunity", opportunity["id"],
                                         row_version=version)) == codes  # fmt: skip


# --- ids ------------------------------------------------------------------------------
@pytest.mark.parametrize("bad_id", ["abc", "1; drop", BIG, 2**63, 0, -1, 1.5, None, True, [1]])
def test_bad_ids_are_not_found(service: RecordService, admin, opportunity, bad_id):
    calls = [
        lambda: service.get(admin, "opportunity", bad_id),
        lambda: service.update(admin, "opportunity", bad_id, {"name": "x"}),
        lambda: service.delete(admin, "opportunity", bad_id),
        lambda: service.restore(admin, "opportunity", bad_id),
        lambda: service.history(admin, "opportunity", bad_id),
    ]
    for call in calls:
        with pytest.raises(RecordNotFound):
            call()


def test_id_given_as_digits_is_accepted(service: RecordService, admin, opportunity):
    assert service.get(admin, "opportunity", str(opportunity["id"]))["id"] == opportunity["id"]


# --- queries --------------------------------------------------------------------------
def _deep(levels: int) -> dict[str, Any]:
    node: dict[str, Any] = {"field": "name", "op": "is_empty"}
    for _ in range(levels):
        node = {"not": node}
    return node


@pytest.mark.parametrize(
    "where",
    [
        {"field": "amount", "op": "gt", "value": "1e400"},
        {"field": "amount", "op": "gt", "value": 10**40},
        {"field": "probability", "op": "lt", "value": -(10**40)},
        {"field": "id", "op": "eq", "value": BIG},
        {"field": "customer", "op": "eq", "value": BIG},
        {"field": "id", "op": "in", "value": list(range(1, 502))},
        {"any": [{"field": "name", "op": "eq", "value": str(i)} for i in range(501)]},
        {"field": "name", "op": "contains", "value": "a\x00b"},
        {"field": "name", "op": "eq", "value": "x" * 5001},
        _deep(40),
    ],
)
def test_bad_query_values(service: RecordService, admin, opportunity, where):
    for call in (
        lambda: service.query(admin, "opportunity", where=where),
        lambda: service.count(admin, "opportunity", where),
        lambda: service.aggregate(admin, "opportunity", where=where),
    ):
        with pytest.raises(QueryError):
            call()


def test_in_list_within_the_bound_works(service: RecordService, admin, opportunity):
    where = {"field": "id", "op": "in", "value": list(range(1, 501))}
    assert service.count(admin, "opportunity", where) == 1


def _cursor(signature_of: str, values: Any) -> str:
    payload = json.dumps({"s": signature_of, "v": values}).encode()
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


@pytest.mark.parametrize(
    "values",
    [
        [{"n": "abc"}, 1],
        ["abc", 1],
        [1],
        [None, "x"],
        [{"n": "1e999999999"}, 1],
        [{"n": "NaN"}, 1],
        [BIG, 1],
        [{"d": "2026-01-01"}, 1],
        [[1], 1],
        [{"n": 5}, 1],
        [{"n": "1", "d": "2026-01-01"}, 1],
        "abc",
        [{"n": "100.00"}, BIG],
    ],
)
def test_forged_cursors(service: RecordService, admin, opportunity, make_customer, values):
    for index in range(3):
        values = {"name": f"P{index}", "customer": make_customer()["id"], "amount": str(index)}
        service.create(admin, "opportunity", values)
    order = [("amount", "desc")]
    page = service.query(admin, "opportunity", order_by=order, limit=1)
    real = json.loads(base64.urlsafe_b64decode(page.next_cursor + "=="))
    forged = _cursor(real["s"], values)
    with pytest.raises(QueryError) as caught:
        service.query(admin, "opportunity", order_by=order, after=forged)
    assert caught.value.code == "invalid_cursor"


@pytest.mark.parametrize("cursor", ["not base64!!", "e30", 5, "a" * 10_000])
def test_garbage_cursors(service: RecordService, admin, opportunity, cursor):
    with pytest.raises(QueryError):
        service.query(admin, "opportunity", after=cursor)


@pytest.mark.parametrize(
    "measures",
    [
        [("sum", "name")],
        [("avg", "stage")],
        [("min", "lines")],
        [("max", "customer")],
        [("median", "amount")],
        [("sum", None)],
        [("sum", "nope")],
        ["count"],
        [("count",)],
        [("count", None, "x")],
        "count",
        [(1, "amount")],
    ],
)
def test_bad_measures(service: RecordService, admin, opportunity, measures):
    with pytest.raises(QueryError):
        service.aggregate(admin, "opportunity", measures=measures)


def test_measures_on_fitting_kinds(service: RecordService, admin, opportunity):
    measures = [("sum", "amount"), ("avg", "probability"), ("min", "name"), ("max", "updated_at")]
    assert len(service.aggregate(admin, "opportunity", measures=measures)) == 1


@pytest.mark.parametrize(
    "order_by",
    [
        [("amount", "up")],
        [("amount", "asc", "x")],
        [None],
        "amount",
        [("nope", "asc")],
        [(1, "asc")],
    ],
)
def test_bad_sorts(service: RecordService, admin, opportunity, order_by):
    with pytest.raises(QueryError):
        service.query(admin, "opportunity", order_by=order_by)


@pytest.mark.parametrize("search", [5, ["x"], "x" * 201, "a\x00"])
def test_bad_searches(service: RecordService, admin, opportunity, search):
    with pytest.raises(QueryError):
        service.query(admin, "customer", search=search)


def test_search_is_literal(service: RecordService, make_customer, admin):
    make_customer(name="百分百%公司")
    make_customer(name="百分百X公司")
    assert [r["name"] for r in service.query(admin, "customer", search="百%").rows] == [
        "百分百%公司"
    ]
    assert service.query(admin, "customer", search="_").rows == []


@pytest.mark.parametrize("fields", ["name", [1], [["name"]], 5])
def test_bad_field_lists(service: RecordService, admin, opportunity, fields):
    with pytest.raises(QueryError):
        service.query(admin, "opportunity", fields=fields)
    with pytest.raises(QueryError):
        service.get(admin, "opportunity", opportunity["id"], fields=fields)


def test_upsert_with_hostile_keys(service: RecordService, admin):
    with pytest.raises(QueryError):
        service.upsert(admin, "customer", "name", {"name": "x"})
    assert _codes(lambda: service.upsert(admin, "customer", ["name"], {"name": "a\x00"})) == {
        "name": ["text_nul"]
    }
    with pytest.raises(RecordError):
        service.upsert(admin, "customer", ["name"], None)
