"""``kairos app validate PATH``: print every problem of a definition; exit 1 if any.

runtime.cli mounts :data:`app_group` on the ``kairos`` command (``main.add_command``); it
lives here so the command works without importing the runtime.
"""

from __future__ import annotations

import click

from builder.model.validate import load_app
from schemas.spec import LOCALES


@click.group("app")
def app_group() -> None:
    """Work with app definitions."""


@app_group.command("validate")
@click.argument("path", type=click.Path(exists=True))
@click.option(
    "--locale",
    type=click.Choice(LOCALES),
    default="en",
    show_default=True,
    help="Language of the messages.",
)
def validate_command(path: str, locale: str) -> None:
    """Check the app definition at PATH (a folder with app.json, or one JSON file)."""
    result = load_app(path)
    for problem in result.problems:
        click.echo(problem.render(locale), err=True)
    if result.problems:
        count = len(result.problems)
        raise click.ClickException(
            f"{count} problem{'s' if count != 1 else ''} found"
            if locale == "en"
            else f"发现 {count} 个问题"
        )
    assert result.spec is not None
    tables = len(result.spec.tables)
    click.echo(
        f"{result.spec.key}: OK ({tables} tables)"
        if locale == "en"
        else f"{result.spec.key}：通过（{tables} 张表）"
    )
