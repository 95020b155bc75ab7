"""Server render time of the opportunity list page (issue #3 target: < 100 ms p50 on SQLite).

Builds (or reuses) a sample database with N demo opportunities through `kairos quickstart`,
then renders, through the Flask app in-process (no network), as the admin and as a sales
rep: the list with a filter and a sort (page 1), and a deep keyset page (after following
"next" 20 times). Prints p50/p95 in milliseconds.

    python -m bench.list_page --opportunities 100000 --database sqlite:///var/bench-list.db
"""

from __future__ import annotations

import argparse
import html
import json
import re
import statistics
import time
from typing import Any

import sqlalchemy as sa
from click.testing import CliRunner

from runtime.accounts import set_password
from runtime.cli import main as kairos
from runtime.db import create_engine, write_transaction
from runtime.web import create_app

PASSWORD = "bench-pass-1"
NEXT = re.compile(r'href="([^"]+)" data-testid="page-next"')


def prepare(database: str, opportunities: int) -> None:
    engine = create_engine(database)
    with engine.connect() as conn:
        tables = sa.inspect(conn).get_table_names()
        have = (
            conn.execute(sa.text("select count(*) from opportunity__opportunity")).scalar()
            if "opportunity__opportunity" in tables
            else 0
        )
    if not have:
        started = time.perf_counter()
        result = CliRunner().invoke(
            kairos, ["quickstart", "--opportunities", str(opportunities), "--database", database]
        )
        assert result.exit_code == 0, result.output
        print(f"loaded {opportunities:,} opportunities in {time.perf_counter() - started:,.0f} s")
    with write_transaction(engine) as conn:
        for (user_id,) in conn.execute(sa.text("select id from kairos_user")):
            set_password(conn, user_id, PASSWORD)
    engine.dispose()


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

    def get(url: str) -> str:
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        return response.text

    deep = first
    for _ in range(20):
        found = NEXT.search(get(deep))
        if not found:
            break
        deep = html.unescape(found.group(1))
    get(first)
    return {
        "page 1": timed(samples, lambda: get(first)),
        "deep page": timed(samples, lambda: get(deep)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--opportunities", type=int, default=100_000)
    parser.add_argument("--database", default="sqlite:///var/bench-list.db")
    parser.add_argument("--samples", type=int, default=50)
    args = parser.parse_args()
    prepare(args.database, args.opportunities)
    app = create_app(
        {"DATABASE_URL": args.database, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False}
    )
    with app.extensions["kairos"].engine.connect() as conn:
        total = conn.execute(sa.text("select count(*) from opportunity__opportunity")).scalar()
    print(f"\n## list page, {total:,} opportunities ({args.database.split(':')[0]})")
    for username in ("admin", "zhang.wei"):
        for name, (p50, p95) in measure(app, username, args.samples).items():
            print(f"{username:<10} {name:<10} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms")


if __name__ == "__main__":
    main()
