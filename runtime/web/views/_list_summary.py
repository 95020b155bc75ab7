"""The list's summary: how many records the view holds and the totals of its numeric
columns, both over the whole filtered set (not just the page).

Both are aggregates over every matching row, the slowest part of a list on a large table,
so the page does not wait for them: it renders the rows and asks for the summary
afterwards (``/t/<table>/summary``, an htmx fragment with the same query string). Counting
and summing go through the record service with the reader, so row scope and field access
apply exactly as on the page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from runtime.records import PermissionDenied, QueryError, RecordService
from runtime.records.actor import Actor
from runtime.web.views._list_display import Column, total_text
from runtime.web.views._list_filters import combine, search_condition


@dataclass(frozen=True)
class Summary:
    """The record count of the view and the display text of each column total."""

    count: int
    totals: dict[str, str] = field(default_factory=dict)


def measures_of(shown: Sequence[Column]) -> list[tuple[str, Column]]:
    """(function, column) per total: the sum, or the average for a percentage."""
    return [
        ("avg" if c.spec.type == "percent" else "sum", c)
        for c in shown
        if c.numeric and not c.system
    ]


def summarize(
    svc: RecordService,
    who: Actor,
    table: str,
    shown: Sequence[Column],
    where: Mapping[str, Any] | None,
    search: str,
) -> Summary:
    """Count and totals of the records matching ``where`` and the quick search ``search``.

    A filter the service refuses is dropped, as the page drops it. Without a search, count
    and totals come from one aggregate query; with one, the count is the service's own
    search count and the totals use the same search as a condition (``aggregate`` takes no
    ``search``)."""
    try:
        return _summary(svc, who, table, shown, where, search)
    except (QueryError, PermissionDenied):
        if where is None:
            raise
    return _summary(svc, who, table, shown, None, search)


def _summary(
    svc: RecordService,
    who: Actor,
    table: str,
    shown: Sequence[Column],
    where: Mapping[str, Any] | None,
    search: str,
) -> Summary:
    numeric = measures_of(shown)
    measures: list[tuple[str, str | None]] = [(fn, c.key) for fn, c in numeric]
    if numeric and not search:
        try:
            values = svc.aggregate(who, table, measures=[("count", None), *measures], where=where)
        except (QueryError, PermissionDenied):
            pass  # counted and summed apart below, so a refused total does not hide the count
        else:
            count = int(values[0]["count"])
            return Summary(count, _texts(numeric, values[0]) if count else {})
    count = svc.count(who, table, where, search=search or None)
    if not numeric or not count:
        return Summary(count)
    condition = combine(where, search_condition(svc, who, table, search))
    try:
        values = svc.aggregate(who, table, measures=measures, where=condition)
    except (QueryError, PermissionDenied):
        return Summary(count)
    return Summary(count, _texts(numeric, values[0]))


def _texts(numeric: list[tuple[str, Column]], values: Mapping[str, Any]) -> dict[str, str]:
    return {c.key: total_text(c, values.get(f"{fn}_{c.key}")) for fn, c in numeric}
