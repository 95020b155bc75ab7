"""Import benchmark: a messy 100k-row customer workbook through ``runtime.transfer``.

Generates XLSX files of N messy customer rows (a title row and a merged group row above
the header; trailing spaces; option labels and keys mixed; dates as dates, Excel serials
and Chinese text; capital as ``¥1,234.50``, full-width digits and numbers; phones as
numbers; industries by name or by code; company names of city + trade name + industry +
legal form, one in 50 a variant of an earlier one — or, with ``--worst-case``, names that
each nearly match ~20 others), then imports each into the sample app (set up
by ``kairos quickstart`` in a fresh SQLite file per size, or one PostgreSQL database for
all sizes) and prints
rows/s (and rows per CPU second of the importing process: on a busy machine the
wall-clock rate says more about the neighbours than about the import) and the peak
memory of the import. Each import runs in a child process of its
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
from queue import Empty
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


CITIES = [
    "北京",
    "上海",
    "广州",
    "深圳",
    "杭州",
    "南京",
    "苏州",
    "成都",
    "重庆",
    "武汉",
    "西安",
    "天津",
    "长沙",
    "郑州",
    "青岛",
    "宁波",
    "厦门",
    "合肥",
    "济南",
    "福州",
    "无锡",
    "东莞",
    "佛山",
    "昆明",
    "沈阳",
    "大连",
    "南昌",
    "贵阳",
    "南宁",
    "石家庄",
    "太原",
    "温州",
    "绍兴",
    "嘉兴",
]
BRAND_CHARS = (
    "华信达恒瑞博安泰新宏远鼎盛源聚丰海嘉汇通盈德康宇明辉诚凯立天正中金隆和顺优创启航"
    "峰伟晟祥睿景光耀腾飞弘毅欣悦卓越鸿运星辰昊然翔宸瀚亿万佳美捷力福昌兴旺乐升东南西北"
    "银鑫铭锐智慧思维领先航宏鹏程君豪骏驰龙凤麒麟华夏神州九州环宇世纪百年长江黄河泰山"
    "青云紫金白玉红星绿洲蓝天碧水清泉山海朗润雅致尚品优选精工匠心永恒久远联合协同友邦"
    "创新开元启明朝阳晨曦锦绣春秋冬夏月星"
)
BRAND_POOL = list(dict.fromkeys(BRAND_CHARS))
"""Trade-name (字号) characters, each once: real trade names draw on thousands."""
TRADES = [
    "科技",
    "信息技术",
    "贸易",
    "机械",
    "电子",
    "医药",
    "物流",
    "建材",
    "食品",
    "环保",
    "软件",
    "实业",
    "化工",
    "新材料",
    "电气",
    "自动化",
    "生物",
    "文化传媒",
    "供应链",
    "餐饮管理",
    "网络",
    "能源",
    "精密",
    "纺织",
    "汽车配件",
    "智能装备",
]
LEGAL = ["有限公司", "有限责任公司", "股份有限公司", "集团有限公司"]
NEAR_DUPLICATE_EVERY = 50
"""One row in this many is a variant of an earlier row's name (a warned near-duplicate)."""


def company_name(rng: random.Random) -> str:
    brand = "".join(rng.sample(BRAND_POOL, rng.choice((2, 2, 3))))
    return f"{rng.choice(CITIES)}{brand}{rng.choice(TRADES)}{rng.choice(LEGAL)}"


def variant(name: str, rng: random.Random) -> str:
    """How the same company comes back in another spreadsheet."""
    kind = rng.randrange(4)
    if kind == 0:
        return name.replace("有限", "（中国）有限", 1)
    if kind == 1:
        return name.replace("有限责任公司", "有限公司") if "责任" in name else name + " "
    if kind == 2:
        return name.replace("股份有限公司", "有限公司").replace("集团有限公司", "集团")
    return "  " + name.replace("有限", "有 限", 1)


