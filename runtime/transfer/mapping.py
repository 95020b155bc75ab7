"""Which spreadsheet column fills which field: import targets, header detection and
automatic matching.

Headers are compared normalised (Unicode NFKC — full-width letters and digits become
half-width —, case-folded, without spaces and the ``*``/``:`` that mark required fields),
against each field's zh-CN label, en label and key. A column of a child table is written
``<child table label>.<field label>`` (``产品明细.产品``; ``/`` and ``-`` work too), or
just the child field's label when no parent field has that label.

The header row is the first of the top rows whose cells match the most fields, so title
rows and merged group rows above it ("基本信息" over two columns) are skipped; a header
cell left empty by a vertical merge takes the merged cell's text, and an unmatched cell
under a group label is tried as ``<group>.<cell>``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from runtime.records import Actor, RecordService
from schemas.spec import localize

HEADER_SCAN_ROWS = 20
"""How far down the header row is looked for."""
_DROP = re.compile(r"[\s*:：_]+")
CHILD_SEPARATORS = (".", "/", "-", "·")
ID_LABELS = {"zh-CN": "编号", "en": "ID"}


def normalise(text: Any) -> str:
    """The comparable form of a header or label: NFKC, case-folded, no spaces/markers."""
    if text is None:
        return ""
    return _DROP.sub("", unicodedata.normalize("NFKC", str(text))).casefold()


@dataclass(frozen=True)
class Target:
    """A field an import may fill: ``lines.product`` for a child table's field."""

    key: str
    label: Mapping[str, str]
    type: str
    child: str | None = None
    """The child_table field key (``lines``) when this is a child row field."""
    child_label: Mapping[str, str] = field(default_factory=dict)

    def title(self, locale: str) -> str:
        own = localize(self.label, locale) or self.key
        if self.child:
            return f"{localize(self.child_label, locale)}.{own}"
        return own

    @property
    def field(self) -> str:
        """The key inside its record (``product`` for ``lines.product``)."""
        return self.key.split(".", 1)[1] if self.child else self.key


def import_targets(svc: RecordService, actor: Actor, table: str) -> dict[str, Target]:
    """Every field the actor may set by import (stored, not computed, editable), ``id``
    first (to update by id), then the child tables' fields."""
    plan = svc.plan(table)
    access = svc.access(actor, plan)
    targets = {"id": Target("id", ID_LABELS, "id")}
    children: list[Target] = []
    for key, field_plan in plan.fields.items():
        if field_plan.computed or access.access(key) != "edit":
            continue
        spec = field_plan.spec
        if field_plan.is_child_table:
            child_plan = svc.plan(plan.children[key])
            child_access = svc.access(actor, child_plan)
            for child_key, child_field in child_plan.fields.items():
                if child_field.computed or not child_field.stored:
                    continue
                if child_access.access(child_key) != "edit":
                    continue
                children.append(
                    Target(
                        f"{key}.{child_key}",
                        child_field.spec.label,
                        child_field.spec.type,
                        key,
                        spec.label,
                    )
                )
            continue
        if field_plan.stored:
            targets[key] = Target(key, spec.label, spec.type)
    targets.update((t.key, t) for t in children)
    return targets


def _names(target: Target) -> set[str]:
    own = {normalise(target.key), *(normalise(v) for v in target.label.values())}
    if not target.child:
        return own
    names = {normalise(target.key)}
    for parent in (target.child, *target.child_label.values()):
        for name in (target.field, *target.label.values()):
            for sep in CHILD_SEPARATORS:
                names.add(normalise(f"{parent}{sep}{name}"))
    return names


class Matcher:
    """Header text → target key, by normalised label or key."""

    def __init__(self, targets: Mapping[str, Target]) -> None:
        self.targets = targets
        self.exact: dict[str, str] = {}
        bare: dict[str, str] = {}
        for key, target in targets.items():
            for name in _names(target):
                self.exact.setdefault(name, key)
            if target.child:
                for name in (target.field, *target.label.values()):
                    bare.setdefault(normalise(name), key)
        for name, key in bare.items():
            self.exact.setdefault(name, key)  # parent fields win over bare child labels

    def match(self, header: Any) -> str | None:
        return self.exact.get(normalise(header)) if normalise(header) else None


