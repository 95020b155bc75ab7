"""The administration area (``/admin``): users, departments, roles and their permissions.

Only administrators (``kairos_user.is_admin``) may open any of it. The pages live in the
``_admin_*`` modules, which add their routes to the one ``admin`` blueprint defined in
``_admin_common``; importing them here registers the routes.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import render_template

from runtime.db import read_transaction
from runtime.org import DEPARTMENT, USER
from runtime.web.auth import admin_required
from runtime.web.views import _admin_departments, _admin_roles, _admin_users
from runtime.web.views._admin_common import app_key, blueprint, engine
from runtime.web.views._admin_definition import current_definition

__all__ = ["blueprint"]
_PAGES = (_admin_departments, _admin_roles, _admin_users)  # imported for their routes


@blueprint.route("")
@admin_required
def index() -> Any:
    definition = current_definition(engine(), app_key())
    with read_transaction(engine()) as conn:
        active = conn.execute(
            sa.select(sa.func.count()).where(USER.c.is_active.is_(True))
        ).scalar_one()
        inactive = conn.execute(
            sa.select(sa.func.count()).where(USER.c.is_active.is_(False))
        ).scalar_one()
        departments = conn.execute(sa.select(sa.func.count()).select_from(DEPARTMENT)).scalar_one()
    return render_template(
        "admin/index.html",
        active=active,
        inactive=inactive,
        departments=departments,
        roles=len(definition.spec.roles),
        version_no=definition.version_no,
    )
