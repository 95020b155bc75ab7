"""The ``kairos`` command line."""

from __future__ import annotations

import click

from builder.model.cli import app_group
from runtime import config


@click.group()
@click.version_option(package_name="kairos")
def main() -> None:
    """Kairos: JSON app definitions become real tables, forms, flows and reports."""


main.add_command(app_group)


def database_option(function):  # type: ignore[no-untyped-def]
    return click.option(
        "--database",
        "database_url",
        default=None,
        help="SQLAlchemy URL (default: $KAIROS_DATABASE_URL or sqlite:///var/kairos.db).",
    )(function)


def resolve_database(database_url: str | None) -> str:
    url = database_url or config.database_url()
    if url.startswith("sqlite:///"):
        from pathlib import Path

        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    return url
