"""Messy spreadsheets for the import tests, written with openpyxl."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook


def xlsx(path: Path, rows: Sequence[Sequence[Any]], *, title: str = "Sheet1",
         merged: Sequence[str] = (), extra_sheets: Sequence[str] = ()) -> Path:  # fmt: skip
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    for cells in merged:
        sheet.merge_cells(cells)
    for name in extra_sheets:
        book.create_sheet(name).append(["其他"])
    book.save(path)
    return path


def messy_customers(path: Path) -> Path:
    """A title row, a merged group row, then the header with trailing spaces and English
    labels mixed in; values with ¥, full-width digits, Excel serial and text dates, an
    unknown industry and a bad date."""
    return xlsx(
        path,
        [
            ["2026 年客户导入"],
            ["基本信息", None, None, "财务", None],
            ["客户名称 ", "Region", "成立日期", "注册资本", "行业"],
            ["导入测试甲公司", "华东", date(2020, 1, 2), "¥1,234.50", "制造业"],
            ["  导入测试乙公司 ", "east", 45123, "１２３４", ""],
            ["导入测试丙公司", "华北", "2020年3月1日", 5000, "不存在的行业"],
            ["导入测试丁公司", "华南", "2020-13-45", "一百", None],
        ],
        title="客户",
        merged=["A1:E1", "A2:C2", "D2:E2"],
        extra_sheets=["说明"],
    )
