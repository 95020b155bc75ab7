"""Import benchmark: a messy 100k-row customer workbook through ``runtime.transfer``.

Generates XLSX files of N messy customer rows (a title row and a merged group row above
the header; trailing spaces; option labels and keys mixed; dates as dates, Excel serials
and Chinese text; capital as ``¥1,234.50``, full-width digits and numbers; phones as
numbers; industries by name or by code), then imports each into the sample app (set up
by ``kairos quickstart`` in a fresh SQLite file, or a PostgreSQL schema) and prints
rows/s and the peak memory of the import. Each import runs in a child process of its
own, so the peak resident size (``ru_maxrss``) is that import's alone; ``--tracemalloc``
also measures the peak of Python allocations (slower; run separately from timing).

    python -m bench.imports --sizes 10000,50000,100000 [--mode atomic] [--tracemalloc]

Target (issue #4): ≥ 5,000 rows/s, memory flat in N.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import resource
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from openpyxl import Workbook

REGIONS = ["华北", "east", "华南", "Central China", "西南", "northwest", "东北"]
LEVELS = ["A 重点客户", "b", "C 小客户", None]
INDUSTRIES = ["制造业", "manufacturing", "零售与消费品", "retail", "医疗健康", "金融保险", "energy"]
BAD_EVERY = 200
"""One row in this many names an industry that does not exist (a per-row error)."""
SOURCES = ["官网", "展会", "referral", "电话拓展", None]


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in text)


def messy_row(i: int, prefix: str, rng: random.Random) -> list[Any]:
    founded = date(1995, 1, 1) + timedelta(days=rng.randint(0, 10_000))
    serial = (founded - date(1899, 12, 30)).days
    capital = rng.randint(10, 50_000) * 1000
    return [
        f"  {prefix}测试客户{i:07d}有限公司 " if i % 7 == 0 else f"{prefix}测试客户{i:07d}有限公司",
        rng.choice(REGIONS),
        rng.choice(LEVELS),
        rng.choice(SOURCES),
        rng.choice(
            [
                founded,
                serial,
                f"{founded.year}年{founded.month}月{founded.day}日",
                founded.isoformat(),
            ]
        ),
        rng.choice([f"¥{capital:,.2f}", full_width(str(capital)), float(capital), f"{capital}元"]),
        float(f"1{rng.randint(3, 9)}{rng.randint(100000000, 999999999)}"),
        "未知行业" if i % BAD_EVERY == BAD_EVERY - 1 else rng.choice(INDUSTRIES),
        "批量导入 " if i % 3 else None,
    ]


def write_workbook(path: Path, n: int, prefix: str) -> None:
    """Written row by row (openpyxl write-only); merged cells are not available in that
    mode, so the group row is left blank-continued like a CSV export of one."""
    rng = random.Random(n)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("客户")
    sheet.append(["客户导入（基准测试）"])
    sheet.append(["基本信息", None, None, None, "工商信息", None, "联系方式", "分类", None])
    sheet.append(
        ["客户名称 ", "Sales region", "客户等级", "客户来源", "成立日期", "注册资本", "总机",
         "行业", "备注"]
    )  # fmt: skip
    for i in range(n):
        sheet.append(messy_row(i, prefix, rng))
    book.save(path)


def setup_database(folder: Path, pg_url: str | None) -> str:
    from runtime.cli import main

    url = pg_url or f"sqlite:///{folder / 'bench.db'}"
    result = CliRunner().invoke(main, ["quickstart", "--opportunities", "0", "--database", url])
    if result.exit_code != 0:
        raise SystemExit(result.output)
    return url


def run_one(url: str, path: str, mode: str, trace: bool, dedupe: bool, queue: Any) -> None:
    """In a child process: import ``path``, report (rows, seconds, created, failed,
    peak RSS MiB, peak traced MiB or None). ``dedupe=False`` switches the record
    service's per-row duplicate check off in this process only (a diagnostic: it shows
    what that check costs; the import itself never bypasses it)."""
    import gc

    if not dedupe:
        from runtime.records import _bulk, _prepare

        _prepare.check_duplicates = lambda *args, **kwargs: []
        _bulk.BatchDuplicates = _NoDuplicateCheck  # type: ignore[misc, assignment]

    from runtime.apps import open_app
    from runtime.db import create_engine
    from runtime.records import Actor
    from runtime.transfer import ImportOptions, open_source, plan_import, run_import

    engine = create_engine(url)
    svc = open_app(engine, "opportunity")
    actor = Actor.system()
    plan = plan_import(svc, actor, "customer", open_source(path))
    if trace:
        tracemalloc.start()
    gc.collect()
    started = time.perf_counter()
    result = run_import(
        svc, actor, plan, ImportOptions(all_or_nothing=mode == "atomic", locale="zh-CN")
    )
    seconds = time.perf_counter() - started
    traced = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put((result.total, seconds, result.created, result.failed, rss, traced))
    engine.dispose()


class _NoDuplicateCheck:
    """Stands in for ``runtime.dedupe.batch.BatchDuplicates`` under ``--no-dedupe``."""

    def __init__(self, *args: Any) -> None:
        pass

    def check(self, index: int) -> None:
        pass

    def accept(self, index: int) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,50000,100000")
    parser.add_argument("--mode", choices=["atomic", "skip"], default="skip")
    parser.add_argument("--no-dedupe", action="store_true", help="diagnostic, see run_one")
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--postgresql", default=None, metavar="URL")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    context = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = setup_database(folder, args.postgresql)
        print(
            f"database: {url.split('?')[0]}   mode: {args.mode}   tracemalloc: {args.tracemalloc}"
            f"   dedupe: {not args.no_dedupe}"
        )
        print(f"{'rows':>9} {'seconds':>8} {'rows/s':>8} {'created':>8} {'failed':>7} "
              f"{'peak RSS MiB':>13} {'peak Python MiB':>16}")  # fmt: skip
        for n in sizes:
            path = folder / f"customers-{n}.xlsx"
            started = time.perf_counter()
            write_workbook(path, n, prefix=f"N{n}")
            made = time.perf_counter() - started
            queue = context.Queue()
            child = context.Process(
                target=run_one,
                args=(url, str(path), args.mode, args.tracemalloc, not args.no_dedupe, queue),
            )
            child.start()
            total, seconds, created, failed, rss, traced = queue.get()
            child.join()
            traced_text = "-" if traced is None else f"{traced:,.1f}"
            # The machine may be busy with other work: say how busy, per measurement.
            load = "/".join(f"{x:.1f}" for x in os.getloadavg())
            print(f"{total:>9,} {seconds:>8.1f} {total / seconds:>8,.0f} {created:>8,} "
                  f"{failed:>7,} {rss:>13,.0f} {traced_text:>16}   "
                  f"(workbook written in {made:.1f} s, load {load})", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
