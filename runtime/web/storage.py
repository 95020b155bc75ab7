"""Tables the web UI needs beyond the kernel's (saved views, comments, notifications …).

Feature modules define their tables on ``UI_METADATA``; ``create_app`` creates any that are
missing. They live in the app database so a UI write and the record write it belongs to can
share one transaction.
"""

from __future__ import annotations

import sqlalchemy as sa

from runtime.storage.system import define_system_tables

UI_METADATA = sa.MetaData()
SYSTEM = define_system_tables(UI_METADATA)
"""The kernel's system tables on the same MetaData, so UI tables can reference kairos_user."""


def ensure_ui_tables(engine: sa.Engine) -> None:
    """Create missing UI tables; call after the feature modules were imported (they define
    their tables on import)."""
    UI_METADATA.create_all(engine, checkfirst=True)
