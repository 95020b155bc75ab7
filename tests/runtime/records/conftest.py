"""Fixtures: a fresh CRM database, its record service, and an organisation with users."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from _apps import crm_app
from sqlalchemy.engine import Engine

from form_engine.fields import default_registry
from runtime import org
from runtime.db import write_transaction
from runtime.records import Actor, RecordService
from runtime.storage.tables import AppTables


@dataclass
class Org:
    """Head office (1) ⊃ East (2) ⊃ Shanghai (3); West (4) separate."""

    head: int
    east: int
    shanghai: int
    west: int
    users: dict[str, int]
    actors: dict[str, Actor]


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def tables() -> AppTables:
    return AppTables(crm_app(), default_registry())


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def service(engine: Engine, tables: AppTables, clock: Clock) -> RecordService:
    tables.metadata.create_all(engine)
    return RecordService(engine, tables, clock=clock)


@pytest.fixture
def people(service: RecordService) -> Org:
    """Users: admin; zhang (rep, Shanghai); li (rep, West); wang (manager, East);
    zhao (east_viewer); qian (customer_only)."""
    engine = service.engine
    with write_transaction(engine) as conn:
        head = org.create_department(conn, "总部")
        east = org.create_department(conn, "华东", head)
        shanghai = org.create_department(conn, "上海", east)
        west = org.create_department(conn, "华西", head)
        spec = {
            "admin": ("管理员", head, None, True),
            "zhang": ("张三", shanghai, "sales_rep", False),
            "li": ("李四", west, "sales_rep", False),
            "wang": ("王经理", east, "sales_manager", False),
            "zhao": ("赵六", head, "east_viewer", False),
            "qian": ("钱七", head, "customer_only", False),
        }
        users = {}
        for username, (name, dept, role, admin) in spec.items():
            users[username] = org.create_user(conn, username, name, dept, is_admin=admin)
            if role:
                org.assign_role(conn, users[username], "crm", role)
        actors = {u: org.load_actor(conn, i, "crm") for u, i in users.items()}
    return Org(head, east, shanghai, west, users, actors)


@pytest.fixture
def admin(people: Org) -> Actor:
    return people.actors["admin"]


@pytest.fixture
def make_customer(service: RecordService, admin: Actor) -> Callable[..., dict[str, Any]]:
    counter = iter(range(1, 10_000))

    def make(**values: Any) -> dict[str, Any]:
        values.setdefault("name", f"客户{next(counter)}")
        return service.create(admin, "customer", values)

    return make
