"""Finding the stored records a record duplicates under one rule.

Never a fuzzy comparison against every row: the database narrows the candidates first —
``exact`` fields by ``=``, the others through the search index (``runtime.dedupe.terms``):
records indexed under one of the terms ``form_engine.dedupe.search_terms`` picks (a
bigram of the name, the last four digits of a phone, ``@domain``) — and at most
``CANDIDATE_LIMIT`` candidates are then scored in Python.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from form_engine import dedupe
from runtime.dedupe import terms as dedupe_terms
from runtime.records._output import row_values
from runtime.records._plan import TablePlan
from schemas.spec import DuplicateRuleSpec

CANDIDATE_LIMIT = 200
"""Candidates scored per rule and record, newest first."""


@dataclass(frozen=True)
class Match:
    """A record matching under a rule; ``visible`` when the actor may read it. ``id`` is
    None for an earlier row of the same batch (runtime.dedupe.batch), not yet stored."""

    id: int | None
    title: str | None
    score: float
    visible: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "score": round(self.score, 1)}


def applies(rule: DuplicateRuleSpec, values: Mapping[str, Any]) -> bool:
    """A rule compares a record only when each of its fields has a comparable value
    (a blank, or a free-mail domain, matches nothing)."""
    return all(dedupe.comparable(f.match, values.get(f.field)) is not None for f in rule.fields)


def prefilter(plan: TablePlan, rule: DuplicateRuleSpec, values: Mapping[str, Any]) -> list[Any]:
    """SQL conditions every matching row meets (one per field of the rule)."""
    where: list[Any] = []
    for field in rule.fields:
        column = plan.expression(field.field)
        value = values.get(field.field)
        if field.match == "exact":
            where.append(column == value)
            continue
        terms = dedupe.lookup_terms(field.match, value)
        if not terms:
            return [sa.false()]
        found = dedupe_terms.matching_ids(plan, (field.field, field.match), terms)
        where.append(plan.table.c.id.in_(found))
    return where


def score(rule: DuplicateRuleSpec, a: Mapping[str, Any], b: Mapping[str, Any]) -> float | None:
    """The lowest field score when every field matches, else None."""
    scores = []
    for field in rule.fields:
        got = dedupe.matches(field.match, field.threshold, a.get(field.field), b.get(field.field))
        if got is None:
            return None
        scores.append(got)
    return min(scores)


def title_of(plan: TablePlan, values: Mapping[str, Any], readable: bool = True) -> str | None:
    key = plan.spec.title_field
    value = values.get(key) if key and readable else None
    return None if value is None else str(value)


def find_matches(
    conn: sa.Connection,
    plan: TablePlan,
    rule: DuplicateRuleSpec,
    values: Mapping[str, Any],
    *,
    exclude: Collection[int] = (),
    visible: sa.ColumnElement[bool] | None = None,
    only: sa.ColumnElement[bool] | None = None,
    limit: int = CANDIDATE_LIMIT,
) -> list[Match]:
    """Live records of ``plan`` that ``values`` duplicates under ``rule``, best first.

    ``visible``: the actor's read scope, to mark matches they cannot see; ``only``: an
    extra condition every candidate must meet (a scan restricts itself to readable rows
    and to higher ids)."""
    if not applies(rule, values):
        return []
    dedupe_terms.ensure_built(conn, plan)
    table = plan.table
    seen = sa.case((visible, 1), else_=0) if visible is not None else sa.literal(1)
    query = (
        sa.select(table, seen.label("_visible"))
        .where(table.c.deleted_at.is_(None), *prefilter(plan, rule, values))
        .order_by(table.c.id.desc())
        .limit(limit)
    )
    if exclude:
        query = query.where(table.c.id.not_in(sorted(exclude)))
    if only is not None:
        query = query.where(only)
    found = []
    for row in conn.execute(query).mappings():
        candidate = row_values(plan, row)
        got = score(rule, values, candidate)
        if got is not None:
            shown = bool(row["_visible"])
            found.append(Match(int(row["id"]), title_of(plan, candidate), got, shown))
    found.sort(key=lambda m: (-m.score, m.id))
    return found
