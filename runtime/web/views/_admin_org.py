"""Organisation changes the admin pages need beyond ``runtime.org``: edit and reactivate
users, search them, and rename, move, re-head or delete departments.

Like ``runtime.org`` every function takes a connection, so the caller's
``write_transaction`` makes a whole page submit atomic (a department move rewrites the
materialised paths of its entire subtree in the same transaction).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from runtime.org import DEPARTMENT, ROLE_MEMBER, USER, UnknownDepartment, department_path

USER_FIELDS = ("display_name", "email", "phone", "department_id", "manager_id", "is_admin")
"""The columns an administrator edits on the user form."""


class DepartmentMoveRefused(ValueError):
    """A department cannot move under itself or one of its own sub-departments."""


class DepartmentInUse(ValueError):
    """A department that still has users or sub-departments cannot be deleted."""

    def __init__(self, users: int, children: int) -> None:
        super().__init__(f"department has {users} users and {children} sub-departments")
        self.users = users
        self.children = children


@dataclass(frozen=True)
class UserFilter:
    """The filters of the users list; empty values filter nothing."""

    search: str = ""
    department_id: int | None = None
    role_key: str = ""
    status: str = "active"
    """``active``, ``inactive`` or ``all``."""


def username_taken(conn: sa.Connection, username: str, *, except_id: int | None = None) -> bool:
    query = sa.select(USER.c.id).where(sa.func.lower(USER.c.username) == username.lower())
    if except_id is not None:
        query = query.where(USER.c.id != except_id)
    return conn.execute(query).first() is not None


def update_user(conn: sa.Connection, user_id: int, **values: Any) -> None:
    """Change the editable fields of a user (see USER_FIELDS)."""
    unknown = set(values) - set(USER_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    if values.get("department_id") is not None:
        department_path(conn, values["department_id"])  # raises UnknownDepartment
    conn.execute(USER.update().where(USER.c.id == user_id).values(**values))


def reactivate_user(conn: sa.Connection, user_id: int) -> None:
    conn.execute(USER.update().where(USER.c.id == user_id).values(is_active=True))


def set_roles(conn: sa.Connection, user_id: int, app_key: str, role_keys: Iterable[str]) -> None:
    """Make the user's roles in ``app_key`` exactly ``role_keys``."""
    wanted = set(role_keys)
    current = set(
        conn.execute(
            sa.select(ROLE_MEMBER.c.role_key).where(
                ROLE_MEMBER.c.user_id == user_id, ROLE_MEMBER.c.app_key == app_key
            )
        ).scalars()
    )
    for role in sorted(current - wanted):
        conn.execute(
            ROLE_MEMBER.delete().where(
                ROLE_MEMBER.c.user_id == user_id,
                ROLE_MEMBER.c.app_key == app_key,
                ROLE_MEMBER.c.role_key == role,
            )
        )
    for role in sorted(wanted - current):
        conn.execute(ROLE_MEMBER.insert().values(user_id=user_id, app_key=app_key, role_key=role))


def roles_by_user(conn: sa.Connection, app_key: str) -> dict[int, list[str]]:
    rows = conn.execute(
        sa.select(ROLE_MEMBER.c.user_id, ROLE_MEMBER.c.role_key)
        .where(ROLE_MEMBER.c.app_key == app_key)
        .order_by(ROLE_MEMBER.c.role_key)
    )
    found: dict[int, list[str]] = {}
    for user_id, role_key in rows:
        found.setdefault(int(user_id), []).append(role_key)
    return found


def member_counts(conn: sa.Connection, app_key: str) -> dict[str, int]:
    """Active members per role key."""
    rows = conn.execute(
        sa.select(ROLE_MEMBER.c.role_key, sa.func.count())
        .select_from(ROLE_MEMBER.join(USER, USER.c.id == ROLE_MEMBER.c.user_id))
        .where(ROLE_MEMBER.c.app_key == app_key, USER.c.is_active.is_(True))
        .group_by(ROLE_MEMBER.c.role_key)
    )
    return {key: int(n) for key, n in rows}


def role_member_count(conn: sa.Connection, app_key: str, role_key: str) -> int:
    """Members of a role, inactive users included (they would regain it on reactivation)."""
    return int(
        conn.execute(
            sa.select(sa.func.count()).where(
                ROLE_MEMBER.c.app_key == app_key, ROLE_MEMBER.c.role_key == role_key
            )
        ).scalar_one()
    )


