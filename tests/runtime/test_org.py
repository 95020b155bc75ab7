"""Organisation: department tree paths, users, roles, and the actor built from them."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from runtime import org
from runtime.db import write_transaction
from runtime.storage.system import define_system_tables


@pytest.fixture
def conn(engine):
    metadata = sa.MetaData()
    define_system_tables(metadata)
    metadata.create_all(engine)
    with write_transaction(engine) as connection:
        yield connection


def test_department_paths_and_subtree(conn):
    head = org.create_department(conn, "总部")
    east = org.create_department(conn, "华东", head)
    shanghai = org.create_department(conn, "上海", east)
    west = org.create_department(conn, "华西", head)
    assert org.department_path(conn, shanghai) == f"/{head}/{east}/{shanghai}/"
    assert org.departments_below(conn, east) == [east, shanghai]
    assert set(org.departments_below(conn, head)) == {head, east, shanghai, west}
    with pytest.raises(org.UnknownDepartment):
        org.create_department(conn, "孤儿", 999)


def test_users_roles_and_actor(conn):
    head = org.create_department(conn, "总部")
    east = org.create_department(conn, "华东", head)
    zhang = org.create_user(conn, "zhang", "张三", east, phone="13812345678")
    boss = org.create_user(conn, "boss", "老板", head, is_admin=True)
    org.assign_role(conn, zhang, "crm", "sales_rep")
    org.assign_role(conn, zhang, "crm", "sales_rep")  # idempotent
    org.assign_role(conn, zhang, "other", "viewer")
    assert org.user_roles(conn, zhang, "crm") == {"sales_rep"}
    assert org.role_members(conn, "crm", "sales_rep") == [zhang]
    actor = org.load_actor(conn, zhang, "crm", channel="api")
    assert actor.roles == {"sales_rep"} and actor.channel == "api"
    assert actor.department_path == f"/{head}/{east}/" and actor.display_name == "张三"
    assert not actor.unrestricted
    assert org.load_actor(conn, boss, "crm").unrestricted
    assert [
        u["username"] for u in org.list_users(conn, department_id=head, include_below=True)
    ] == ["zhang", "boss"]
    assert "password_hash" not in org.get_user(conn, zhang)
    assert org.display_names(conn, [zhang, None, 999]) == {zhang: "张三"}
    org.revoke_role(conn, zhang, "crm", "sales_rep")
    assert org.user_roles(conn, zhang, "crm") == frozenset()
    org.deactivate_user(conn, zhang)
    with pytest.raises(org.UnknownUser):
        org.load_actor(conn, zhang, "crm")
    assert [u["username"] for u in org.list_users(conn)] == ["boss"]
