"""Shared state of one demo-data run: the random source, the date window, reference-data ids
(stages, products, reasons …) read from the seed files, and the id counters of every table.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from examples.opportunity._demo_timeline import CLOSED_STAGES, OPEN_STAGES, day_start
from examples.opportunity.reference_data import ReferenceIds, SeedTable

OPPORTUNITY_DAYS = 730
"""Opportunities are created over the two years before ``today``."""
CUSTOMER_DAYS = 365
"""Customers are created during the year before the first opportunity."""

# How each seeded product is sold: (relative weight, min qty, max qty, topic of the deal).
_SALES_PROFILE: dict[str, tuple[int, int, int, str]] = {
    "crm_std": (14, 5, 60, "销售管理系统"),
    "crm_pro": (12, 10, 120, "销售管理系统"),
    "crm_ent": (5, 50, 300, "集团销售平台"),
    "erp_basic": (8, 1, 1, "ERP 上线"),
    "erp_mfg": (4, 1, 1, "智能制造 ERP"),
    "bi_addon": (6, 1, 1, "经营分析平台"),
    "impl_day": (14, 5, 60, "系统实施"),
    "integration_day": (6, 5, 40, "系统集成"),
    "data_migration": (4, 1, 1, "数据迁移"),
    "training": (5, 1, 4, "培训"),
    "support_premium": (3, 1, 1, "运维服务"),
    "scanner": (6, 5, 80, "扫码设备采购"),
    "pda": (5, 5, 60, "移动终端采购"),
    "server": (2, 1, 4, "私有化部署"),
}
_DEFAULT_PROFILE = (3, 1, 10, "采购")


@dataclass(frozen=True)
class Stage:
    id: int
    code: str
    probability: int


@dataclass(frozen=True)
class Product:
    id: int
    code: str
    name: str
    price_cents: int
    min_qty: int
    max_qty: int
    topic: str

    @property
    def price(self) -> Decimal:
        return Decimal(self.price_cents).scaleb(-2)


@dataclass
class World:
    """Everything generation steps share. ``next_id`` hands out explicit record ids."""

    rng: random.Random
    seed: int
    users: tuple[int, ...]
    today: int
    """Ordinal of ``today`` (local)."""
    n_opportunities: int
    n_customers: int
    batch_size: int
    stages: dict[str, Stage]
    products: tuple[Product, ...]
    product_pool: tuple[Product, ...]
    refs: ReferenceIds
    last_id: dict[str, int] = field(default_factory=dict)

    @property
    def now(self) -> int:
        """Local midnight starting ``today``: everything generated happened before it."""
        return day_start(self.today)

    @property
    def first_opportunity_day(self) -> int:
        return self.today - OPPORTUNITY_DAYS

    @property
    def first_customer_day(self) -> int:
        return self.first_opportunity_day - CUSTOMER_DAYS

    def next_id(self, table: str) -> int:
        value = self.last_id.get(table, 0) + 1
        self.last_id[table] = value
        return value

    def ref(self, table: str, code: str) -> int:
        return self.refs[table][code]

    def ref_ids(self, table: str) -> tuple[int, ...]:
        return tuple(self.refs[table].values())


def build_world(
    *,
    n_opportunities: int,
    seed: int,
    users: Sequence[int],
    today: date,
    batch_size: int,
    seeds: Sequence[SeedTable],
    refs: ReferenceIds,
) -> World:
    """Check the inputs and read stages and products from the seed rows."""
    if n_opportunities < 0:
        raise ValueError(f"n_opportunities must be 0 or more, got {n_opportunities}")
    if not users:
        raise ValueError("users must name at least one user id")
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    rows = {s.table: s.rows for s in seeds}
    stages = _stages(rows.get("pipeline_stage", ()), refs)
    products = _products(rows.get("product", ()), refs)
    pool = tuple(
        p for p in products for _ in range(_SALES_PROFILE.get(p.code, _DEFAULT_PROFILE)[0])
    )
    return World(
        rng=random.Random(seed),
        seed=seed,
        users=tuple(users),
        today=today.toordinal(),
        n_opportunities=n_opportunities,
        n_customers=max(1, -(-n_opportunities // 5)),
        batch_size=batch_size,
        stages=stages,
        products=products,
        product_pool=pool,
        refs=refs,
    )


def _stages(rows: Sequence[Mapping[str, Any]], refs: ReferenceIds) -> dict[str, Stage]:
    stages = {
        row["code"]: Stage(refs["pipeline_stage"][row["code"]], row["code"], row["probability"])
        for row in rows
    }
    missing = [code for code in (*OPEN_STAGES, *CLOSED_STAGES) if code not in stages]
    if missing:
        raise ValueError(f"the pipeline_stage seed lacks the stages {', '.join(missing)}")
    return stages


def _products(rows: Sequence[Mapping[str, Any]], refs: ReferenceIds) -> tuple[Product, ...]:
    products = []
    for row in rows:
        if not row.get("active", True):
            continue
        _, low, high, topic = _SALES_PROFILE.get(row["code"], _DEFAULT_PROFILE)
        cents = int(Decimal(str(row["list_price"])) * 100)
        # Whole-yuan prices keep every discounted subtotal an exact number of cents.
        if cents % 100:
            raise ValueError(f"product {row['code']!r}: demo prices must be whole yuan")
        products.append(
            Product(refs["product"][row["code"]], row["code"], row["name"], cents, low, high, topic)
        )
    if not products:
        raise ValueError("the product seed has no active products")
    return tuple(products)
