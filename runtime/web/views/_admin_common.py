"""What every admin page shares: the ``admin`` blueprint (everything under ``/admin``),
the engine and app key, and select choices for departments, users and roles."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, current_app, g
from sqlalchemy.engine import Engine

from runtime.web.i18n import current_locale
from runtime.web.views import _admin_org as admin_org
from schemas.spec import AppSpec, localize

blueprint = Blueprint("admin", __name__, url_prefix="/admin")

PAGE_SIZE = 50


def engine() -> Engine:
    return current_app.extensions["kairos"].engine


def app_key() -> str:
    return str(current_app.extensions["kairos"].app_key)


def app_spec() -> AppSpec:
    return current_app.extensions["kairos"].service().tables.app


def signed_in_id() -> int:
    return int(g.user["id"])


def department_choices(conn: sa.Connection, *, blank: str | None = None) -> list[tuple[str, str]]:
    """("id", "name") in tree order, indented by depth (a no-break space per level)."""
    choices = [("", blank)] if blank is not None else []
    for row in admin_org.department_tree(conn):
        choices.append((str(row["id"]), "\u3000" * row["depth"] + row["name"]))
    return choices


def user_select_choices(conn: sa.Connection, *, blank: str) -> list[tuple[str, str]]:
    return [("", blank)] + [(str(i), name) for i, name in admin_org.user_choices(conn)]


def role_choices(spec: AppSpec) -> list[tuple[str, str]]:
    locale = current_locale()
    return [(role.key, localize(role.label, locale)) for role in spec.roles]


def role_labels(spec: AppSpec) -> dict[str, Any]:
    return {role.key: role.label for role in spec.roles}


def optional_int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
