"""What the web app keeps between requests: the engine and each app's record service."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from runtime.apps import open_app
from runtime.db import create_engine
from runtime.records import RecordService
from runtime.storage.system import define_system_tables, ensure_system_tables

VERSION_CHECK_SECONDS = 2.0
"""How stale a web process may be after a publish before it picks the new version up."""


@dataclass
class WebState:
    engine: Engine
    app_key: str
    _services: dict[str, tuple[int, RecordService]] = field(default_factory=dict)
    _checked: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def open(cls, database_url: str, app_key: str) -> WebState:
        engine = create_engine(database_url)
        ensure_system_tables(engine)
        return cls(engine, app_key)

    def service(self, app_key: str | None = None) -> RecordService:
        """The record service of the currently published version of the app. A publish
        from another process is picked up within VERSION_CHECK_SECONDS."""
        key = app_key or self.app_key
        now = time.monotonic()
        with self._lock:
            cached = self._services.get(key)
            if cached is not None and now - self._checked.get(key, 0) < VERSION_CHECK_SECONDS:
                return cached[1]
            version = self._current_version(key)
            if cached is None or cached[0] != version:
                cached = (version, open_app(self.engine, key))
                self._services[key] = cached
            self._checked[key] = now
            return cached[1]

    def refresh(self, app_key: str | None = None) -> None:
        """Forget the cached service so the next request loads the newest published
        version (call after publishing from this process, e.g. the permission editor)."""
        with self._lock:
            self._checked.pop(app_key or self.app_key, None)

    def _current_version(self, app_key: str) -> int:
        apps = define_system_tables(sa.MetaData())["kairos_app"]
        with self.engine.connect() as conn:
            version = conn.execute(
                sa.select(apps.c.current_version).where(apps.c.app_key == app_key)
            ).scalar()
        return int(version or 0)
