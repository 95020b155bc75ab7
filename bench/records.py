"""Record-service benchmark: Kairos' metadata layer against a hand-written SQLAlchemy model.

For each database and each N it loads N opportunities (and N/5 customers) into the bench app
through the record service and into the same table written by hand (bench/_baseline.py),
then measures, in the same run and on the same machine:

- bulk insert rows/s,
- create, get, update latency (p50/p95, ms),
- query (filter + sort + first page, and a deep keyset page) latency,
- count with a filter,

and prints the ratio service / hand-written. Targets (issue #2): query ≤ 1.3×, create ≤ 1.5×.

    python -m bench.records --sizes 100000 --databases sqlite,postgresql
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bench import _baseline as hand
from builder.model import validate_document
from runtime.db import create_engine
from runtime.publish import publish
from runtime.records import Actor, RecordService
from runtime.storage import AppTables

BENCH_APP = Path(__file__).with_name("bench_app.json")
PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
BATCH = 2000


def opportunity_rows(n: int, customers: int, seed: int = 11) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    start = date(2025, 1, 1)
    for i in range(n):
        yield {
            "name": f"商机 {i:07d} 数字化升级项目",
            "customer": rng.randint(1, customers),
            "stage": rng.choice(hand.STAGES),
            "amount": f"{rng.randint(1_000, 2_000_000)}.{rng.randint(0, 99):02d}",
            "probability": rng.choice((10, 20, 40, 60, 80, 100, 0)),
            "expected_close_date": (start + timedelta(days=rng.randint(0, 730))).isoformat(),
            "description": "客户希望在下季度上线，需要对接 ERP。",
        }


def timed(samples: int, action: Callable[[int], Any]) -> tuple[float, float]:
    """p50 and p95 in milliseconds of ``samples`` calls of ``action(i)``."""
    durations = []
    gc.collect()
    for i in range(samples):
        t0 = time.perf_counter()
        action(i)
        durations.append((time.perf_counter() - t0) * 1000)
    durations.sort()
    return statistics.median(durations), durations[int(len(durations) * 0.95) - 1]


class Database:
    """A fresh database for one run: a SQLite file or a PostgreSQL schema."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.schema: str | None = None
        if kind == "sqlite":
            self.folder = tempfile.mkdtemp(prefix="kairos-bench-")
            self.engine = create_engine(f"sqlite:///{self.folder}/bench.db")
        else:
            self.admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
            self.schema = f"bench_{uuid.uuid4().hex[:10]}"
            with self.admin.connect() as conn:
                conn.execute(sa.text(f'CREATE SCHEMA "{self.schema}"'))
            self.engine = create_engine(PG_URL, schema=self.schema)

    def close(self) -> None:
        self.engine.dispose()
        if self.schema:
            with self.admin.connect() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{self.schema}" CASCADE'))
            self.admin.dispose()

    def analyze(self) -> None:
        with self.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")


