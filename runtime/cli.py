"""The ``kairos`` command line: one group, sub-commands in small modules."""

from __future__ import annotations

import click

from builder.model.cli import app_group
from runtime import _cli_publish  # noqa: F401  (registers app publish / versions)


@click.group()
@click.version_option(package_name="kairos")
def main() -> None:
    """Kairos: JSON app definitions become real tables, forms, flows and reports."""


main.add_command(app_group)