def messy_row(i: int, prefix: str, rng: random.Random, names: list[str], worst: bool) -> list[Any]:
    """One customer row. Names: realistic and distinct, with one near-duplicate of an
    earlier row in NEAR_DUPLICATE_EVERY; ``worst``: every name differs from hundreds of
    others by a digit or two (each row is warned with ~20 matches — the worst case of
    the duplicate check)."""
    founded = date(1995, 1, 1) + timedelta(days=rng.randint(0, 10_000))
    serial = (founded - date(1899, 12, 30)).days
    capital = rng.randint(10, 50_000) * 1000
    if worst:
        name = f"{prefix}测试客户{i:07d}有限公司"
        name = f"  {name} " if i % 7 == 0 else name
    elif names and i % NEAR_DUPLICATE_EVERY == NEAR_DUPLICATE_EVERY - 1:
        name = variant(rng.choice(names[-5000:]), rng)
    else:
        name = company_name(rng)
        names.append(name)
    return [
        name,
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


def write_workbook(path: Path, n: int, prefix: str, worst: bool = False) -> None:
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
    names: list[str] = []
    for i in range(n):
        sheet.append(messy_row(i, prefix, rng, names, worst))
    book.save(path)


def setup_database(folder: Path, pg_url: str | None) -> str:
    from runtime.cli import main

    folder.mkdir(parents=True, exist_ok=True)
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
    cpu_started = time.process_time()
    result = run_import(
        svc, actor, plan, ImportOptions(all_or_nothing=mode == "atomic", locale="zh-CN")
    )
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    traced = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put((result.total, seconds, cpu, result.created, result.failed, rss, traced))
    engine.dispose()


class _NoDuplicateCheck:
    """Stands in for ``runtime.dedupe.batch.BatchDuplicates`` under ``--no-dedupe``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
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
    parser.add_argument(
        "--worst-case",
        action="store_true",
        help="names that each nearly match ~20 others (the duplicate check's worst case)",
    )
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--postgresql", default=None, metavar="URL")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    context = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = setup_database(folder / "first", args.postgresql)
        print(
            f"database: {url.split('?')[0]}   mode: {args.mode}   tracemalloc: {args.tracemalloc}"
            f"   dedupe: {not args.no_dedupe}"
            f"   names: {'worst case' if args.worst_case else 'realistic'}"
        )
        print(f"{'rows':>9} {'seconds':>8} {'rows/s':>8} {'CPU s':>6} {'rows/CPU s':>10} "
              f"{'created':>8} {'failed':>7} "
              f"{'peak RSS MiB':>13} {'peak Python MiB':>16}")  # fmt: skip
        for number, n in enumerate(sizes):
            if number and not args.postgresql:  # each size into an empty table
                url = setup_database(folder / f"size-{n}", None)
            path = folder / f"customers-{n}.xlsx"
            started = time.perf_counter()
            write_workbook(path, n, prefix=f"N{n}", worst=args.worst_case)
            made = time.perf_counter() - started
            queue = context.Queue()
            child = context.Process(
                target=run_one,
                args=(url, str(path), args.mode, args.tracemalloc, not args.no_dedupe, queue),
            )
            child.start()
            while True:  # a child that died (an exception) must not leave us waiting
                try:
                    total, seconds, cpu, created, failed, rss, traced = queue.get(timeout=5)
                    break
                except Empty:
                    if not child.is_alive():
                        raise SystemExit(f"the import of {n:,} rows failed (see above)") from None
            child.join()
            traced_text = "-" if traced is None else f"{traced:,.1f}"
            # The machine may be busy with other work: say how busy, per measurement.
            load = "/".join(f"{x:.1f}" for x in os.getloadavg())
            print(f"{total:>9,} {seconds:>8.1f} {total / seconds:>8,.0f} {cpu:>6.1f} "
                  f"{total / cpu:>10,.0f} {created:>8,} "
                  f"{failed:>7,} {rss:>13,.0f} {traced_text:>16}   "
                  f"(workbook written in {made:.1f} s, load {load})", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
