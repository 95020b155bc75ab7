"""Demo data for the opportunity app: a deterministic, streaming generator.

``generate(n)`` yields ``(table_key, rows)`` batches in dependency order: customers, then
contacts, then per chunk of opportunities their leads, opportunities (with product lines as
child rows), contact roles, stage history, follow-ups, tasks, quotes (with lines), contracts
(with payment plans) and win/loss reviews; sales targets last. A table key can come back
many times; write the batches in the order they arrive and every relation points at a row
already written.

Ids: every row carries an explicit integer ``id`` (1, 2, 3 … per table) and relations hold
those ids, so a bulk writer must insert with the given ids (the record service's demo/import
path). Reference data is referred to by the ids the seed rows get — by default 1, 2, 3 … in
seed-file order (:func:`~examples.opportunity.reference_data.positional_ids`); pass
``reference_ids`` when they differ. Rows also carry the system columns ``owner_id``,
``created_by`` and ``created_at`` so the history looks lived-in. Computed fields (formulas,
lookups, rollups, auto-numbers) are left for the record service to fill.

Values are already parsed: ``date``, aware UTC ``datetime``, ``Decimal`` for money, ``int``
for percent and ids, option keys for selects, a dict for addresses.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from examples.opportunity._demo_deals import DEAL_TABLES, DealWriter
from examples.opportunity._demo_geo import ROADS
from examples.opportunity._demo_names import CustomerFacts, People
from examples.opportunity._demo_timeline import (
    DAY,
    day_start,
    to_date,
    to_datetime,
    working_time,
)
from examples.opportunity._demo_world import CUSTOMER_DAYS, World, build_world
from examples.opportunity.reference_data import ReferenceIds, load_seeds, positional_ids

Batch = tuple[str, list[dict[str, Any]]]

DEFAULT_USERS: tuple[int, ...] = tuple(range(2, 22))
"""Twenty sales users; id 1 is left for the administrator."""
BATCH_SIZE = 5000
CONTACTS_PER_CUSTOMER = 2
"""Customer *c* has contacts ``2c - 1`` (the decision maker, primary) and ``2c``."""

_LEVELS = ("a",) * 3 + ("b",) * 9 + ("c",) * 8
_SIZES = ("micro",) * 3 + ("small",) * 5 + ("medium",) * 3 + ("large", "enterprise")
_SOURCES = (
    "website",
    "referral",
    "exhibition",
    "cold_call",
    "partner",
    "advertising",
    "wecom",
    "other",
)
_CAPITAL_WAN = (50, 100, 200, 300, 500, 1000, 2000, 5000, 10000)
_BOSS_TITLES = (
    ("总经理", "总经办"),
    ("副总经理", "总经办"),
    ("董事长", "总经办"),
    ("CIO", "信息中心"),
    ("信息中心主任", "信息中心"),
    ("销售总监", "销售部"),
    ("运营总监", "运营部"),
)
_STAFF_TITLES = (
    ("IT 经理", "信息中心", "technical_contact"),
    ("系统管理员", "信息中心", "technical_contact"),
    ("采购经理", "采购部", "procurement"),
    ("财务经理", "财务部", "finance"),
    ("运营主管", "运营部", "end_user"),
    ("销售经理", "销售部", "end_user"),
    ("生产经理", "生产部", "end_user"),
)
_FIRST_ESTABLISHED = date(1995, 1, 1).toordinal()


def generate(
    n_opportunities: int,
    *,
    seed: int = 7,
    users: Sequence[int] = DEFAULT_USERS,
    today: date,
    batch_size: int = BATCH_SIZE,
    reference_ids: ReferenceIds | None = None,
) -> Iterator[Batch]:
    """Stream demo rows for ``n_opportunities`` opportunities as ``(table_key, rows)``.

    Same arguments, same rows. About one customer per five opportunities and two contacts
    per customer; memory stays flat in ``n_opportunities`` (rows are made one chunk of
    ``batch_size`` opportunities at a time, no batch is longer than ``batch_size``).
    Everything happens before ``today`` except open deals' expected close dates, due tasks,
    future payment plans and targets.
    """
    seeds = load_seeds()
    world = build_world(
        n_opportunities=n_opportunities,
        seed=seed,
        users=users,
        today=today,
        batch_size=batch_size,
        seeds=seeds,
        refs=reference_ids or positional_ids(seeds),
    )
    yield from _batched("customer", _customers(world), batch_size)
    yield from _batched("contact", _contacts(world), batch_size)
    deals = DealWriter(world)
    rand = world.rng.random
    for start in range(0, n_opportunities, batch_size):
        for index in range(start, min(n_opportunities, start + batch_size)):
            deals.add(index)
            if rand() < 0.15:
                deals.add_open_lead()
        for table in DEAL_TABLES:
            rows = deals.buffers[table]
            deals.buffers[table] = []
            for first in range(0, len(rows), batch_size):
                yield table, rows[first : first + batch_size]
    yield from _batched("sales_target", _targets(world, deals.won_cents), batch_size)


def _batched(table: str, rows: Iterable[dict[str, Any]], size: int) -> Iterator[Batch]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield table, batch
            batch = []
    if batch:
        yield table, batch


def customer_created_day(world: World, number: int) -> int:
    """The (local) day customer ``number`` was created: spread over the customer year."""
    return world.first_customer_day + (number - 1) * CUSTOMER_DAYS // world.n_customers


def _customers(world: World) -> Iterator[dict[str, Any]]:
    rng, seed, people = world.rng, world.seed, People(world.rng)
    rand = rng.random
    industries = world.refs["industry"]
    last_established = world.first_customer_day - 30
    for number in range(1, world.n_customers + 1):
        facts = CustomerFacts.of(number, seed)
        owner = facts.owner(world.users, seed)
        batch_start = number - (number - 1) % world.batch_size
        parent = 1 + int(rand() * (batch_start - 1)) if batch_start > 1 and rand() < 0.03 else None
        city = facts.city
        yield {
            "id": number,
            "owner_id": owner,
            "created_by": owner,
            "created_at": to_datetime(working_time(rng, customer_created_day(world, number))),
            "name": facts.name,
            "short_name": facts.short_name,
            "uscc": facts.uscc(seed),
            "industry": industries.get(facts.industry),
            "level": _LEVELS[int(rand() * len(_LEVELS))],
            "source": _SOURCES[int(rand() * len(_SOURCES))],
            "company_size": _SIZES[int(rand() * len(_SIZES))],
            "region": city.region,
            "address": {
                "province": city.province,
                "city": city.city,
                "district": facts.district[0],
                "detail": f"{ROADS[int(rand() * len(ROADS))]}{1 + int(rand() * 999)}号",
            },
            "phone": people.landline(city),
            "website": f"https://www.{facts.domain}" if rand() < 0.5 else None,
            "parent_company": parent,
            "legal_rep": people.name()[0],
            "reg_capital": Decimal(_CAPITAL_WAN[int(rand() * len(_CAPITAL_WAN))] * 10_000),
            "established_on": to_date(
                _FIRST_ESTABLISHED + int(rand() * (last_established - _FIRST_ESTABLISHED))
            ),
            "next_follow_up_date": (
                to_date(world.today + 1 + int(rand() * 30)) if rand() < 0.3 else None
            ),
            "notes": None,
        }


def _contacts(world: World) -> Iterator[dict[str, Any]]:
    rng, seed, people = world.rng, world.seed, People(world.rng)
    rand = rng.random
    roles = world.refs["contact_role"]
    for number in range(1, world.n_customers + 1):
        facts = CustomerFacts.of(number, seed)
        owner = facts.owner(world.users, seed)
        created = day_start(customer_created_day(world, number)) + 18 * 3600
        for slot in range(CONTACTS_PER_CUSTOMER):
            name, local = people.name()
            mobile = people.mobile()
            if slot == 0:
                title, dept = _BOSS_TITLES[int(rand() * len(_BOSS_TITLES))]
                role = "decision_maker"
            else:
                title, dept, role = _STAFF_TITLES[int(rand() * len(_STAFF_TITLES))]
            yield {
                "id": CONTACTS_PER_CUSTOMER * (number - 1) + slot + 1,
                "owner_id": owner,
                "created_by": owner,
                "created_at": to_datetime(created + slot * 600),
                "name": name,
                "customer": number,
                "title": title,
                "dept_name": dept,
                "role": roles.get(role),
                "mobile": mobile,
                "office_phone": people.landline(facts.city) if rand() < 0.5 else None,
                "email": f"{local}@{facts.domain}",
                "wechat": (mobile if rand() < 0.5 else f"wxid_{local.replace('.', '')}")
                if rand() < 0.6
                else None,
                "is_primary": slot == 0,
                "attitude": ("support", "neutral", "oppose")[int(rand() * 2.4)],
                "influence": "high" if slot == 0 else ("medium", "low")[int(rand() * 2)],
                "notes": None,
            }


def _targets(world: World, won_cents: Mapping[tuple[int, int], int]) -> Iterator[dict[str, Any]]:
    """Monthly won-amount targets per user, set near what each user actually won, so
    attainment lands between about 80 % and 120 %; two future months use the average."""
    rng = world.rng
    first = to_date(world.first_opportunity_day)
    last = to_date(world.today)
    months = range(first.year * 12 + first.month - 1, last.year * 12 + last.month + 2)
    creator = world.users[0]
    target_id = 0
    for user in world.users:
        won = [won_cents.get((user, m), 0) for m in months]
        average = sum(won) // max(1, sum(1 for cents in won if cents)) or 10_000_000
        for month, cents in zip(months, won, strict=True):
            year, month0 = divmod(month, 12)
            start = date(year, month0 + 1, 1)
            basis = cents or average
            yuan = max(50_000, round(basis / 100 * rng.uniform(0.85, 1.25), -4))
            target_id += 1
            yield {
                "id": target_id,
                "owner_id": user,
                "created_by": creator,
                "created_at": to_datetime(day_start(start.toordinal()) - 5 * DAY + 10 * 3600),
                "name": f"{year}年{month0 + 1}月赢单目标",
                "period_type": "month",
                "period_start": start,
                "period_end": date(year, month0 + 1, calendar.monthrange(year, month0 + 1)[1]),
                "user": user,
                "department": None,
                "metric": "won_amount",
                "amount": Decimal(int(yuan)),
                "notes": None,
            }
