"""Shared pieces of the batch duplicate check (``runtime.dedupe.batch``): a candidate
record, a row's prefilter as data, and the index of the batch's earlier valid rows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from form_engine import dedupe
from runtime.dedupe._match import CANDIDATE_LIMIT
from schemas.spec import DuplicateRuleSpec

RowFilter = tuple[tuple[str, tuple[Any, ...]], ...]
"""Per rule field: ("=", (value,)) or ("terms", terms) — a row's prefilter as data."""


@dataclass(slots=True)
class Candidate:
    """A record rows are compared with: stored (``id``) or an earlier row of the batch
    (``id`` None); ``forms`` caches its comparable forms by ``match:field``."""

    id: int | None
    values: Mapping[str, Any]
    visible: bool
    forms: dict[str, Any] = field(default_factory=dict)


class InBatch:
    """Earlier valid rows of the batch, indexed for one rule's prefilter: exact values by
    value, the other fields by their search terms (``form_engine.dedupe.index_terms``,
    as the stored records are in ``runtime.dedupe.terms``)."""

    def __init__(self, rule: DuplicateRuleSpec) -> None:
        self.rule = rule
        self.rows: list[Candidate] = []
        self.postings: list[dict[Any, list[int]]] = [{} for _ in rule.fields]
        """Per field: value (exact) or term → positions of the rows holding it."""

    def add(self, candidate: Candidate) -> None:
        position = len(self.rows)
        self.rows.append(candidate)
        for n, rule_field in enumerate(self.rule.fields):
            value = candidate.values.get(rule_field.field)
            if rule_field.match == "exact":
                if value is not None and _hashable(value):
                    self.postings[n].setdefault(value, []).append(position)
                continue
            for term in dedupe.index_terms(rule_field.match, value):
                self.postings[n].setdefault(term, []).append(position)

    def matching(self, row_filter: RowFilter | None) -> list[Candidate]:
        """Earlier rows meeting the prefilter, newest first."""
        if row_filter is None or not self.rows:
            return []
        found: set[int] | None = None
        single = len(row_filter) == 1
        for n, (_kind, keys) in enumerate(row_filter):
            union: set[int] = set()
            for key in keys:
                if not _hashable(key):
                    continue
                hits = self.postings[n].get(key, ())
                # One field: the newest CANDIDATE_LIMIT rows of each key hold the newest
                # CANDIDATE_LIMIT of their union.
                union.update(hits[-CANDIDATE_LIMIT:] if single else hits)
            found = union if found is None else found & union
            if not found:
                return []
        return [self.rows[p] for p in sorted(found or (), reverse=True)]


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def comparable_forms(rule: DuplicateRuleSpec, values: Mapping[str, Any]) -> dict[str, Any]:
    """The comparable forms of ``values`` under ``rule``, by ``match:field``."""
    return {
        f"{f.match}:{f.field}": dedupe.comparable(f.match, values.get(f.field)) for f in rule.fields
    }
