"""Server render time of the opportunity list page (issue #3 target: < 100 ms p50 on SQLite).

Builds (or reuses) a sample database with N opportunities, then renders, through the Flask
app in-process (no network), as the admin and as a sales rep: the list with a filter and a
sort (page 1), a deep keyset page (after following "next" 20 times), and — separately —
the summary fragment the page loads afterwards (record count and column totals over the
whole filtered set). Prints p50/p95 in milliseconds.

Building: ``kairos quickstart`` with at most ``--base`` demo opportunities (customers,
contacts, follow-ups … all realistic), then the opportunity table is grown to N by copying
those opportunities (same customer, owner, stage, amount; new ids) through
``RecordService.bulk_create`` in batches with the system actor, so every copy is validated,
computed and audited like real data. A database that already holds opportunities is used
as it is (``--reuse`` says so explicitly and refuses to build). ``--copy sql`` copies the
rows inside the database instead (minutes for a million rows where the service takes an
hour on a busy machine); the copies then have no audit entries or outbox events.

    python -m bench.list_page --opportunities 1000000 --database sqlite:////tmp/list-1m.db
    python -m bench.list_page --opportunities 1000000 --copy sql --database sqlite:////tmp/list-1m.db
    python -m bench.list_page --reuse --database sqlite:////tmp/list-1m.db
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import statistics
import time
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from click.testing import CliRunner

from runtime.accounts import set_password
from runtime.apps import open_app
from runtime.cli import main as kairos
from runtime.db import create_engine, write_transaction
from runtime.records import Actor, RecordService
from runtime.web import create_app

PASSWORD = "bench-pass-1"
NEXT = re.compile(r'href="([^"]+)" data-testid="page-next"')
SUMMARY = re.compile(r'hx-get="([^"]+)"[^>]*data-testid="list-total-pending"')
BATCH = 5000
STAMPS = ("owner_id", "created_by", "created_at")
"""System values a copy keeps, so row scopes (a rep's own deals) grow with the table."""


def opportunity_count(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        if "opportunity__opportunity" not in sa.inspect(conn).get_table_names():
            return 0
        return int(conn.execute(sa.text("select count(*) from opportunity__opportunity")).scalar())


def prepare(
    database: str, opportunities: int, base: int, reuse: bool, copy: str = "service"
) -> None:
    engine = create_engine(database)
    have = opportunity_count(engine)
    if reuse and not have:
        raise SystemExit(f"--reuse: {database} holds no opportunities")
    if not have:
        started = time.perf_counter()
        seeded = min(base, opportunities)
        result = CliRunner().invoke(
            kairos, ["quickstart", "--opportunities", str(seeded), "--database", database]
        )
        assert result.exit_code == 0, result.output
        print(f"quickstart: {seeded:,} opportunities in {time.perf_counter() - started:,.0f} s")
    if not reuse and copy == "sql":
        grow_by_sql(engine, opportunities)
    elif not reuse:
        grow(open_app(engine, "opportunity"), opportunities)
    with write_transaction(engine) as conn:
        for (user_id,) in conn.execute(sa.text("select id from kairos_user")):
            set_password(conn, user_id, PASSWORD)
    engine.dispose()


def templates(svc: RecordService) -> list[dict[str, Any]]:
    """Every opportunity's entered values (computed fields and child rows left out)."""
    plan = svc.plan("opportunity")
    keys = [k for k, f in plan.fields.items() if not f.computed and not f.is_child_table]
    out, after = [], None
    while True:
        page = svc.query(
            Actor.system(), "opportunity", fields=keys, limit=1000, after=after, as_json=False
        )
        out += [{k: row.get(k) for k in (*keys, *STAMPS)} for row in page.rows]
        if not page.next_cursor:
            return out
        after = page.next_cursor


def copies(rows: list[dict[str, Any]], first_id: int, count: int) -> Iterator[list[dict]]:
    batch = []
    for offset in range(count):
        row = dict(rows[offset % len(rows)], id=first_id + offset)
        batch.append({k: v for k, v in row.items() if v is not None})
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def grow(svc: RecordService, opportunities: int) -> None:
    """Copy the existing opportunities until the table holds ``opportunities`` rows."""
    have = opportunity_count(svc.engine)
    if have >= opportunities:
        return
    started = time.perf_counter()
    rows = templates(svc)
    with svc.engine.connect() as conn:
        last = conn.execute(sa.text("select max(id) from opportunity__opportunity")).scalar()
    actor = Actor.system(channel="import")
    done = 0
    for batch in copies(rows, int(last) + 1, opportunities - have):
        result = svc.bulk_create(actor, "opportunity", batch, preserve_ids=True)
        if result.errors:
            index, error = next(iter(result.errors.items()))
            raise SystemExit(f"copy {index} rejected: {error.message('en')}")
        done += len(batch)
        if done % (BATCH * 20) == 0:
            rate = done / (time.perf_counter() - started)
            print(f"  {have + done:,} opportunities ({rate:,.0f} rows/s)", flush=True)
    print(f"grown to {opportunities:,} opportunities in {time.perf_counter() - started:,.0f} s")
    analyze(svc.engine)


def analyze(engine: sa.Engine) -> None:
    """Fresh planner statistics: without them PostgreSQL plans the grown table badly."""
    with engine.connect() as conn:
        conn.execute(sa.text("analyze"))
        conn.commit()


def grow_by_sql(engine: sa.Engine, opportunities: int) -> None:
    """The fast way to a large table for a read benchmark: copy opportunity rows inside the
    database (``INSERT … SELECT`` with new ids, doubling at most), bypassing the record
    service — so no audit entries, outbox events or child rows are written for the copies,
    which the list page never reads. Build the first rows through the service."""
    started = time.perf_counter()
    with engine.connect() as conn:
        table = sa.Table("opportunity__opportunity", sa.MetaData(), autoload_with=conn)
    others = [c for c in table.c if c.name not in ("id", "code")]
    while (have := opportunity_count(engine)) < opportunities:
        with write_transaction(engine) as conn:
            last = conn.execute(sa.select(sa.func.max(table.c.id))).scalar_one()
            step = min(have, opportunities - have)
            source = (
                sa.select(
                    (table.c.id + last).label("id"),
                    (table.c.code + "-" + sa.cast(table.c.id + last, sa.String)).label("code"),
                    *others,
                )
                .order_by(table.c.id)
                .limit(step)
            )
            conn.execute(
                table.insert().from_select(["id", "code", *(c.name for c in others)], source)
            )
        print(f"  {have + step:,} opportunities", flush=True)
    analyze(engine)
    print(f"copied to {opportunities:,} opportunities in {time.perf_counter() - started:,.0f} s")


def timed(samples: int, action: Any) -> tuple[float, float]:
    durations = []
    for _ in range(samples):
        started = time.perf_counter()
        action()
        durations.append((time.perf_counter() - started) * 1000)
    durations.sort()
    return statistics.median(durations), durations[max(0, int(len(durations) * 0.95) - 1)]


def measure(app: Any, username: str, samples: int) -> dict[str, tuple[float, float]]:
    client = app.test_client()
    client.post("/login", data={"username": username, "password": PASSWORD})
    condition = {"field": "amount", "op": "gte", "value": "50000"}
    first = "/t/opportunity?" + "&".join(
        [f"filter={json.dumps(condition)}", "sort=-expected_close_date"]
    )

    def get(url: str, **headers: str) -> str:
        response = client.get(url, headers={k.replace("_", "-"): v for k, v in headers.items()})
        assert response.status_code == 200, response.status_code
        return response.text

    pending = SUMMARY.search(get(first))
    deep = first
    for _ in range(20):
        found = NEXT.search(get(deep))
        if not found:
            break
        deep = html.unescape(found.group(1))
    out = {
        "page 1": timed(samples, lambda: get(first)),
        "deep page": timed(samples, lambda: get(deep)),
    }
    if pending is not None:  # (a list that counts during the render has no summary)
        summary = html.unescape(pending.group(1))
        out["summary"] = timed(max(5, samples // 3), lambda: get(summary, HX_Request="true"))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--opportunities", type=int, default=100_000)
    parser.add_argument("--database", default="sqlite:///var/bench-list.db")
    parser.add_argument(
        "--base", type=int, default=20_000, help="demo opportunities before copying"
    )
    parser.add_argument("--reuse", action="store_true", help="use the database as it is")
    parser.add_argument(
        "--copy",
        choices=("service", "sql"),
        default="service",
        help="grow through RecordService.bulk_create, or by INSERT … SELECT (fast)",
    )
    parser.add_argument("--samples", type=int, default=50)
    args = parser.parse_args()
    prepare(args.database, args.opportunities, args.base, args.reuse, args.copy)
    app = create_app(
        {
            "DATABASE_URL": args.database,
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            "JOB_WORKERS": 0,  # no background outbox work competing with the requests
        }
    )
    total = opportunity_count(app.extensions["kairos"].engine)
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    print(f"\n## list page, {total:,} opportunities ({args.database.split(':')[0]})")
    print(f"load average {load} on {os.cpu_count()} CPUs (timings scale with it)")
    for username in ("admin", "zhang.wei"):
        for name, (p50, p95) in measure(app, username, args.samples).items():
            print(f"{username:<10} {name:<10} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms")


if __name__ == "__main__":
    main()
