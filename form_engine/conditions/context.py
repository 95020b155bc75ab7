"""What a condition may refer to besides the record: the user, the clock, the flow trigger."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class ConditionContext:
    """Values behind ``$user``, ``$now``, ``$today`` and ``$trigger.<field>``.

    ``now`` is an aware UTC datetime; ``today`` is the calendar date in the app's
    ``timezone`` (an IANA name such as ``Asia/Shanghai``). Date helpers on datetime fields
    use that timezone for day boundaries, so "today" means the user's today, not UTC's.
    Build one per request or flow step with :meth:`at`; tests pass fixed values.
    """

    user_id: int | None = None
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    today: date | None = None
    timezone: str = "UTC"
    trigger: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        if self.now.tzinfo is None:
            raise ValueError("ConditionContext.now must be timezone-aware (UTC)")
        object.__setattr__(self, "now", self.now.astimezone(UTC))
        if self.today is None:
            object.__setattr__(self, "today", self.now.astimezone(self.tz).date())

    @property
    def tz(self) -> tzinfo:
        return ZoneInfo(self.timezone)

    @property
    def local_today(self) -> date:
        assert self.today is not None  # set in __post_init__
        return self.today

    @classmethod
    def at(
        cls,
        *,
        user_id: int | None = None,
        timezone: str = "UTC",
        trigger: Mapping[str, Any] | None = None,
        now: datetime | None = None,
    ) -> ConditionContext:
        """A context for the current moment (or ``now``) in ``timezone``."""
        return cls(
            user_id=user_id,
            now=now or datetime.now(UTC),
            timezone=timezone,
            trigger=MappingProxyType(dict(trigger or {})),
        )
