"""``kairos import`` and ``kairos export``: spreadsheets in and out from the shell.

Both go through ``runtime.transfer`` and so through the record service: the same header
detection, column matching, validation, permissions (``import`` / ``export`` rights, field
access) and audit as the web wizard. ``--as USER`` acts as that user; default: the system.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from runtime._cli_common import database_option, locale_option, open_database, say
from runtime._cli_data import actor_for, app_option, open_service
from runtime.records import RecordError
from runtime.transfer import (
    ImportOptions,
    TransferError,
    open_source,
    plan_import,
    run_import,
)
from runtime.transfer import export as exporting
from runtime.transfer.templates import load_template


def _fail(error: TransferError | RecordError, locale: str) -> click.ClickException:
    return click.ClickException(error.message(locale))


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--table", required=True, help="Table key, e.g. customer.")
@click.option("--sheet", default=None, help="Sheet of an XLSX file (default: the first).")
@click.option(
    "--mode", type=click.Choice(["insert", "update", "upsert"]), default="insert",
    show_default=True,
)  # fmt: skip
@click.option("--key", "keys", multiple=True, help="Key field(s) for update/upsert (or id).")
@click.option("--template", default=None, help="Use a saved column mapping.")
@click.option("--dry-run", is_flag=True, help="Validate everything, write nothing.")
@click.option("--skip-bad-rows", is_flag=True, help="Import the good rows, report the bad.")
@click.option("--errors-out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the error workbook (XLSX) of the failed rows.")  # fmt: skip
@click.option("--as", "username", default=None, help="Act as this user (default: system).")
@app_option
@database_option
@locale_option
def import_command(
    file: Path, table: str, sheet: str | None, mode: str, keys: tuple[str, ...],
    template: str | None, dry_run: bool, skip_bad_rows: bool, errors_out: Path | None,
    username: str | None, app_key: str, database_url: str | None, locale: str,
) -> None:  # fmt: skip
    """Import FILE (.xlsx or .csv) into a table."""
    engine = open_database(database_url, create=False)
    try:
        svc = open_service(engine, app_key, locale)
        actor = actor_for(engine, app_key, username, locale).via("import")
        mapping: dict[str, Any] = {}
        if template:
            saved = load_template(engine, app_key, table, template)
            if saved is None:
                raise _fail(TransferError("unknown_template", table=table, name=template), locale)
            mapping = saved["mapping"]
        options = ImportOptions(
            mode=mode, key=keys, all_or_nothing=not skip_bad_rows, dry_run=dry_run,
            mapping=mapping, locale=locale,
        )  # fmt: skip
        try:
            plan = plan_import(svc, actor, table, open_source(file, sheet=sheet), mapping)
            total = plan.source.estimated_rows(plan.header.row + 1)
            with click.progressbar(length=total or 0, label=file.name, file=sys.stderr) as bar:

                def progress(done: int, _total: int | None, _message: str | None) -> None:
                    bar.update(done - bar.pos)

                result = run_import(svc, actor, plan, options, progress=progress)
        except (TransferError, RecordError) as error:
            raise _fail(error, locale) from None
        for problem in result.problems[:20]:
            lines = ",".join(str(n) for n in problem.lines)
            click.echo(f"  {lines}: " + "；".join(m for _, m in problem.errors), err=True)
        if result.possible_duplicates:
            click.echo(
                say(
                    locale,
                    "已导入，但可能与已有记录重复：{n} 条",
                    "Imported, but possibly duplicates of existing records: {n}",
                    n=result.possible_duplicates,
                ),
                err=True,
            )
            for found in result.duplicates[:20]:
                lines = ",".join(str(n) for n in found.lines)
                said = "；".join(w["message"] for w in found.warnings)
                click.echo(f"  {lines}: {said}", err=True)
        if result.error_file and errors_out is not None:
            errors_out.write_bytes(result.error_file)
            click.echo(say(locale, "错误文件：{p}", "Error file: {p}", p=errors_out), err=True)
        if dry_run:
            note = say(locale, "（试运行，未写入）", " (dry run, nothing written)")
        elif result.failed and not result.written:
            note = say(locale, "（有错误，未写入任何数据）", " (errors: nothing written)")
        else:
            note = ""
        click.echo(
            say(
                locale,
                "{total} 条记录：新建 {c}，更新 {u}，失败 {f}{w}",
                "{total} records: {c} created, {u} updated, {f} failed{w}",
                total=result.total,
                c=result.created,
                u=result.updated,
                f=result.failed,
                w=note,
            )
        )
        if result.failed:
            sys.exit(1)
    finally:
        engine.dispose()


@click.command("export")
@click.option("--table", required=True, help="Table key, e.g. opportunity.")
@click.option("--where", "where_json", default=None, help="Condition as JSON.")
@click.option("--fields", default=None, help="Comma-separated field keys (default: all).")
@click.option("--sort", default="id", show_default=True, help="Field key, '-' for descending.")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv",
              show_default=True)  # fmt: skip
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Output file (default: stdout for CSV; required for XLSX).")  # fmt: skip
@click.option("--as", "username", default=None, help="Act as this user (default: system).")
@app_option
@database_option
@locale_option
def export_command(
    table: str, where_json: str | None, fields: str | None, sort: str, fmt: str,
    out: Path | None, username: str | None, app_key: str, database_url: str | None, locale: str,
) -> None:  # fmt: skip
    """Export a table (or the records matching --where) to CSV or XLSX."""
    engine = open_database(database_url, create=False)
    try:
        svc = open_service(engine, app_key, locale)
        actor = actor_for(engine, app_key, username, locale)
        try:
            where = json.loads(where_json) if where_json else None
        except json.JSONDecodeError as exc:
            raise click.BadParameter(str(exc), param_hint="--where") from None
        if fmt == "xlsx" and out is None:
            raise click.BadParameter(say(locale, "XLSX 需要 --out", "XLSX needs --out"))
        order = [(sort.lstrip("-"), "desc" if sort.startswith("-") else "asc")]
        keys = [k.strip() for k in fields.split(",") if k.strip()] if fields else None
        try:
            svc.access(actor, svc.plan(table)).require("export")
            columns = exporting.export_columns(svc, actor, table, locale, keys)
            total = svc.count(actor, table, where)
            if fmt == "xlsx":
                exporting.check_xlsx_size(total)
            rows = exporting.export_rows(svc, actor, table, columns, where=where, order_by=order,
                                         locale=locale)  # fmt: skip
            header = [c.label for c in columns]
            with click.progressbar(rows, length=total, label=table, file=sys.stderr) as bar:
                if fmt == "xlsx":
                    assert out is not None
                    with out.open("wb") as handle:
                        exporting.export_xlsx(table, header, bar, handle)
                elif out is None:
                    for chunk in exporting.export_csv(header, bar):
                        sys.stdout.write(chunk)
                else:
                    with out.open("w", encoding="utf-8", newline="") as handle:
                        handle.writelines(exporting.export_csv(header, bar))
        except (TransferError, RecordError) as error:
            raise _fail(error, locale) from None
        if out is not None:
            click.echo(say(locale, "已导出 {n} 条到 {p}", "Exported {n} records to {p}", n=total,
                           p=out), err=True)  # fmt: skip
    finally:
        engine.dispose()
