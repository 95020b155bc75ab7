"""Relation cells: the text in the sheet → the id of the referenced record.

People write the customer's name, not its id. A relation cell is matched, in order, by
the target table's title field (``华为技术有限公司``), then by any of its unique text
fields (a product's ``产品编码``), then — when it is a whole number — taken as the id
itself (the record service then checks that it exists). A name shared by several records
is ambiguous and fails the row naming the value; so does a name that matches nothing.

Lookups go through ``RecordService.query`` with the importing actor, once per relation
field and chunk (≤ 500 values a query), so the actor's read scope applies: a record they
cannot see is "not found", exactly as the service's own reference check would say.
Answers are cached for the whole import.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from runtime.records import Actor, PermissionDenied, RecordService
from runtime.transfer.text import text

IN_LIMIT = 500
CACHE_LIMIT = 100_000
"""Resolved names kept per relation field; the cache is dropped beyond this, so memory
stays bounded on imports with millions of distinct names."""
TEXT_TYPES = frozenset({"text", "phone", "email", "url", "auto_number"})

Answer = int | tuple[str, int]
"""An id, or (problem code, count) for ``reference_unknown`` / ``reference_ambiguous``."""


class References:
    """Resolves relation cells of one import, per target table."""

    def __init__(self, svc: RecordService, actor: Actor) -> None:
        self.svc = svc
        self.actor = actor
        self.cache: dict[str, dict[str, Answer]] = defaultdict(dict)

    def resolve(self, target: str, values: Iterable[Any]) -> dict[str, Answer]:
        """Each distinct cell text → its answer."""
        cache = self.cache[target]
        wanted = sorted({str(v).strip() for v in values} - set(cache) - {""})
        if len(cache) + len(wanted) > CACHE_LIMIT:
            cache.clear()
        for first in range(0, len(wanted), IN_LIMIT):
            cache.update(self._lookup(target, wanted[first : first + IN_LIMIT]))
        return cache

    def _lookup(self, target: str, names: list[str]) -> dict[str, Answer]:
        plan = self.svc.plan(target)
        access = self.svc.access(self.actor, plan)
        keys = []
        title = plan.spec.title_field
        if title and title in plan.fields and plan.fields[title].spec.type in TEXT_TYPES:
            keys.append(title)
        keys += [
            k for k in plan.unique_fields if k != title and plan.fields[k].spec.type in TEXT_TYPES
        ]
        keys = [k for k in keys if access.usable_in_queries(k)]
        found: dict[str, dict[str, set[int]]] = {k: defaultdict(set) for k in keys}
        for key in keys:
            for row in self._rows(target, key, names):
                if row.get(key) is not None:
                    found[key][str(row[key]).strip()].add(int(row["id"]))
        answers: dict[str, Answer] = {}
        for name in names:
            answers[name] = _answer(name, [found[k].get(name, set()) for k in keys])
        return answers

    def _rows(self, target: str, key: str, names: list[str]) -> Iterable[dict[str, Any]]:
        """The live records whose ``key`` is one of ``names`` (keyset pages)."""
        after = None
        while True:
            try:
                page = self.svc.query(
                    self.actor, target, where={"field": key, "op": "in", "value": names},
                    fields=[key], limit=1000, after=after, order_by=[("id", "asc")],
                )  # fmt: skip
            except PermissionDenied:
                return
            yield from page.rows
            if page.next_cursor is None:
                return
            after = page.next_cursor


def _answer(name: str, matches: list[set[int]]) -> Answer:
    for ids in matches:
        if len(ids) == 1:
            return next(iter(ids))
        if len(ids) > 1:
            return ("reference_ambiguous", len(ids))
    if name.isdigit() and len(name) < 19:
        return int(name)
    return ("reference_unknown", 0)


def problem_message(answer: tuple[str, int], label: str, value: str, locale: str) -> str:
    code, count = answer
    return text(code, locale, label=label, value=value, count=count)
