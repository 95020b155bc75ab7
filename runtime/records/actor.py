"""Who is acting on records, and through which channel.

The record service never reads a session or a request: every call passes an ``Actor``.
``runtime.org.load_actor`` builds one from the database; tests build them by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from schemas.spec import DEFAULT_LOCALE

CHANNELS = ("ui", "api", "import", "flow", "system")
"""Where a change came from; stored on every audit entry and event."""

ADMIN_ROLE = "admin"
"""The built-in role that may do everything in an app."""


@dataclass(frozen=True)
class Actor:
    """A user (or the system) acting on records.

    ``roles`` are the actor's role keys in the app being accessed; ``department_path`` is
    the materialised path (``"/1/4/"``) of the actor's department, so "department and
    below" row scopes are a prefix match.
    """

    user_id: int | None
    is_admin: bool = False
    roles: frozenset[str] = frozenset()
    department_id: int | None = None
    department_path: str | None = None
    locale: str = DEFAULT_LOCALE
    channel: str = "ui"
    display_name: str | None = None

    def __post_init__(self) -> None:
        if self.channel not in CHANNELS:
            raise ValueError(f"unknown channel {self.channel!r}; use one of {CHANNELS}")

    @classmethod
    def system(cls, channel: str = "system") -> Actor:
        """The platform itself (seed loaders, migrations, flows running as system)."""
        return cls(user_id=None, is_admin=True, channel=channel)

    @property
    def unrestricted(self) -> bool:
        """True for system, administrators and holders of the ``admin`` role."""
        return self.user_id is None or self.is_admin or ADMIN_ROLE in self.roles

    def via(self, channel: str) -> Actor:
        """The same actor acting through another channel (e.g. an import job)."""
        return replace(self, channel=channel)
