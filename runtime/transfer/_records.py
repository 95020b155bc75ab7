"""Sheet rows → record values: light cleaning, child-row grouping, relation names → ids.

Cleaning is only what a spreadsheet adds and no field type should care about: surrounding
spaces (also full-width ones), empty cells, and Excel turning a phone number or code into
a float (``13800138000.0`` → ``"13800138000"`` for text-like fields). Everything else —
full-width digits, ``¥1,234.50``, ``是/否``, dates as text or Excel serials — is left to
each field type's ``parse`` inside the record service.

Child rows (docs/import-export.md, "Child rows"): when child-table columns are mapped, a
row whose parent cells are all empty, or whose group-key cell equals the current
record's, adds one child row to the current record; any other row starts a new record.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from runtime.transfer.mapping import Header, Target
from runtime.transfer.references import References, problem_message

TEXT_LIKE = frozenset({"text", "long_text", "phone", "email", "url", "single_select"})


@dataclass
class Group:
    """One record to write: the sheet lines it came from, their raw cells, its values and
    the problems found before the record service saw it (unknown relation names)."""

    lines: list[int]
    rows: list[list[Any]]
    values: dict[str, Any]
    problems: list[tuple[str | None, str]] = field(default_factory=list)


def clean(cell: Any, target: Target) -> Any:
    if cell is None:
        return None
    if isinstance(cell, str):
        stripped = cell.strip()
        return stripped or None
    if isinstance(cell, float):
        if math.isnan(cell):
            return None
        if cell.is_integer() and target.type in TEXT_LIKE:
            return str(int(cell))
    return cell


class Grouper:
    """Turns the data rows (after the header) into ``Group``s, streamed."""

    def __init__(self, header: Header, targets: Mapping[str, Target], group_key: str | None):
        self.header = header
        self.targets = targets
        self.parent_cols = [(c, targets[k]) for c, k in header.matched.items() if "." not in k]
        self.child_cols = [(c, targets[k]) for c, k in header.matched.items() if "." in k]
        self.group_key = group_key if group_key in header.matched.values() else None

    def groups(self, numbered_rows: Iterable[tuple[int, list[Any]]]) -> Iterator[Group]:
        current: Group | None = None
        current_key: Any = None
        for line, row in numbered_rows:
            parent = {t.key: clean(_at(row, c), t) for c, t in self.parent_cols}
            child = {t.key: (t, clean(_at(row, c), t)) for c, t in self.child_cols}
            child_empty = all(v is None for _, v in child.values())
            if all(v is None for v in parent.values()) and child_empty:
                continue
            key = parent.get(self.group_key) if self.group_key else None
            continues = (
                current is not None
                and self.child_cols
                and (
                    all(v is None for v in parent.values())
                    or (key is not None and key == current_key)
                )
            )
            if not continues:
                if current is not None:
                    yield current
                current = Group([], [], {k: v for k, v in parent.items() if v is not None})
                current_key = key
            assert current is not None
            current.lines.append(line)
            current.rows.append(row)
            if not child_empty:
                child_row: dict[str, dict[str, Any]] = {}
                for target, value in child.values():
                    assert target.child is not None
                    child_row.setdefault(target.child, {})[target.field] = value
                for child_key, values in child_row.items():
                    if any(v is not None for v in values.values()):
                        current.values.setdefault(child_key, []).append(values)
        if current is not None:
            yield current


def _at(row: Sequence[Any], col: int) -> Any:
    return row[col] if col < len(row) else None


def resolve_references(
    groups: list[Group],
    targets: Mapping[str, Target],
    relation_targets: Mapping[str, str],
    references: References,
    locale: str,
) -> None:
    """Replace relation names by ids in place; unknown or ambiguous names become problems
    of their group (the value is dropped so nothing half-resolved is written)."""
    by_field: dict[str, list[tuple[Group, dict[str, Any], str]]] = {}
    for group in groups:
        for key, value in group.values.items():
            if key in relation_targets and isinstance(value, str):
                by_field.setdefault(key, []).append((group, group.values, key))
            elif isinstance(value, list):
                for child in value:
                    for child_key, child_value in child.items():
                        full = f"{key}.{child_key}"
                        if full in relation_targets and isinstance(child_value, str):
                            by_field.setdefault(full, []).append((group, child, child_key))
    for full, cells in by_field.items():
        answers = references.resolve(relation_targets[full], (c[k] for _, c, k in cells))
        label = targets[full].title(locale)
        for group, container, key in cells:
            raw = container[key]
            answer = answers.get(raw.strip())
            if isinstance(answer, int):
                container[key] = answer
            elif answer is not None:
                group.problems.append((full, problem_message(answer, label, raw, locale)))
                container[key] = None
