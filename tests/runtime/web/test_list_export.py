"""Export of the current list view: content, localised headers, permissions, limits."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from flask import Flask
from openpyxl import load_workbook

from runtime import org
from runtime.records import Actor
from runtime.web.views import _list_export
from tests.runtime.web.conftest import user_id
from tests.runtime.web.test_list import restricted_manager  # noqa: F401  (fixture)


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def svc(web_app: Flask) -> Any:
    return web_app.extensions["kairos"].service()


def test_csv_export_of_the_current_view(login: Any, web_app: Flask) -> None:
    where = {"field": "status", "op": "eq", "value": "won"}
    response = login("admin").get(
        "/t/opportunity/export.csv",
        query_string={
            "cols": "name,status,amount,customer,owner_id",
            "filter": json.dumps(where),
            "sort": "name",
        },
    )
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = read_csv(response.data)
    assert rows[0] == ["商机名称", "状态", "预计金额", "客户", "负责人"]
    expected = (
        svc(web_app)
        .query(Actor.system(), "opportunity", where=where, order_by=[("name", "asc")], limit=1000)
        .rows
    )
    assert [r[0] for r in rows[1:]] == [e["name"] for e in expected]
    assert {r[1] for r in rows[1:]} == {"赢单"}  # option label, not the key
    assert float(rows[1][2]) == float(expected[0]["amount"])
    assert not rows[1][3].isdigit()  # the customer's name, not its id


def test_xlsx_export_in_english(login: Any, web_app: Flask) -> None:
    client = login("admin")
    client.post("/locale/en")
    response = client.get("/t/opportunity/export.xlsx", query_string={"cols": "name,status,amount"})
    assert response.status_code == 200
    data = response.data
    response.close()
    book = load_workbook(io.BytesIO(data), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    book.close()
    assert rows[0] == ("Opportunity name", "Status", "Amount")
    assert len(rows) - 1 == svc(web_app).count(Actor.system(), "opportunity")
    assert "Won" in {r[1] for r in rows[1:]}
    assert isinstance(rows[1][2], float | int)


def test_export_needs_the_export_action(login: Any) -> None:
    rep = login("zhao.min")  # sales reps may read but not export
    assert rep.get("/t/opportunity/export.csv").status_code == 403
    assert rep.get("/t/opportunity/export.xlsx").status_code == 403
    assert 'data-testid="export-menu"' not in rep.get("/t/opportunity").text
    assert login("admin").get("/t/opportunity/export.pdf").status_code == 404


@pytest.mark.usefixtures("restricted_manager")
def test_export_leaves_hidden_fields_out_and_masks_masked_ones(
    login: Any, web_app: Flask, engine: Any
) -> None:
    client = login("lin.feng")
    response = client.get(
        "/t/opportunity/export.csv", query_string={"cols": "name,product_margin,amount"}
    )
    assert response.status_code == 200
    rows = read_csv(response.data)
    assert rows[0] == ["商机名称", "预计金额"]
    with engine.connect() as conn:
        manager = org.load_actor(conn, user_id(engine, "lin.feng"), "opportunity")
    assert len(rows) - 1 == svc(web_app).count(manager, "opportunity")

    customers = read_csv(
        client.get("/t/customer/export.csv", query_string={"cols": "name,phone"}).data
    )
    assert customers[0] == ["客户名称", "总机"]
    phones = [r[1] for r in customers[1:] if r[1]]
    assert phones and all("*" in p for p in phones)


def test_xlsx_refuses_more_rows_than_excel_holds(
    login: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_list_export, "EXCEL_MAX_ROWS", 5)
    from runtime.web.views import records_list

    monkeypatch.setattr(records_list, "EXCEL_MAX_ROWS", 5)
    client = login("admin")
    response = client.get("/t/opportunity/export.xlsx")
    assert response.status_code == 302
    page = client.get(response.location).text
    assert "超出了 Excel 单个工作表的上限" in page and "最多 4 行" in page
    assert client.get("/t/opportunity/export.csv").status_code == 200
