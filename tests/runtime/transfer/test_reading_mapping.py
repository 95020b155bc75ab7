"""Reading CSV (encodings, delimiters) and XLSX (sheets), header detection and matching."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from runtime.transfer import TransferError, open_source
from runtime.transfer.mapping import Matcher, Target, apply_overrides, detect_header, normalise
from tests.runtime.transfer.sheets import messy_customers

TARGETS = {
    "name": Target("name", {"zh-CN": "客户名称", "en": "Customer name"}, "text"),
    "amount": Target("amount", {"zh-CN": "预计金额", "en": "Amount"}, "money"),
    "lines.product": Target(
        "lines.product",
        {"zh-CN": "产品", "en": "Product"},
        "relation",
        "lines",
        {"zh-CN": "产品明细", "en": "Products"},
    ),
}


@pytest.mark.parametrize(
    ("encoding", "delimiter"), [("utf-8-sig", ","), ("utf-8", ";"), ("gb18030", "\t")]
)
def test_csv_encoding_and_delimiter_are_detected(
    tmp_path: Path, encoding: str, delimiter: str
) -> None:
    path = tmp_path / "data.csv"
    lines = [["客户名称", "预计金额"], ["华为技术", "¥1,234.50"], ["腾讯", "5"]]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(lines)
    path.write_bytes(buffer.getvalue().encode(encoding))
    source = open_source(path)
    assert source.encoding == ("gb18030" if encoding == "gb18030" else "utf-8-sig")
    assert source.delimiter == delimiter
    assert list(source.rows()) == lines  # the BOM is gone from the first cell
    assert source.estimated_rows(1) == 2


def test_xlsx_sheets_and_unknown_sheet(tmp_path: Path) -> None:
    path = messy_customers(tmp_path / "c.xlsx")
    source = open_source(path)
    assert (source.sheets, source.sheet) == (["客户", "说明"], "客户")
    assert list(open_source(path, sheet="说明").rows()) == [["其他"]]
    with pytest.raises(TransferError) as error:
        open_source(path, sheet="Sheet9")
    assert error.value.message("zh-CN") == "工作表“Sheet9”不存在；可选：客户、说明"
    with pytest.raises(TransferError) as error:
        open_source(tmp_path / "notes.pdf")
    assert ".xlsx or .csv" in error.value.message("en")


def test_normalise_ignores_width_case_spaces_and_required_marks() -> None:
    assert normalise(" ＡＭＯＵＮＴ ") == normalise("amount") == "amount"
    assert normalise("*客户 名称：") == normalise("客户名称")


def test_header_row_found_below_titles_and_merged_groups() -> None:
    rows = [
        ["2026 商机导入", None, None],
        ["基本", None, "产品明细"],
        ["Customer Name ", "预计金额", "产品"],
        ["华为", "1", "扫码枪"],
    ]
    merged = [((0, 0), (0, 2)), ((1, 0), (1, 1))]
    header = detect_header(rows, Matcher(TARGETS), merged)
    assert header is not None and header.row == 2
    assert header.matched == {0: "name", 1: "amount", 2: "lines.product"}
    header = apply_overrides(header, {"预计金额": None, "0": "amount"}, TARGETS)
    assert header.matched == {0: "amount", 2: "lines.product"}


def test_vertically_merged_header_cell_takes_the_merged_text() -> None:
    rows = [["客户名称", "产品明细"], [None, "产品"], ["华为", "扫码枪"]]
    header = detect_header(rows, Matcher(TARGETS), [((0, 0), (1, 0))])
    assert header is not None and header.row == 1
    assert header.matched == {0: "name", 1: "lines.product"}