def load_service(db: Database, n: int) -> tuple[RecordService, Actor, float]:
    document = json.loads(BENCH_APP.read_text(encoding="utf-8"))
    result = validate_document(document)
    assert result.spec is not None, [str(p) for p in result.problems]
    publish(db.engine, result.spec, result.document)
    service = RecordService(db.engine, AppTables(result.spec, _registry()))
    actor = Actor.system(channel="import")
    customers = max(n // 5, 1)
    for first in range(0, customers, BATCH):
        rows = [{"name": f"客户 {i}"} for i in range(first, min(first + BATCH, customers))]
        service.bulk_create(actor, "customer", rows)
    t0 = time.perf_counter()
    batch: list[dict[str, Any]] = []
    for row in opportunity_rows(n, customers):
        batch.append(row)
        if len(batch) == BATCH:
            service.bulk_create(actor, "opportunity", batch)
            batch = []
    if batch:
        service.bulk_create(actor, "opportunity", batch)
    return service, Actor.system(channel="api"), n / (time.perf_counter() - t0)


def load_hand(db: Database, n: int) -> float:
    hand.Base.metadata.create_all(db.engine)
    customers = max(n // 5, 1)
    now = datetime.now(UTC)
    with db.engine.begin() as conn:
        for first in range(0, customers, BATCH):
            conn.execute(
                sa.insert(hand.HandCustomer),
                [
                    {"name": f"客户 {i}", "created_at": now}
                    for i in range(first, min(first + BATCH, customers))
                ],
            )
    t0 = time.perf_counter()
    batch: list[dict[str, Any]] = []

    def flush(rows: list[dict[str, Any]]) -> None:
        with db.engine.begin() as conn:
            conn.execute(sa.insert(hand.HandOpportunity), rows)

    for row in opportunity_rows(n, customers):
        amount, probability = Decimal(row["amount"]), Decimal(row["probability"])
        batch.append(
            {
                "name": row["name"],
                "customer_id": row["customer"],
                "stage": row["stage"],
                "amount": amount,
                "probability": probability,
                "weighted_amount": hand.weighted(amount, probability),
                "expected_close_date": date.fromisoformat(row["expected_close_date"]),
                "description": row["description"],
                "created_at": now,
                "updated_at": now,
                "row_version": 1,
            }
        )
        if len(batch) == BATCH:
            flush(batch)
            batch = []
    if batch:
        flush(batch)
    return n / (time.perf_counter() - t0)


def measure(kind: str, n: int, samples: int) -> dict[str, tuple[float, float]]:
    db = Database(kind)
    try:
        service, actor, service_rate = load_service(db, n)
        hand_rate = load_hand(db, n)
        db.analyze()
        session = Session(db.engine, expire_on_commit=False)
        customers = max(n // 5, 1)
        rng = random.Random(5)
        new_rows = list(opportunity_rows(samples, customers, seed=99))
        ids = [rng.randint(1, n) for _ in range(samples)]
        min_amount = Decimal(500_000)
        where = {
            "all": [
                {"field": "stage", "op": "eq", "value": "negotiate"},
                {"field": "amount", "op": "gt", "value": "500000"},
            ]
        }
        order = [("expected_close_date", "desc")]
        results: dict[str, tuple[float, float]] = {}

        def both(name: str, svc: Callable[[int], Any], hw: Callable[[int], Any]) -> None:
            # Interleave warm-up, then measure each side; same samples, same machine.
            svc(0), hw(0)
            results[f"{name} service"] = timed(samples, svc)
            results[f"{name} hand"] = timed(samples, hw)

        both(
            "create",
            lambda i: service.create(actor, "opportunity", new_rows[i]),
            lambda i: hand.create(session, new_rows[i]),
        )
        both(
            "get",
            lambda i: service.get(actor, "opportunity", ids[i]),
            lambda i: hand.get(session, ids[i]),
        )
        both(
            "update",
            lambda i: service.update(actor, "opportunity", ids[i], {"amount": str(1000 + i)}),
            lambda i: hand.update(session, ids[i], Decimal(1000 + i)),
        )
        both(
            "query page 1",
            lambda i: service.query(actor, "opportunity", where=where, order_by=order, limit=50),
            lambda i: hand.query_page(session, min_amount),
        )
        # A deep keyset page: the cursor after up to 20 pages (fewer on small N), measured
        # as one more page; both sides walk the same number of pages.
        cursor = None
        depth = 0
        for _ in range(20):
            page = service.query(
                actor, "opportunity", where=where, order_by=order, limit=50, after=cursor
            )
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
            depth += 1
        hand_after = None
        for _ in range(depth):
            rows = hand.query_page(session, min_amount, hand_after)
            last = rows[-1]
            hand_after = (date.fromisoformat(last["expected_close_date"]), last["id"])
        both(
            "query deep page",
            lambda i: service.query(
                actor, "opportunity", where=where, order_by=order, limit=50, after=cursor
            ),
            lambda i: hand.query_page(session, min_amount, hand_after),
        )
        both(
            "count",
            lambda i: service.count(actor, "opportunity", where=where),
            lambda i: hand.count(session, min_amount),
        )
        session.close()
        results["bulk rows/s"] = (service_rate, hand_rate)
        return results
    finally:
        db.close()


def _registry():  # type: ignore[no-untyped-def]
    from form_engine.fields import default_registry

    return default_registry()


def report(kind: str, n: int, results: dict[str, tuple[float, float]]) -> None:
    print(f"\n## {kind}, N = {n:,} opportunities")
    service_rate, hand_rate = results["bulk rows/s"]
    print(
        f"bulk insert: service {service_rate:,.0f} rows/s, hand-written {hand_rate:,.0f} rows/s,"
        f" ratio {hand_rate / service_rate:.2f}x slower"
    )
    print(f"{'operation':<18}{'service p50/p95 ms':>22}{'hand p50/p95 ms':>20}{'ratio p50':>11}")
    for op in ("create", "get", "update", "query page 1", "query deep page", "count"):
        s50, s95 = results[f"{op} service"]
        h50, h95 = results[f"{op} hand"]
        print(f"{op:<18}{s50:>11.2f} / {s95:<8.2f}{h50:>10.2f} / {h95:<8.2f}{s50 / h50:>9.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000", help="comma-separated N values")
    parser.add_argument("--databases", default="sqlite", help="sqlite,postgresql")
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()
    for kind in args.databases.split(","):
        for n in (int(s) for s in args.sizes.split(",")):
            t0 = time.perf_counter()
            results = measure(kind, n, args.samples)
            report(kind, n, results)
            print(f"(run took {time.perf_counter() - t0:,.0f} s)")


if __name__ == "__main__":
    main()
