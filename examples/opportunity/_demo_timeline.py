"""Time for demo data: instants as integer UTC seconds, days as proleptic ordinals in the
app's time zone (Asia/Shanghai, UTC+8, no daylight saving), and the walk of an opportunity
through the pipeline stages.

Integers keep the hot loop cheap; rows get real ``date``/``datetime`` values at the end.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime

UTC_OFFSET = 8 * 3600
"""Asia/Shanghai is UTC+8 all year."""
DAY = 86_400
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()

OPEN_STAGES = ("initial_contact", "qualification", "solution_demo", "proposal", "negotiation")
"""The open stages in pipeline order (codes of seed/03_pipeline_stage.json)."""
CLOSED_STAGES = ("won", "lost", "invalid")
_MEAN_DAYS = (4.0, 9.0, 16.0, 18.0, 15.0)
"""Mean days spent in each open stage before moving on."""
_DROP = (0.22, 0.20, 0.18, 0.22, 0.18)
"""Chance of dropping out (lost or invalid) at the end of each open stage: about 29 % of
closed opportunities are won, a typical B2B win rate."""


def day_start(ordinal: int) -> int:
    """UTC seconds of local midnight starting day ``ordinal``."""
    return (ordinal - _EPOCH_ORDINAL) * DAY - UTC_OFFSET


def local_ordinal(ts: int) -> int:
    """The local day (ordinal) of instant ``ts``."""
    return (ts + UTC_OFFSET) // DAY + _EPOCH_ORDINAL


def working_time(rng: random.Random, ordinal: int) -> int:
    """An instant during office hours (09:00–18:00 local) of day ``ordinal``."""
    return day_start(ordinal) + 9 * 3600 + int(rng.random() * 9 * 3600)


def to_datetime(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


to_date = date.fromordinal


def walk_stages(rng: random.Random, created: int, now: int) -> list[tuple[str, int]]:
    """The stages an opportunity created at ``created`` has entered by ``now``.

    Returns ``[(stage code, entered at), ...]`` in order; the last entry is the current
    stage. A closed opportunity ends in ``won``, ``lost`` or ``invalid``; entry times are
    strictly increasing and all before ``now``.
    """
    rand = rng.random
    path = [(OPEN_STAGES[0], created)]
    entered = created
    for index, mean in enumerate(_MEAN_DAYS):
        stay = int(DAY / 2 + rng.expovariate(1.0 / mean) * DAY)
        left = entered + stay
        if left >= now:
            return path
        if rand() < _DROP[index]:
            closed = "invalid" if index < 2 and rand() < 0.3 else "lost"
            path.append((closed, left))
            return path
        entered = left
        path.append((OPEN_STAGES[index + 1] if index + 1 < len(OPEN_STAGES) else "won", left))
    return path
