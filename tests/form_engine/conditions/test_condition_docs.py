"""docs/conditions.md documents every operator and the operators of every kind."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from form_engine.conditions._operators import ALL_OPERATORS
from form_engine.kinds import OPERATORS, Kind

DOC = (Path(__file__).parents[3] / "docs" / "conditions.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("op", sorted(ALL_OPERATORS))
def test_every_operator_has_a_row_with_an_example(op: str) -> None:
    rows = [line for line in DOC.splitlines() if re.match(rf"\| `{op}`( / `\w+`)? \|", line)]
    rows += [line for line in DOC.splitlines() if re.match(rf"\| `\w+` / `{op}` \|", line)]
    assert rows, f"no operator row for {op}"
    assert any(f'"op": "{op}"' in row or "/" in row.split("|")[1] for row in rows)


@pytest.mark.parametrize("kind", list(Kind))
def test_kind_table_matches_the_operator_registry(kind: Kind) -> None:
    row = next(line for line in DOC.splitlines() if line.startswith(f"| `{kind.value}` |"))
    listed = set(row.split("|")[3].strip().strip("`").split())
    assert listed == OPERATORS[kind]
