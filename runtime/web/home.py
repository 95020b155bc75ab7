"""The app home: what the signed-in user can open, with record counts."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, g, redirect, render_template, url_for

from runtime.web.auth import login_required
from runtime.web.navigation import nav_context

blueprint = Blueprint("home", __name__)


def web_state():  # type: ignore[no-untyped-def]
    return current_app.extensions["kairos"]


def table_url(table: str) -> str:
    """Where a table opens: its list view (the records blueprint), else the home page."""
    if "records.list_view" in current_app.view_functions:
        return url_for("records.list_view", table=table)
    return url_for("home.index")


@blueprint.app_context_processor
def inject_navigation() -> dict[str, Any]:
    service = web_state().service()
    return {**nav_context(service, g.get("actor")), "table_url": table_url}


@blueprint.route("/favicon.ico")
def favicon() -> Any:
    return redirect(url_for("static", filename="favicon.svg"), code=301)


@blueprint.route("/")
@login_required
def index() -> Any:
    service = web_state().service()
    groups = []
    for group in nav_context(service, g.actor)["nav_groups"]:
        tables = [
            {"key": key, "label": label, "count": service.count(g.actor, key)}
            for key, label in group.tables
        ]
        groups.append({"label": group.label, "tables": tables})
    return render_template("home/index.html", groups=groups)
