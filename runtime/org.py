"""The organisation: departments (a tree), users and their roles per app.

Minimal by design: login, passwords and tokens arrive with the web UI. Every function takes
a connection so callers decide the transaction (``runtime.db.write_transaction``).
Departments keep a materialised ``path`` (``"/1/4/9/"``): "department and below" is one
prefix match, which row scopes use.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from runtime.records.actor import Actor
from runtime.storage.system import define_system_tables

_TABLES = define_system_tables(sa.MetaData())
DEPARTMENT = _TABLES["kairos_department"]
USER = _TABLES["kairos_user"]
ROLE_MEMBER = _TABLES["kairos_role_member"]


class UnknownUser(LookupError):
    """No active user has this id."""


class UnknownDepartment(LookupError):
    """No department has this id."""


def _now() -> datetime:
    return datetime.now(UTC)


def create_department(
    conn: sa.Connection,
    name: str,
    parent_id: int | None = None,
    *,
    head_user_id: int | None = None,
) -> int:
    """Add a department under ``parent_id`` (None: a top-level one); returns its id."""
    prefix = "/"
    if parent_id is not None:
        prefix = department_path(conn, parent_id)
    new_id = conn.execute(
        DEPARTMENT.insert()
        .values(
            name=name,
            parent_id=parent_id,
            path=prefix,  # completed below once the id is known
            head_user_id=head_user_id,
            created_at=_now(),
        )
        .returning(DEPARTMENT.c.id)
    ).scalar_one()
    conn.execute(
        DEPARTMENT.update().where(DEPARTMENT.c.id == new_id).values(path=f"{prefix}{new_id}/")
    )
    return int(new_id)


def department_path(conn: sa.Connection, department_id: int) -> str:
    path = conn.execute(
        sa.select(DEPARTMENT.c.path).where(DEPARTMENT.c.id == department_id)
    ).scalar_one_or_none()
    if path is None:
        raise UnknownDepartment(department_id)
    return str(path)


def departments_below(conn: sa.Connection, department_id: int) -> list[int]:
    """The department and every department under it, by id."""
    path = department_path(conn, department_id)
    rows = conn.execute(
        sa.select(DEPARTMENT.c.id)
        .where(DEPARTMENT.c.path.startswith(path, autoescape=True))
        .order_by(DEPARTMENT.c.id)
    )
    return [int(r) for r in rows.scalars()]


def list_departments(conn: sa.Connection) -> list[dict[str, Any]]:
    rows = conn.execute(sa.select(DEPARTMENT).order_by(DEPARTMENT.c.path))
    return [dict(r._mapping) for r in rows]


def create_user(
    conn: sa.Connection,
    username: str,
    display_name: str,
    department_id: int | None = None,
    *,
    is_admin: bool = False,
    email: str | None = None,
    phone: str | None = None,
    manager_id: int | None = None,
    locale: str = "zh-CN",
) -> int:
    """Add an active user (no password: login comes with the web UI); returns its id."""
    if department_id is not None:
        department_path(conn, department_id)  # raises UnknownDepartment
    return int(
        conn.execute(
            USER.insert()
            .values(
                username=username,
                display_name=display_name,
                department_id=department_id,
                is_admin=is_admin,
                is_active=True,
                email=email,
                phone=phone,
                manager_id=manager_id,
                locale=locale,
                created_at=_now(),
            )
            .returning(USER.c.id)
        ).scalar_one()
    )


def deactivate_user(conn: sa.Connection, user_id: int) -> None:
    conn.execute(USER.update().where(USER.c.id == user_id).values(is_active=False))


def get_user(conn: sa.Connection, user_id: int) -> dict[str, Any]:
    row = conn.execute(sa.select(USER).where(USER.c.id == user_id)).mappings().first()
    if row is None:
        raise UnknownUser(user_id)
    return {k: v for k, v in row.items() if k != "password_hash"}


def list_users(
    conn: sa.Connection,
    *,
    department_id: int | None = None,
    include_below: bool = False,
    include_inactive: bool = False,
) -> list[dict[str, Any]]:
    """Users ordered by id; optionally of one department (and the ones below it)."""
    query = sa.select(*(c for c in USER.c if c.name != "password_hash")).order_by(USER.c.id)
    if department_id is not None:
        if include_below:
            query = query.where(USER.c.department_id.in_(departments_below(conn, department_id)))
        else:
            query = query.where(USER.c.department_id == department_id)
    if not include_inactive:
        query = query.where(USER.c.is_active.is_(True))
    return [dict(r) for r in conn.execute(query).mappings()]


def display_names(conn: sa.Connection, user_ids: Iterable[int | None]) -> dict[int, str]:
    """``{user_id: display_name}`` for the given ids (unknown ids are left out)."""
    ids = sorted({i for i in user_ids if i is not None})
    if not ids:
        return {}
    rows = conn.execute(sa.select(USER.c.id, USER.c.display_name).where(USER.c.id.in_(ids)))
    return {int(r.id): r.display_name for r in rows}


def assign_role(conn: sa.Connection, user_id: int, app_key: str, role_key: str) -> None:
    """Give the user a role in an app (doing it twice is harmless)."""
    exists = conn.execute(
        sa.select(sa.literal(1)).where(
            ROLE_MEMBER.c.user_id == user_id,
            ROLE_MEMBER.c.app_key == app_key,
            ROLE_MEMBER.c.role_key == role_key,
        )
    ).first()
    if exists is None:
        conn.execute(
            ROLE_MEMBER.insert().values(user_id=user_id, app_key=app_key, role_key=role_key)
        )


def revoke_role(conn: sa.Connection, user_id: int, app_key: str, role_key: str) -> None:
    conn.execute(
        ROLE_MEMBER.delete().where(
            ROLE_MEMBER.c.user_id == user_id,
            ROLE_MEMBER.c.app_key == app_key,
            ROLE_MEMBER.c.role_key == role_key,
        )
    )


def user_roles(conn: sa.Connection, user_id: int, app_key: str) -> frozenset[str]:
    rows = conn.execute(
        sa.select(ROLE_MEMBER.c.role_key).where(
            ROLE_MEMBER.c.user_id == user_id, ROLE_MEMBER.c.app_key == app_key
        )
    )
    return frozenset(rows.scalars())


def role_members(conn: sa.Connection, app_key: str, role_key: str) -> list[int]:
    rows = conn.execute(
        sa.select(ROLE_MEMBER.c.user_id)
        .where(ROLE_MEMBER.c.app_key == app_key, ROLE_MEMBER.c.role_key == role_key)
        .order_by(ROLE_MEMBER.c.user_id)
    )
    return [int(r) for r in rows.scalars()]


def load_actor(conn: sa.Connection, user_id: int, app_key: str, *, channel: str = "ui") -> Actor:
    """The ``Actor`` for an active user in ``app_key``: roles, department path, locale."""
    row = (
        conn.execute(
            sa.select(USER, DEPARTMENT.c.path.label("department_path"))
            .select_from(USER.outerjoin(DEPARTMENT, DEPARTMENT.c.id == USER.c.department_id))
            .where(USER.c.id == user_id, USER.c.is_active.is_(True))
        )
        .mappings()
        .first()
    )
    if row is None:
        raise UnknownUser(user_id)
    return Actor(
        user_id=int(row["id"]),
        is_admin=bool(row["is_admin"]),
        roles=user_roles(conn, user_id, app_key),
        department_id=row["department_id"],
        department_path=row["department_path"],
        locale=row["locale"] or "zh-CN",
        channel=channel,
        display_name=row["display_name"],
    )
