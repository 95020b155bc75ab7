"""Requests per token per minute, counted in memory with a sliding window.

Each web process counts for itself (a deployment with N processes allows up to N × the
limit); that is enough to stop a runaway script without a shared store.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

DEFAULT_LIMIT = 120
WINDOW_SECONDS = 60.0


class RateLimiter:
    """``hit(key)`` → (allowed, remaining, retry_after seconds)."""

    def __init__(
        self,
        limit: int = DEFAULT_LIMIT,
        window: float = WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if limit < 1:
            raise ValueError("the rate limit must be at least 1 request per window")
        self.limit = limit
        self.window = window
        self.clock = clock
        self._hits: dict[int, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: int) -> tuple[bool, int, int]:
        now = self.clock()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                retry = max(1, math.ceil(hits[0] + self.window - now))
                return False, 0, retry
            hits.append(now)
            if len(self._hits) > 10_000:  # forget idle tokens so memory stays bounded
                for idle in [
                    k for k, v in self._hits.items() if not v or v[-1] <= now - self.window
                ]:
                    del self._hits[idle]
            return True, self.limit - len(hits), 0
