"""Query: conditions, search, sort, keyset pages (ties and NULLs), count, aggregate."""

from __future__ import annotations

import pytest

from runtime.records import QueryError, RecordService


@pytest.fixture
def customers(service: RecordService, admin):
    regions = ["east", "west", None, "east", None, "north", "east", "west", None, "east", "a"]
    levels = ["a", "b", "c", "a", "b", "c", "a", "b", "c", "a", "b"]
    made = []
    for i, (region, level) in enumerate(zip(regions, levels, strict=True)):
        made.append(
            service.create(
                admin,
                "customer",
                {
                    "name": f"客户{i:02d}",
                    "region": region,
                    "level": level,
                    "credit_limit": str(100 * (i % 3)) if i % 4 else None,
                },
            )
        )
    return made


@pytest.mark.parametrize(
    "order",
    [
        [("region", "asc")],
        [("region", "desc")],
        [("credit_limit", "asc"), ("region", "desc")],
        [("level", "desc"), ("credit_limit", "desc")],
        [("name", "asc")],
    ],
)
@pytest.mark.parametrize("limit", [1, 3, 4])
def test_keyset_pages_return_every_row_exactly_once(service, admin, customers, order, limit):
    seen, cursor = [], None
    while True:
        page = service.query(admin, "customer", order_by=order, limit=limit, after=cursor)
        seen += [r["id"] for r in page.rows]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert sorted(seen) == sorted(c["id"] for c in customers)
    assert len(seen) == len(set(seen))
    whole = service.query(admin, "customer", order_by=order, limit=100)
    assert [r["id"] for r in whole.rows] == seen


def test_nulls_sort_last_ascending_and_first_descending(service, admin, customers):
    up = service.query(admin, "customer", order_by=[("region", "asc")], limit=100).rows
    assert [r["region"] for r in up][-3:] == [None, None, None]
    down = service.query(admin, "customer", order_by=[("region", "desc")], limit=100).rows
    assert [r["region"] for r in down][:3] == [None, None, None]


def test_where_search_fields_and_count(service, admin, customers):
    page = service.query(
        admin,
        "customer",
        where={"field": "region", "op": "eq", "value": "east"},
        fields=["name"],
        with_count=True,
        limit=2,
        order_by=[("name", "asc")],
    )
    assert page.total == 4
    assert [r["name"] for r in page.rows] == ["客户00", "客户03"]
    assert set(page.rows[0]) >= {"id", "row_version", "name"}
    assert "region" not in page.rows[0]
    assert service.count(admin, "customer", {"field": "region", "op": "is_empty"}) == 3
    assert service.count(admin, "customer", search="户1") == 1  # 客户10; search covers name
    assert service.count(admin, "customer", search="nor") == 1  # region


def test_bad_queries_are_clear(service, admin, customers):
    with pytest.raises(QueryError):
        service.query(admin, "customer", where={"field": "nope", "op": "eq", "value": 1})
    with pytest.raises(QueryError):
        service.query(admin, "customer", order_by=[("nope", "asc")])
    with pytest.raises(QueryError):
        service.query(admin, "customer", after="garbage!")
    page = service.query(admin, "customer", order_by=[("name", "asc")], limit=2)
    with pytest.raises(QueryError) as caught:
        service.query(admin, "customer", order_by=[("region", "asc")], after=page.next_cursor)
    assert caught.value.code == "invalid_cursor"
    assert "分页" in caught.value.message("zh-CN")


def test_aggregate_group_by(service, admin, customers):
    rows = service.aggregate(
        admin, "customer", group_by=["level"], measures=[("count", None), ("sum", "credit_limit")]
    )
    by_level = {r["level"]: r for r in rows}
    assert {k: v["count"] for k, v in by_level.items()} == {"a": 4, "b": 4, "c": 3}
    # a: i=0,3,6,9 → limits None(0%4),0(3%3),0,0 → sum 0; b: i=1,4,7,10 → 100,None,100,100
    assert by_level["b"]["sum_credit_limit"] == "300.00"
    filtered = service.aggregate(
        admin, "customer", group_by=["region"], where={"field": "level", "op": "eq", "value": "a"}
    )
    assert {r["region"]: r["count"] for r in filtered} == {"east": 4}


def test_filter_by_child_rows(service, admin, make_customer):
    customer = make_customer()
    with_lines = service.create(
        admin, "opportunity", {"name": "A", "customer": customer["id"], "lines": [{"product": "p"}]}
    )
    service.create(admin, "opportunity", {"name": "B", "customer": customer["id"]})
    page = service.query(
        admin,
        "opportunity",
        where={"field": "lines", "op": "is_not_empty"},
        fields=["name", "lines"],
    )
    assert [r["id"] for r in page.rows] == [with_lines["id"]]
    assert page.rows[0]["lines"][0]["product"] == "p"