def search_users(
    conn: sa.Connection, app_key: str, wanted: UserFilter, *, limit: int, offset: int = 0
) -> tuple[list[dict[str, Any]], int]:
    """One page of users matching ``wanted`` (by display name) and the total count."""
    query = sa.select(*(c for c in USER.c if c.name != "password_hash"))
    if wanted.search:
        like = f"%{wanted.search.lower()}%"
        query = query.where(
            sa.or_(
                *(
                    sa.func.lower(sa.func.coalesce(column, "")).like(like)
                    for column in (USER.c.username, USER.c.display_name, USER.c.email, USER.c.phone)
                )
            )
        )
    if wanted.department_id is not None:
        query = query.where(USER.c.department_id == wanted.department_id)
    if wanted.role_key:
        members = sa.select(ROLE_MEMBER.c.user_id).where(
            ROLE_MEMBER.c.app_key == app_key, ROLE_MEMBER.c.role_key == wanted.role_key
        )
        query = query.where(USER.c.id.in_(members))
    if wanted.status == "active":
        query = query.where(USER.c.is_active.is_(True))
    elif wanted.status == "inactive":
        query = query.where(USER.c.is_active.is_(False))
    total = conn.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()
    rows = conn.execute(
        query.order_by(USER.c.display_name, USER.c.id).limit(limit).offset(offset)
    ).mappings()
    return [dict(r) for r in rows], int(total)


def user_choices(conn: sa.Connection, *, include_inactive: bool = False) -> list[tuple[int, str]]:
    """(id, "display name (username)") of users, for selects."""
    query = sa.select(USER.c.id, USER.c.display_name, USER.c.username).order_by(USER.c.display_name)
    if not include_inactive:
        query = query.where(USER.c.is_active.is_(True))
    return [(int(r.id), f"{r.display_name} ({r.username})") for r in conn.execute(query)]


# --- departments ----------------------------------------------------------------------------


def get_department(conn: sa.Connection, department_id: int) -> dict[str, Any]:
    row = (
        conn.execute(sa.select(DEPARTMENT).where(DEPARTMENT.c.id == department_id))
        .mappings()
        .first()
    )
    if row is None:
        raise UnknownDepartment(department_id)
    return dict(row)


def department_tree(conn: sa.Connection) -> list[dict[str, Any]]:
    """Every department in tree order (siblings by name), each with ``depth``, ``head_name``,
    ``users`` (active users directly in it) and ``children`` (sub-department count)."""
    rows = [dict(r) for r in conn.execute(sa.select(DEPARTMENT)).mappings()]
    users = dict(
        conn.execute(
            sa.select(USER.c.department_id, sa.func.count())
            .where(USER.c.is_active.is_(True), USER.c.department_id.is_not(None))
            .group_by(USER.c.department_id)
        ).all()
    )
    heads = dict(conn.execute(sa.select(USER.c.id, USER.c.display_name)).all())
    children: dict[int | None, list[dict[str, Any]]] = {}
    for row in rows:
        children.setdefault(row["parent_id"], []).append(row)
    ordered: list[dict[str, Any]] = []

    def walk(parent: int | None, depth: int) -> None:
        for row in sorted(children.get(parent, []), key=lambda r: (r["name"], r["id"])):
            row["depth"] = depth
            row["users"] = int(users.get(row["id"], 0))
            row["children"] = len(children.get(row["id"], []))
            row["head_name"] = heads.get(row["head_user_id"])
            ordered.append(row)
            walk(row["id"], depth + 1)

    walk(None, 0)
    return ordered


def rename_department(conn: sa.Connection, department_id: int, name: str) -> None:
    get_department(conn, department_id)
    conn.execute(DEPARTMENT.update().where(DEPARTMENT.c.id == department_id).values(name=name))


def set_department_head(conn: sa.Connection, department_id: int, user_id: int | None) -> None:
    get_department(conn, department_id)
    conn.execute(
        DEPARTMENT.update().where(DEPARTMENT.c.id == department_id).values(head_user_id=user_id)
    )


def move_department(conn: sa.Connection, department_id: int, new_parent_id: int | None) -> None:
    """Put the department under ``new_parent_id`` (None: top level) and rewrite the
    materialised path of it and every department below it."""
    moving = get_department(conn, department_id)
    old_path = moving["path"]
    prefix = "/"
    if new_parent_id is not None:
        prefix = department_path(conn, new_parent_id)
        if prefix.startswith(old_path):
            raise DepartmentMoveRefused(department_id)
    new_path = f"{prefix}{department_id}/"
    if new_path == old_path:
        return
    conn.execute(
        DEPARTMENT.update().where(DEPARTMENT.c.id == department_id).values(parent_id=new_parent_id)
    )
    subtree = conn.execute(
        sa.select(DEPARTMENT.c.id, DEPARTMENT.c.path).where(
            DEPARTMENT.c.path.startswith(old_path, autoescape=True)
        )
    ).all()
    for row_id, path in subtree:
        conn.execute(
            DEPARTMENT.update()
            .where(DEPARTMENT.c.id == row_id)
            .values(path=new_path + path[len(old_path) :])
        )


def delete_department(conn: sa.Connection, department_id: int) -> None:
    """Delete an empty department: no users (active or not) and no sub-departments."""
    get_department(conn, department_id)
    users = conn.execute(
        sa.select(sa.func.count()).where(USER.c.department_id == department_id)
    ).scalar_one()
    children = conn.execute(
        sa.select(sa.func.count()).where(DEPARTMENT.c.parent_id == department_id)
    ).scalar_one()
    if users or children:
        raise DepartmentInUse(int(users), int(children))
    conn.execute(DEPARTMENT.delete().where(DEPARTMENT.c.id == department_id))
