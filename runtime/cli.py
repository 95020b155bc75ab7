"""The ``kairos`` command line: one group, sub-commands in small modules."""

from __future__ import annotations

import click

from builder.model.cli import app_group
from runtime import _cli_publish  # noqa: F401  (registers app publish / versions)
from runtime._cli_data import demo_data_command, records_group, seed_command
from runtime._cli_jobs import webhook_group, worker_command
from runtime._cli_org import department_group, user_group
from runtime._cli_quickstart import quickstart_command
from runtime._cli_serve import serve_command
from runtime._cli_tokens import token_group
from runtime._cli_transfer import export_command, import_command


@click.group()
@click.version_option(package_name="kairos")
def main() -> None:
    """Kairos: JSON app definitions become real tables, forms, flows and reports."""


main.add_command(app_group)
main.add_command(quickstart_command)
main.add_command(seed_command)
main.add_command(demo_data_command)
main.add_command(records_group)
main.add_command(user_group)
main.add_command(department_group)
main.add_command(serve_command)
main.add_command(token_group)
main.add_command(worker_command)
main.add_command(webhook_group)
main.add_command(import_command)
main.add_command(export_command)
