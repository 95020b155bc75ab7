"""Names the migrator gives to archived tables and columns, temporary columns and keys.

Nothing is ever dropped: a removed field's column is renamed ``_archived_<column>`` and a
removed table ``_archived_<table>``. The most recent archive always has that canonical name
(so re-adding the field or table restores it); an older archive it displaces moves to
``_archived<n>_<name>`` with the first free ``n >= 2``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection

MAX_IDENTIFIER = 63
"""PostgreSQL truncates longer identifiers; every generated name stays within it."""
ARCHIVE_PREFIX = "_archived"
TEMP_PREFIX = "_kairos_new_"


def fit(name: str) -> str:
    """``name`` shortened deterministically (prefix + digest) when it is too long."""
    if len(name) <= MAX_IDENTIFIER:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:8]
    return f"{name[: MAX_IDENTIFIER - 9]}_{digest}"


def archived_name(name: str, generation: int = 1) -> str:
    """The archive name of table or column ``name``; generation 1 is the newest."""
    if generation == 1:
        return fit(f"{ARCHIVE_PREFIX}_{name}")
    return fit(f"{ARCHIVE_PREFIX}{generation}_{name}")


def free_archive_generation(name: str, taken: Collection[str]) -> str:
    """The first older-generation archive name of ``name`` not in ``taken``."""
    generation = 2
    while archived_name(name, generation) in taken:
        generation += 1
    return archived_name(name, generation)


def is_archive(name: str) -> bool:
    return name.startswith(ARCHIVE_PREFIX)


def temp_column(column: str) -> str:
    """The column a converted field is written to before it takes the field's name."""
    return fit(f"{TEMP_PREFIX}{column}")


def foreign_key_name(table: str, column: str) -> str:
    """A named foreign key: Alembic's batch mode refuses to add unnamed constraints."""
    return fit(f"fk_{table}_{column}")
