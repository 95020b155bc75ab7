"""Shared pieces of the batch duplicate check (``runtime.dedupe.batch``): a candidate
record, a row's prefilter as data, and the index of the batch's earlier valid rows."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from runtime.dedupe._match import CANDIDATE_LIMIT
from schemas.spec import DuplicateRuleSpec

RowFilter = tuple[tuple[str, tuple[Any, ...]], ...]
"""Per rule field: ("=", (value,)) or ("like", terms) — a row's prefilter as data."""


@dataclass
class Candidate:
    """A record rows are compared with: stored (``id``) or an earlier row of the batch
    (``id`` None); ``forms`` caches its comparable forms by ``match:field``."""

    id: int | None
    values: Mapping[str, Any]
    visible: bool
    forms: dict[str, Any] = field(default_factory=dict)


class InBatch:
    """Earlier valid rows of the batch, indexed for one rule's prefilter: exact values by
    value, texts by their characters and character pairs (a term's first two characters
    find the texts that may contain it)."""

    def __init__(self, rule: DuplicateRuleSpec, lower: Callable[[str], str]) -> None:
        self.rule = rule
        self.lower = lower
        self.rows: list[Candidate] = []
        self.exact: list[dict[Any, list[int]]] = [{} for _ in rule.fields]
        self.texts: list[list[str | None]] = [[] for _ in rule.fields]
        self.grams: list[dict[str, list[int]]] = [{} for _ in rule.fields]
        self.contains: list[dict[str, list[int]]] = [{} for _ in rule.fields]
        """Per field: term → positions of the rows containing it (terms asked so far)."""
        self.heads: list[dict[str, list[str]]] = [{} for _ in rule.fields]
        """Per field: first two characters → the terms of ``contains`` starting so."""

    def add(self, candidate: Candidate) -> None:
        position = len(self.rows)
        self.rows.append(candidate)
        for n, rule_field in enumerate(self.rule.fields):
            value = candidate.values.get(rule_field.field)
            if rule_field.match == "exact":
                self.texts[n].append(None)
                if value is not None and _hashable(value):
                    self.exact[n].setdefault(value, []).append(position)
                continue
            text = None if value is None else self.lower(str(value))
            self.texts[n].append(text)
            if text:
                grams = set(text) | {text[i : i + 2] for i in range(len(text) - 1)}
                contains, heads = self.contains[n], self.heads[n]
                for gram in grams:
                    self.grams[n].setdefault(gram, []).append(position)
                    for needle in heads.get(gram, ()):
                        if needle in text:
                            contains[needle].append(position)

    def _containing(self, n: int, needle: str) -> list[int]:
        hits = self.contains[n].get(needle)
        if hits is None:
            texts = self.texts[n]
            hits = [p for p in self.grams[n].get(needle[:2], ()) if needle in (texts[p] or "")]
            self.contains[n][needle] = hits
            self.heads[n].setdefault(needle[:2], []).append(needle)
        return hits

    def matching(self, row_filter: RowFilter | None) -> list[Candidate]:
        """Earlier rows meeting the prefilter, newest first."""
        if row_filter is None or not self.rows:
            return []
        found: set[int] | None = None
        for n, (kind, keys) in enumerate(row_filter):
            union: set[int] = set()
            if kind == "=":
                if _hashable(keys[0]):
                    union.update(self.exact[n].get(keys[0], ()))
            else:
                single = len(row_filter) == 1
                for term in keys:
                    hits = self._containing(n, self.lower(term))
                    # One field: the newest CANDIDATE_LIMIT rows of each term hold the
                    # newest CANDIDATE_LIMIT of their union.
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
