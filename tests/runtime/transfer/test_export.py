"""The export engine: field access as the service outputs it, titles and labels as text,
the export right, and Excel's row limit."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
from openpyxl import load_workbook

from runtime.records import Actor, PermissionDenied, RecordService
from runtime.transfer import ExportTooLarge
from runtime.transfer import export as exporting

SYSTEM = Actor.system()


def as_csv(
    svc: RecordService, actor: Actor, table: str, fields: list[str] | None
) -> list[list[str]]:
    columns = exporting.export_columns(svc, actor, table, "zh-CN", fields)
    rows = exporting.export_rows(svc, actor, table, columns, locale="zh-CN")
    text = "".join(exporting.export_csv([c.label for c in columns], rows))
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_titles_and_labels_are_text(svc: RecordService) -> None:
    rows = as_csv(svc, SYSTEM, "opportunity", ["name", "customer", "stage", "currency"])
    assert rows[0] == ["商机名称", "客户", "销售阶段", "币种"]
    first = svc.query(SYSTEM, "opportunity", order_by=[("id", "asc")], limit=1).rows[0]
    customer = svc.get(SYSTEM, "customer", first["customer"])["name"]
    assert rows[1][:2] == [first["name"], customer]
    assert not rows[1][2].isdigit() and rows[1][3] in ("人民币", "美元")
    assert len(rows) - 1 == svc.count(SYSTEM, "opportunity")


def test_hidden_absent_masked_masked_and_export_right(
    svc: RecordService, actor_of: Callable[[str], Actor]
) -> None:
    viewer_columns = exporting.export_columns(svc, actor_of("sun.ming"), "opportunity", "en")
    assert "product_margin" in {c.key for c in viewer_columns}
    rep = actor_of("zhang.wei")
    assert "product_margin" not in {
        c.key for c in exporting.export_columns(svc, rep, "opportunity", "en")
    }
    with pytest.raises(PermissionDenied):
        list(exporting.export_rows(svc, rep, "opportunity", []))
    asked = exporting.export_columns(svc, rep, "opportunity", "en", ["name", "product_margin"])
    assert [c.key for c in asked] == ["name"]  # a hidden field is never a column
    viewer = Actor(user_id=1, roles=frozenset({"readonly_viewer", "sales_director"}))
    phones = [r[1] for r in as_csv(svc, viewer, "customer", ["name", "phone"])[1:] if r[1]]
    assert phones and all("*" not in p for p in phones)  # the director's access wins
    viewer = Actor(user_id=1, roles=frozenset({"readonly_viewer"}))
    with pytest.raises(PermissionDenied):
        as_csv(svc, viewer, "customer", ["name", "phone"])  # may read, may not export


def test_xlsx_and_the_row_limit(svc: RecordService) -> None:
    columns = exporting.export_columns(svc, SYSTEM, "customer", "en", ["name", "region"])
    buffer = io.BytesIO()
    exporting.export_xlsx(
        "Customers", [c.label for c in columns],
        exporting.export_rows(svc, SYSTEM, "customer", columns, locale="en"), buffer,
    )  # fmt: skip
    sheet = list(load_workbook(buffer, read_only=True).active.iter_rows(values_only=True))
    assert sheet[0] == ("Customer name", "Sales region") and len(sheet) - 1 == svc.count(
        SYSTEM, "customer"
    )
    exporting.check_xlsx_size(1_048_575)
    with pytest.raises(ExportTooLarge) as error:
        exporting.check_xlsx_size(1_048_576)
    assert "最多 1,048,575 行" in error.value.message("zh-CN")
    assert "export to CSV" in error.value.message("en")
