"""``kairos serve``: the web app on waitress (production-grade, pure Python, Windows too)."""

from __future__ import annotations

import click

from runtime._cli_common import database_option, open_database


def serve(database_url: str | None, host: str, port: int, threads: int) -> None:
    from waitress import serve as waitress_serve

    from runtime.web import create_app

    engine = open_database(database_url)  # creates the folder of an embedded database
    url = engine.url.render_as_string(hide_password=False)
    engine.dispose()
    app = create_app({"DATABASE_URL": url})
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    click.echo(f"Kairos is running at http://{shown}:{port}/  (Ctrl+C to stop)")
    waitress_serve(app, host=host, port=port, threads=threads, ident="kairos")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--threads", type=click.IntRange(1, 64), default=8, show_default=True)
@database_option
def serve_command(host: str, port: int, threads: int, database_url: str | None) -> None:
    """Serve the web app of the published apps."""
    serve(database_url, host, port, threads)
