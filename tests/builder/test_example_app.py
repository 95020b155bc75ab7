"""The sample opportunity app (examples/opportunity) is a valid definition."""

from __future__ import annotations

from pathlib import Path

from builder.model import load_app

EXAMPLE = Path(__file__).parents[2] / "examples" / "opportunity"


def test_opportunity_app_loads_without_problems() -> None:
    result = load_app(EXAMPLE)
    assert [str(p) for p in result.problems] == []
    assert result.spec is not None
    assert result.spec.has_table("opportunity")
