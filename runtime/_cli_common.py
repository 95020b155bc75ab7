"""Options and helpers shared by the ``kairos`` sub-commands."""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
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


def open_database(database_url: str | None) -> Engine:
    url = database_url or config.database_url()
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    return create_engine(url)


def say(locale: str, zh: str, en: str, **params: Any) -> str:
    """Pick the zh-CN or en text of a CLI message."""
    return (zh if locale == "zh-CN" else en).format(**params)


def pad(text: str, width: int) -> str:
    """Left-align ``text`` in ``width`` terminal columns (CJK characters take two)."""
    columns = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - columns)