@dataclass(frozen=True)
class Header:
    """The detected header: its 0-based row, each column's header text, and the match."""

    row: int
    texts: list[str]
    matched: dict[int, str]
    """Column index → target key (auto-matched or as overridden)."""


def detect_header(
    top_rows: Sequence[Sequence[Any]],
    matcher: Matcher,
    merged: Sequence[tuple[tuple[int, int], tuple[int, int]]] = (),
) -> Header | None:
    """The header among ``top_rows`` (see the module docstring), or None when no row has
    a single non-empty cell."""
    best: Header | None = None
    best_score = 0
    for index, _row in enumerate(top_rows[:HEADER_SCAN_ROWS]):
        texts = _header_texts(top_rows, index, merged)
        matched = _match_texts(texts, top_rows, index, merged, matcher)
        score = len(set(matched.values()))
        if score > best_score:
            best, best_score = Header(index, texts, matched), score
    if best is not None:
        return best
    for index, row in enumerate(top_rows):
        if any(_text(c) for c in row):
            return Header(index, _header_texts(top_rows, index, merged), {})
    return None


def _text(cell: Any) -> str:
    return "" if cell is None else str(cell).strip()


def _merged_origin(
    row: int, col: int, merged: Sequence[tuple[tuple[int, int], tuple[int, int]]]
) -> tuple[int, int] | None:
    for (r0, c0), (r1, c1) in merged:
        if r0 <= row <= r1 and c0 <= col <= c1 and (r0, c0) != (row, col):
            return r0, c0
    return None


def _cell(rows: Sequence[Sequence[Any]], row: int, col: int) -> str:
    return _text(rows[row][col]) if row < len(rows) and col < len(rows[row]) else ""


def _header_texts(rows: Sequence[Sequence[Any]], index: int, merged: Sequence[Any]) -> list[str]:
    texts = []
    for col in range(len(rows[index])):
        text = _cell(rows, index, col)
        origin = None if text else _merged_origin(index, col, merged)
        if origin is not None and origin[0] < index:  # vertical merge from above
            text = _cell(rows, *origin)
        texts.append(text)
    return texts


def _group_labels(rows: Sequence[Sequence[Any]], index: int, merged: Sequence[Any]) -> list[str]:
    """The row above the header, merged (or, in CSV, blank-continued) labels spread over
    the columns they cover."""
    if index == 0:
        return []
    above = index - 1
    labels, last = [], ""
    for col in range(len(rows[above])):
        text = _cell(rows, above, col)
        origin = None if text else _merged_origin(above, col, merged)
        if origin is not None:
            text = _cell(rows, *origin)
        elif not text and not merged:
            text = last
        labels.append(text)
        last = text
    return labels


def _match_texts(
    texts: list[str],
    rows: Sequence[Sequence[Any]],
    index: int,
    merged: Sequence[Any],
    matcher: Matcher,
) -> dict[int, str]:
    groups = _group_labels(rows, index, merged)
    matched: dict[int, str] = {}
    taken: set[str] = set()
    for col, text in enumerate(texts):
        key = None
        if col < len(groups) and groups[col]:
            key = matcher.match(f"{groups[col]}.{text}")
        key = key or matcher.match(text)
        if key and key not in taken:
            matched[col] = key
            taken.add(key)
    return matched


def apply_overrides(
    header: Header, overrides: Mapping[str, str | None], targets: Mapping[str, Target]
) -> Header:
    """The header with the user's choices: ``{header text or column number: field key or
    None (skip)}``. Header texts compare normalised, so a saved template still applies
    when the file's columns moved."""
    by_text = {normalise(k): v for k, v in overrides.items()}
    matched = dict(header.matched)
    for col, text in enumerate(header.texts):
        if str(col) in overrides:
            choice = overrides[str(col)]
        elif normalise(text) and normalise(text) in by_text:
            choice = by_text[normalise(text)]
        else:
            continue
        if choice and choice in targets:
            for other in [c for c, k in matched.items() if k == choice and c != col]:
                del matched[other]  # one column per field: the user's choice wins
            matched[col] = choice
        else:
            matched.pop(col, None)
    return Header(header.row, header.texts, matched)
