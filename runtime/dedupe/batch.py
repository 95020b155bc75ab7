"""The duplicate check of a whole batch of new records (``bulk_create``, imports).

Same rules, same errors and warnings as ``check_duplicates`` on one record, but set-based:

- per rule and window of ``WINDOW`` rows, the stored candidates of every row are
  fetched together (``runtime.dedupe._stored``) — exactly the candidates its
  single-record query would get;
- comparable forms (parsed company names, normalised phones …) are computed once per
  record and per candidate, not once per pair;
- rows of the same batch are compared with each other: a row duplicating an earlier
  valid row of the batch is blocked or warned exactly as if the earlier one had been
  saved first (it is newer than any stored record, so it comes first among candidates).
  It is named by its title and "an earlier row of the same batch" (it has no id yet) and
  is always visible: the actor submitted it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from form_engine import dedupe
from form_engine.conditions import ConditionContext
from form_engine.messages import FieldError
from runtime.dedupe import terms as dedupe_terms
from runtime.dedupe._in_batch import Candidate, InBatch, RowFilter, comparable_forms
from runtime.dedupe._match import CANDIDATE_LIMIT, Match, applies, title_of
from runtime.dedupe._stored import indexed_candidates, stored_candidates
from runtime.dedupe.check import rule_outcome
from runtime.records._permissions import TableAccess
from runtime.records._plan import TablePlan
from schemas.spec import DuplicateRuleSpec

WINDOW = 500
"""Rows of a batch whose stored candidates are fetched (and held) together."""


@dataclass
class BatchEntry:
    """One new record of the batch: its values, the keys it sets and the lists the check
    appends to (``block`` errors, ``warn`` warnings)."""

    values: Mapping[str, Any]
    changed: set[str]
    errors: list[FieldError]
    warnings: list[dict[str, Any]] = field(default_factory=list)


class BatchDuplicates:
    """The duplicate check of one batch, row by row in batch order, so a caller can
    interleave it with its own sequential checks (uniqueness claims): ``check(i)`` adds
    entry i's errors and warnings, ``accept(i)`` records it as written (later rows are
    compared with it). Stored candidates are fetched for ``WINDOW`` rows at a time, one
    or two queries per rule: what a batch holds in memory is bounded by the window (and
    ``CANDIDATE_LIMIT``), not by how many stored records look alike."""

    def __init__(
        self,
        conn: sa.Connection,
        plan: TablePlan,
        access: TableAccess,
        entries: Sequence[BatchEntry],
        context: ConditionContext,
        *,
        known: dict[Any, Candidate | None] | None = None,
    ) -> None:
        """``known``: stored candidates made by earlier batches of the same call, by
        (rule, record id), reused and added to (the least recently used forgotten past
        KNOWN_LIMIT, so a long call's memory stays bounded)."""
        self.conn = conn
        self.plan = plan
        self.entries = entries
        self.rules = [r for r in plan.spec.duplicate_rules if r.action != "report"]
        self.title_readable = bool(plan.spec.title_field) and access.visible(
            plan.spec.title_field or ""
        )
        if self.rules:
            dedupe_terms.ensure_built(conn, plan)
        self.scope = access.scope("read", context) if self.rules else sa.true()
        self.known: dict[Any, Candidate | None] = {} if known is None else known
        # Which rows each rule compares, and their prefilters: decided now, from the
        # errors the rows have now (as the single-record check decides before saving).
        self.compared: dict[str, dict[int, RowFilter | None]] = {}
        for rule in self.rules:
            keys = {f.field for f in rule.fields}
            self.compared[rule.key] = {
                i: _row_filter(rule, entry.values)
                for i, entry in enumerate(entries)
                if keys & entry.changed
                and not keys & {e.field for e in entry.errors}
                and applies(rule, entry.values)
            }
        self.stored: dict[tuple[str, int], tuple[RowFilter | None, list[Candidate]]] = {}
        self.window = (0, 0)
        self.earlier = {rule.key: InBatch(rule) for rule in self.rules}
        self.forms: dict[int, dict[str, Any]] = {}

    def _fetch(self, index: int) -> None:
        """The stored candidates of the rows of the window starting at ``index`` (those
        of the previous window are dropped)."""
        self.stored.clear()
        self.window = (index, index + WINDOW)
        for rule in self.rules:
            rows = [
                (i, f) for i, f in self.compared[rule.key].items() if index <= i < self.window[1]
            ]
            if not rows:
                continue
            filters = [f for _i, f in rows]
            if len(rule.fields) == 1 and rule.fields[0].match != "exact":
                found = indexed_candidates(
                    self.conn, self.plan, rule, filters, self.scope, self.known
                )
            else:
                found = stored_candidates(self.conn, self.plan, rule, filters, self.scope)
            for (i, row_filter), candidates in zip(rows, found, strict=True):
                self.stored[(rule.key, i)] = (row_filter, candidates)

    def check(self, index: int) -> None:
        """Append entry ``index``'s ``block`` errors and ``warn`` warnings, rule by rule;
        a rule whose fields already have an error is skipped, as for one record."""
        if not self.rules:
            return
        if not self.window[0] <= index < self.window[1]:
            self._fetch(index)
        entry = self.entries[index]
        failed = {e.field for e in entry.errors}
        mine = self.forms.setdefault(index, {})
        for rule in self.rules:
            if (rule.key, index) not in self.stored:
                continue
            if {f.field for f in rule.fields} & failed:
                continue
            row_filter, candidates = self.stored[(rule.key, index)]
            mine.update(comparable_forms(rule, entry.values))
            near = self.earlier[rule.key].matching(row_filter)
            found = _scored(self.plan, rule, mine, (near + candidates)[:CANDIDATE_LIMIT])
            if found:
                rule_outcome(
                    self.plan, rule, found, self.title_readable, entry.errors, entry.warnings
                )

    def accept(self, index: int) -> None:
        """Entry ``index`` will be written: later rows of the batch are compared with it."""
        if not self.rules:
            return
        own = Candidate(None, self.entries[index].values, True, self.forms.get(index, {}))
        for rows in self.earlier.values():
            rows.add(own)


def check_batch(
    conn: sa.Connection,
    plan: TablePlan,
    access: TableAccess,
    entries: Sequence[BatchEntry],
    context: ConditionContext,
) -> None:
    """Check every entry in order; an entry without errors counts as written."""
    check = BatchDuplicates(conn, plan, access, entries, context)
    for index, entry in enumerate(entries):
        check.check(index)
        if not entry.errors:
            check.accept(index)


def _row_filter(rule: DuplicateRuleSpec, values: Mapping[str, Any]) -> RowFilter | None:
    """The prefilter of ``prefilter`` (runtime.dedupe._match) as data; None: matches
    nothing."""
    parts = []
    for rule_field in rule.fields:
        value = values.get(rule_field.field)
        if rule_field.match == "exact":
            parts.append(("=", (value,)))
            continue
        terms = dedupe.lookup_terms(rule_field.match, value)
        if not terms:
            return None
        parts.append(("terms", terms))
    return tuple(parts)


# --- scoring ----------------------------------------------------------------------------
def _scored(
    plan: TablePlan,
    rule: DuplicateRuleSpec,
    mine: Mapping[str, Any],
    candidates: Sequence[Candidate],
) -> list[Match]:
    """``score`` (runtime.dedupe._match) of each candidate — the lowest field score when
    every field matches — with comparable forms cached and fuzzy scores computed for all
    candidates at once (``form_engine.dedupe.matching_forms``)."""
    scores: dict[int, float] | None = None
    for rule_field in rule.fields:
        name = f"{rule_field.match}:{rule_field.field}"
        try:
            others = [c.forms[name] for c in candidates]
        except KeyError:  # an earlier row of the batch this rule did not compare
            for candidate in candidates:
                if name not in candidate.forms:
                    candidate.forms[name] = dedupe.comparable(
                        rule_field.match, candidate.values.get(rule_field.field)
                    )
            others = [c.forms[name] for c in candidates]
        got = dedupe.matching_forms(
            rule_field.match,
            rule_field.threshold,
            mine[name],
            others,
        )
        if scores is None:
            scores = got
        else:
            scores = {i: min(s, got[i]) for i, s in scores.items() if i in got}
        if not scores:
            return []
    found = [
        (
            Match(
                candidates[i].id,
                title_of(plan, candidates[i].values),
                score,
                candidates[i].visible,
            ),
            i,
        )
        for i, score in (scores or {}).items()
    ]
    # Best first; an earlier row of the batch is newer than every stored record.
    found.sort(key=lambda pair: (-pair[0].score, pair[0].id is None, pair[0].id or 0, pair[1]))
    return [match for match, _position in found]
