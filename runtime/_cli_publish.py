"""``kairos app publish`` and ``kairos app versions``."""

from __future__ import annotations

import click

from builder.model import load_app
from builder.model.cli import app_group
from runtime._cli_common import database_option, locale_option, open_database, say
from runtime.publish import list_versions, publish
from runtime.storage.migrate import MigrationRefused


@app_group.command("publish")
@click.argument("path", type=click.Path(exists=True))
@click.option("--dry-run", is_flag=True, help="Print the migration plan; change nothing.")
@database_option
@locale_option
def publish_command(path: str, dry_run: bool, database_url: str | None, locale: str) -> None:
    """Validate the definition at PATH and publish it: migrate the database, store a version."""
    result = load_app(path)
    if result.problems:
        for problem in result.problems:
            click.echo(problem.render(locale), err=True)
        raise click.ClickException(
            say(
                locale,
                "定义有 {n} 个问题，未发布",
                "{n} problem(s) in the definition; nothing published",
                n=len(result.problems),
            )
        )
    assert result.spec is not None
    engine = open_database(database_url)
    try:
        outcome = publish(engine, result.spec, result.document, dry_run=dry_run)
    except MigrationRefused as refused:
        click.echo(refused.message(locale), err=True)
        raise click.ClickException(
            say(
                locale,
                "发布被拒绝，数据库未做任何修改",
                "Publish refused; the database is unchanged",
            )
        ) from None
    finally:
        engine.dispose()
    for line in outcome.plan.describe(locale):
        click.echo(f"  - {line}")
    steps = outcome.plan.steps  # "no changes" is a line, not a step
    app = result.spec.key
    if outcome.identical:
        click.echo(
            say(
                locale,
                "{app}：与版本 {v} 相同，无需发布",
                "{app}: identical to version {v}; nothing to publish",
                app=app,
                v=outcome.version_no,
            )
        )
    elif dry_run:
        click.echo(
            say(
                locale,
                "{app}：演练完成，将创建版本 {v}（{n} 个步骤），未做任何修改",
                "{app}: dry run; would create version {v} ({n} {steps}); nothing changed",
                app=app,
                v=outcome.version_no,
                n=len(steps),
                steps="step" if len(steps) == 1 else "steps",
            )
        )
    else:
        click.echo(
            say(
                locale,
                "{app}：已发布版本 {v}（{n} 个步骤）",
                "{app}: published version {v} ({n} {steps})",
                app=app,
                v=outcome.version_no,
                n=len(steps),
                steps="step" if len(steps) == 1 else "steps",
            )
        )


@app_group.command("versions")
@click.argument("app_key")
@database_option
@locale_option
def versions_command(app_key: str, database_url: str | None, locale: str) -> None:
    """List the published versions of APP_KEY."""
    engine = open_database(database_url, create=False)
    try:
        versions = list_versions(engine, app_key)
    finally:
        engine.dispose()
    if not versions:
        raise click.ClickException(
            say(locale, "应用“{app}”尚未发布", "App {app!r} has not been published", app=app_key)
        )
    for version in versions:
        click.echo(
            f"v{version.version_no}  {version.published_at:%Y-%m-%d %H:%M:%S} UTC  "
            f"{version.checksum[:12]}"
        )
