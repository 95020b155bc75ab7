"""Options and helpers shared by the ``kairos`` sub-commands."""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from runtime import config
from runtime.db import create_engine
from schemas.spec import LOCALES

F = TypeVar("F", bound=Callable[..., Any])

SAMPLE_APP = Path(__file__).resolve().parent.parent / "examples" / "opportunity"
"""The opportunity app shipped with Kairos (loaded by path: runtime never imports examples)."""


def database_option(function: F) -> F:
    return click.option(
        "--database",
        "database_url",
        default=None,
        metavar="URL",
        help="SQLAlchemy URL (default: $KAIROS_DATABASE_URL or sqlite:///var/kairos.db).",
    )(function)


def locale_option(function: F) -> F:
    return click.option(
        "--locale",
        type=click.Choice(LOCALES),
        default=lambda: os.environ.get("KAIROS_LOCALE", "en"),
        show_default="$KAIROS_LOCALE or en",
        help="Language of the output.",
    )(function)


def open_database(database_url: str | None, *, create: bool = True) -> Engine:
    """An engine for ``--database`` (or the configured default), connected once so a bad
    URL or an unreachable server is a clear message, not a traceback. With
    ``create=False`` a missing SQLite file is an error instead of a new empty database."""
    url = database_url or config.database_url()
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        raise click.ClickException(
            f"{url!r} is not a database URL; use e.g. sqlite:///var/kairos.db or "
            "postgresql://user@host:5432/kairos"
        ) from None
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        path = Path(parsed.database)
        if not path.exists() and not create:
            raise click.ClickException(
                f"No database at {path}: run 'kairos quickstart' or 'kairos app publish' first"
            )
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        engine = create_engine(url)
        with engine.connect():
            pass
    except sa.exc.NoSuchModuleError:
        raise click.ClickException(
            f"Unsupported database in {url!r}: use sqlite or postgresql"
        ) from None
    except sa.exc.OperationalError as exc:
        raise click.ClickException(f"Cannot connect to the database: {exc.orig}") from None
    return engine


def say(locale: str, zh: str, en: str, **params: Any) -> str:
    """Pick the zh-CN or en text of a CLI message."""
    return (zh if locale == "zh-CN" else en).format(**params)


def pad(text: str, width: int) -> str:
    """Left-align ``text`` in ``width`` terminal columns (CJK characters take two)."""
    columns = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - columns)
