"""``kairos user …`` and ``kairos department …``: the organisation, from the shell."""

from __future__ import annotations

import click
import sqlalchemy as sa

from runtime import org
from runtime._cli_common import database_option, locale_option, open_database, say
from runtime.accounts import set_password
from runtime.apps import user_id_by_name
from runtime.db import read_transaction, write_transaction
from runtime.passwords import generate_password
from runtime.storage.system import ensure_system_tables


@click.group("user")
def user_group() -> None:
    """Users, their departments and roles."""


@user_group.command("create")
@click.argument("username")
@click.option("--name", "display_name", help="Display name (default: the username).")
@click.option("--department", "department_id", type=int, help="Department id.")
@click.option("--app", "app_key", default="opportunity", show_default=True)
@click.option("--role", "roles", multiple=True, help="Role key in --app (repeatable).")
@click.option("--admin", is_flag=True, help="Administrator of every app.")
@click.option("--password", help="Initial password (default: a random one, printed once).")
@database_option
@locale_option
def create_user_command(
    username: str,
    display_name: str | None,
    department_id: int | None,
    app_key: str,
    roles: tuple[str, ...],
    admin: bool,
    password: str | None,
    database_url: str | None,
    locale: str,
) -> None:
    """Create user USERNAME with a password and roles."""
    engine = open_database(database_url)
    ensure_system_tables(engine)
    password = password or generate_password()
    try:
        with write_transaction(engine) as conn:
            if user_id_by_name(conn, username) is not None:
                raise click.ClickException(
                    say(locale, "用户名“{u}”已存在", "Username {u!r} is taken", u=username)
                )
            user_id = org.create_user(
                conn, username, display_name or username, department_id, is_admin=admin
            )
            set_password(conn, user_id, password)
            for role in roles:
                org.assign_role(conn, user_id, app_key, role)
    except org.UnknownDepartment:
        raise click.ClickException(
            say(locale, "部门 {d} 不存在", "Department {d} does not exist", d=department_id)
        ) from None
    finally:
        engine.dispose()
    click.echo(
        say(
            locale,
            "已创建用户 {u}（id {i}），密码：{p}",
            "Created user {u} (id {i}), password: {p}",
            u=username,
            i=user_id,
            p=password,
        )
    )


@user_group.command("set-password")
@click.argument("username")
@click.option("--password", help="New password (default: a random one, printed once).")
@database_option
@locale_option
def set_password_command(
    username: str, password: str | None, database_url: str | None, locale: str
) -> None:
    """Set the password of USERNAME."""
    engine = open_database(database_url, create=False)
    password = password or generate_password()
    try:
        with write_transaction(engine) as conn:
            user_id = user_id_by_name(conn, username)
            if user_id is None:
                raise click.ClickException(
                    say(locale, "用户“{u}”不存在", "No user named {u!r}", u=username)
                )
            set_password(conn, user_id, password)
    finally:
        engine.dispose()
    click.echo(say(locale, "{u} 的新密码：{p}", "New password of {u}: {p}", u=username, p=password))


@user_group.command("list")
@database_option
def list_users_command(database_url: str | None) -> None:
    """List active users with their department."""
    engine = open_database(database_url, create=False)
    try:
        with read_transaction(engine) as conn:
            departments = {d["id"]: d["name"] for d in org.list_departments(conn)}
            users = org.list_users(conn)
            roles = {
                u["id"]: sorted(
                    f"{m.app_key}:{m.role_key}"
                    for m in conn.execute(
                        sa.select(org.ROLE_MEMBER).where(org.ROLE_MEMBER.c.user_id == u["id"])
                    )
                )
                for u in users
            }
    finally:
        engine.dispose()
    for user in users:
        flags = " admin" if user["is_admin"] else ""
        click.echo(
            f"{user['id']:>4}  {user['username']:<16} {user['display_name']:<10} "
            f"{departments.get(user['department_id'], '-'):<12} "
            f"{', '.join(roles[user['id']]) or '-'}{flags}"
        )


@click.group("department")
def department_group() -> None:
    """The department tree."""


@department_group.command("create")
@click.argument("name")
@click.option("--parent", "parent_id", type=int, help="Parent department id.")
@database_option
def create_department_command(name: str, parent_id: int | None, database_url: str | None) -> None:
    """Create department NAME (under --parent)."""
    engine = open_database(database_url)
    ensure_system_tables(engine)
    try:
        with write_transaction(engine) as conn:
            department_id = org.create_department(conn, name, parent_id)
    except org.UnknownDepartment:
        raise click.ClickException(f"Department {parent_id} does not exist") from None
    finally:
        engine.dispose()
    click.echo(f"{department_id}")


@department_group.command("list")
@database_option
def list_departments_command(database_url: str | None) -> None:
    """Print the department tree."""
    engine = open_database(database_url, create=False)
    try:
        with read_transaction(engine) as conn:
            departments = org.list_departments(conn)
    finally:
        engine.dispose()
    for department in departments:
        depth = department["path"].count("/") - 2
        click.echo(f"{'  ' * depth}{department['name']} ({department['id']})")
