"""Where Kairos keeps its data, from the environment with embedded defaults."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_HOME = Path("var")


def home_dir() -> Path:
    """Folder for the embedded database and uploaded files (``KAIROS_HOME``, default ./var)."""
    return Path(os.environ.get("KAIROS_HOME", DEFAULT_HOME))


def database_url() -> str:
    """``KAIROS_DATABASE_URL``, or an embedded SQLite file under ``home_dir()``."""
    url = os.environ.get("KAIROS_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{home_dir() / 'kairos.db'}"
