"""Strict JSON for request bodies and the ``where`` parameter: NaN, Infinity and numbers
beyond the double range (``1e999``) are refused rather than read as non-finite floats."""

from __future__ import annotations

import json
import math
from typing import Any


def _refuse_constant(constant: str) -> Any:
    raise ValueError(constant)


def _finite_float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise ValueError(literal)
    return value


def strict_loads(data: str | bytes) -> Any:
    """``json.loads`` that raises ValueError (or RecursionError when nested too deep) for
    anything that is not plain, finite JSON."""
    return json.loads(data, parse_constant=_refuse_constant, parse_float=_finite_float)
