"""Scanning a whole table for groups of possible duplicates (the duplicates page and the
``dedupe.scan`` background job).

Rows are read in id order, ``batch_size`` at a time, only those the actor may read. A rule
whose fields all compare by equality (``exact``, ``normalized``, ``phone``,
``email_domain``) is one pass: each row's comparable key goes into a bucket, a bucket of
two or more is a group. A rule with a similarity (``fuzzy``, ``company_name``) asks the
database for each row's candidates with a higher id (see ``_match``) and joins the pairs
found into groups (union–find), so no row is ever compared with the whole table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from form_engine import dedupe
from runtime.db import read_transaction
from runtime.dedupe._match import applies, find_matches, title_of
from runtime.records._output import row_values
from runtime.records._plan import TablePlan
from runtime.records.actor import Actor
from runtime.records.errors import QueryError
from schemas.spec import FUZZY_MATCHES, DuplicateRuleSpec, Label

BATCH_SIZE = 500
Progress = Callable[[int, int | None], None]


@dataclass(frozen=True)
class DuplicateMember:
    id: int
    title: str | None


@dataclass(frozen=True)
class DuplicateGroup:
    """Records that are possible duplicates of each other under ``rule``."""

    rule: str
    label: Label
    action: str
    members: tuple[DuplicateMember, ...]
    score: float
    """The lowest pair score that joined the group (100 for equality rules)."""

    @property
    def ids(self) -> list[int]:
        return [m.id for m in self.members]

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "label": dict(self.label),
            "action": self.action,
            "score": round(self.score, 1),
            "records": [{"id": m.id, "title": m.title} for m in self.members],
        }


@dataclass
class _Groups:
    """Union–find over record ids, remembering titles and the weakest joining score."""

    parent: dict[int, int] = field(default_factory=dict)
    titles: dict[int, str | None] = field(default_factory=dict)
    scores: dict[int, float] = field(default_factory=dict)

    def find(self, item: int) -> int:
        self.parent.setdefault(item, item)
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]
            item = self.parent[item]
        return item

    def join(self, a: int, b: int, score: float) -> None:
        ra, rb = self.find(a), self.find(b)
        low = min(score, self.scores.get(ra, 100.0), self.scores.get(rb, 100.0))
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)
        self.scores[min(ra, rb)] = low

    def groups(self, rule: DuplicateRuleSpec) -> list[DuplicateGroup]:
        members: dict[int, list[int]] = {}
        for item in self.parent:
            members.setdefault(self.find(item), []).append(item)
        return [
            DuplicateGroup(
                rule.key,
                rule.label,
                rule.action,
                tuple(DuplicateMember(i, self.titles.get(i)) for i in sorted(ids)),
                self.scores.get(root, 100.0),
            )
            for root, ids in sorted(members.items())
            if len(ids) > 1
        ]


def scan_duplicates(
    service: Any,
    actor: Actor,
    table: str,
    rule: str | None = None,
    *,
    batch_size: int = BATCH_SIZE,
    progress: Progress | None = None,
) -> list[DuplicateGroup]:
    """Groups of possible duplicates among the live records of ``table`` that ``actor``
    may read, under ``rule`` (a rule key) or every duplicate rule of the table."""
    plan: TablePlan = service.plan(table)
    access = service.access(actor, plan)
    access.require("read")
    rules = [r for r in plan.spec.duplicate_rules if rule is None or r.key == rule]
    if rule is not None and not rules:
        raise QueryError(detail=f"table {table!r} has no duplicate rule {rule!r}")
    scope = access.scope("read", service.context(actor))
    readable = bool(plan.spec.title_field) and access.visible(plan.spec.title_field or "")
    total = _count(service, plan, scope) * len(rules)
    done = 0
    found: list[DuplicateGroup] = []
    for current in rules:
        groups = _Groups()
        equality = not any(f.match in FUZZY_MATCHES for f in current.fields)
        buckets: dict[tuple[Any, ...], int] = {}
        for batch in _batches(service, plan, scope, batch_size):
            with read_transaction(service.engine) as conn:
                for values in batch:
                    record_id = int(values["id"])
                    if not applies(current, values):
                        continue
                    groups.titles[record_id] = title_of(plan, values, readable)
                    if equality:
                        key = tuple(
                            _hashable(dedupe.comparable(f.match, values.get(f.field)))
                            for f in current.fields
                        )
                        if key in buckets:
                            groups.join(buckets[key], record_id, 100.0)
                        else:
                            buckets[key] = record_id
                        continue
                    higher = sa.and_(plan.table.c.id > record_id, scope)
                    for match in find_matches(conn, plan, current, values, only=higher):
                        groups.titles[match.id] = match.title if readable else None
                        groups.join(record_id, match.id, match.score)
            done += len(batch)
            if progress is not None:
                progress(done, total)
        found.extend(groups.groups(current))
    return found


def _hashable(value: Any) -> Any:
    return value if not isinstance(value, list | dict) else repr(value)


def _count(service: Any, plan: TablePlan, scope: sa.ColumnElement[bool]) -> int:
    with read_transaction(service.engine) as conn:
        query = sa.select(sa.func.count()).select_from(plan.table)
        return int(conn.execute(query.where(plan.table.c.deleted_at.is_(None), scope)).scalar())


def _batches(
    service: Any, plan: TablePlan, scope: sa.ColumnElement[bool], size: int
) -> Iterator[list[dict[str, Any]]]:
    """Readable live rows in id order, ``size`` at a time (keyset pagination)."""
    last = 0
    table = plan.table
    while True:
        with read_transaction(service.engine) as conn:
            rows = conn.execute(
                sa.select(table)
                .where(table.c.deleted_at.is_(None), table.c.id > last, scope)
                .order_by(table.c.id)
                .limit(size)
            ).mappings()
            batch = [row_values(plan, row) for row in rows]
        if not batch:
            return
        yield batch
        last = int(batch[-1]["id"])
