"""Record forms through the Flask test client: create with an inline-created customer,
errors beside fields with the typed values kept, required_when and field access enforced
by the server, live recompute, child rows, upload limits and the conflict panel."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict


def _stage(engine: sa.Engine, stage_type: str) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                sa.text(
                    "select id from opportunity__pipeline_stage where stage_type = :t "
                    "and deleted_at is null order by id limit 1"
                ),
                {"t": stage_type},
            ).scalar_one()
        )


def _any_id(engine: sa.Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                sa.text(f"select min(id) from opportunity__{table} where deleted_at is null")
            ).scalar_one()
        )


def _customer(client: Any) -> str:
    """A customer of the signed-in user: created inline, then found by the picker."""
    created = client.post(
        "/t/opportunity/_form/quick/customer",
        data={"name": "杭州云帆信息技术有限公司", "region": "east"},
    )
    if created.status_code == 200:
        return str(created.get_json()["value"])
    found = client.get("/t/opportunity/_form/search/customer?q=云帆").get_json()
    return str(found[0]["value"])


def _opportunity(engine: sa.Engine, **extra: Any) -> dict[str, str]:
    return {
        "name": "华为云迁移项目",
        "stage": str(_stage(engine, "open")),
        "amount": "120000",
        "currency": "CNY",
        "probability": "40",
        "expected_close_date": "2030-06-30",
        **extra,
    }


def test_new_form_renders_tabs_sections_and_widgets(login: Any) -> None:
    page = login("zhang.wei").get("/t/opportunity/new")
    assert page.status_code == 200
    html = page.text
    assert "基本信息" in html and "阶段与金额" in html and "产品明细" in html
    assert 'data-widget="relation"' in html and 'data-widget="date"' in html
    assert "data-visible-when=" in html and 'data-computed="weighted_amount"' in html
    assert 'data-widget="rows"' in html


def test_create_with_quick_created_customer(login: Any, engine: sa.Engine) -> None:
    client = login("zhang.wei")
    modal = client.get("/t/opportunity/_form/quick/customer")
    assert modal.status_code == 200 and "客户" in modal.text
    names = re.findall(r'name="([a-z_]+)"', modal.text)
    assert "name" in names
    created = client.post(
        "/t/opportunity/_form/quick/customer",
        data={"name": "深圳速达科技有限公司", "region": "south"},
    )
    assert created.status_code == 200, created.text
    customer = created.get_json()
    assert customer["text"] == "深圳速达科技有限公司"
    response = client.post(
        "/t/opportunity/new", data=_opportunity(engine, customer=str(customer["value"]))
    )
    assert response.status_code == 302, response.text
    with engine.connect() as conn:
        row = conn.execute(
            sa.text(
                "select customer, weighted_amount from opportunity__opportunity "
                "where name = '华为云迁移项目'"
            )
        ).one()
    assert row.customer == customer["value"]


def test_quick_create_errors_are_per_field(login: Any) -> None:
    response = login("zhang.wei").post("/t/opportunity/_form/quick/customer", data={"name": ""})
    assert response.status_code == 422
    assert "name" in response.get_json()["errors"]


def test_validation_errors_beside_fields_keep_typed_values(login: Any, engine: sa.Engine) -> None:
    client = login("zhang.wei")
    data = _opportunity(
        engine,
        customer=_customer(client),
        amount="很多钱",
        name="保留我输入的名称",
        expected_close_date="",
    )
    response = client.post("/t/opportunity/new", data=data)
    assert response.status_code == 200
    html = response.text
    assert 'data-testid="error-amount"' in html
    assert 'data-testid="error-expected_close_date"' in html
    assert 'value="保留我输入的名称"' in html and 'value="很多钱"' in html


def test_required_when_is_enforced_by_the_server(login: Any, engine: sa.Engine) -> None:
    client = login("zhang.wei")
    data = _opportunity(
        engine,
        customer=_customer(client),
        stage=str(_stage(engine, "lost")),
        closed_on="2026-03-01",
    )
    response = client.post("/t/opportunity/new", data=data)
    assert response.status_code == 200
    assert 'data-testid="error-lost_reason"' in response.text


def test_recompute_returns_formula_and_lookup_values(login: Any, engine: sa.Engine) -> None:
    data = _opportunity(
        engine, stage=str(_stage(engine, "lost")), amount="200000", probability="25"
    )
    result = login("zhang.wei").post("/t/opportunity/_form/recompute", data=data).get_json()
    assert result["values"]["weighted_amount"] == "50000.00"
    assert result["values"]["status"] == "lost"


def test_child_rows_are_saved_in_page_order(login: Any, engine: sa.Engine) -> None:
    product = str(_any_id(engine, "product"))
    client = login("zhang.wei")
    data = _opportunity(engine, customer=_customer(client))
    data.update({"lines-present": "1"})
    form_rows = [
        ("lines-5-product", product),
        ("lines-5-quantity", "2"),
        ("lines-5-unit_price", "100"),
        ("lines-1-product", product),
        ("lines-1-quantity", "1"),
        ("lines-1-unit_price", "30"),
    ]
    response = client.post("/t/opportunity/new", data=MultiDict(list(data.items()) + form_rows))
    assert response.status_code == 302, response.text
    with engine.connect() as conn:
        rows = (
            conn.execute(
                sa.text(
                    "select l.quantity from opportunity__opportunity_line l join "
                    "opportunity__opportunity o on o.id = l.parent_id "
                    "where o.name = '华为云迁移项目' "
                    "order by l.row_order"
                )
            )
            .scalars()
            .all()
        )
    assert [float(q) for q in rows] == [2.0, 1.0]


def test_conflict_panel_names_who_changed_it(login: Any, engine: sa.Engine) -> None:
    client = login("zhang.wei")
    record_id = _own_opportunity(client, engine)
    page = client.get(f"/t/opportunity/{record_id}/edit").text
    version = re.search(r'name="row_version"[^>]*value="(\d+)"', page) or re.search(
        r'value="(\d+)"[^>]*name="row_version"', page
    )
    assert version is not None
    other = login("zhang.wei")
    assert (
        other.post(
            f"/t/opportunity/{record_id}/edit",
            data={"next_step": "先改一下", "row_version": version[1]},
        ).status_code
        == 302
    )
    stale = client.post(
        f"/t/opportunity/{record_id}/edit",
        data={"next_step": "我的修改", "row_version": version[1]},
    )
    assert stale.status_code == 200
    assert 'data-testid="conflict"' in stale.text and "张伟" in stale.text
    assert 'value="我的修改"' in stale.text
    current = re.search(r'name="overwrite" value="(\d+)"', stale.text)
    overwritten = client.post(
        f"/t/opportunity/{record_id}/edit",
        data={"next_step": "我的修改", "row_version": version[1], "overwrite": current[1]},
    )
    assert overwritten.status_code == 302


def _own_opportunity(client: Any, engine: sa.Engine) -> int:
    data = _opportunity(engine, customer=_customer(client))
    assert client.post("/t/opportunity/new", data=data).status_code == 302
    with engine.connect() as conn:
        return int(
            conn.execute(sa.text("select max(id) from opportunity__opportunity")).scalar_one()
        )


def test_read_only_fields_cannot_be_changed_by_tampering(login: Any, engine: sa.Engine) -> None:
    client = login("zhang.wei")
    record_id = _own_opportunity(client, engine)
    page = client.get(f"/t/opportunity/{record_id}/edit").text
    assert 'name="stage_entered_at"' not in page  # readonly: shown, not an input
    tampered = client.post(
        f"/t/opportunity/{record_id}/edit", data={"stage_entered_at": "2020-01-01 00:00"}
    )
    assert tampered.status_code == 302  # not posted as editable: ignored by the form
    with engine.connect() as conn:
        value = conn.execute(
            sa.text("select stage_entered_at from opportunity__opportunity where id = :i"),
            {"i": record_id},
        ).scalar()
    assert value is None or "2020-01-01" not in str(value)


def test_upload_size_limit_is_checked() -> None:
    from runtime.web.forms.files import UploadRefused, check_upload
    from schemas.spec import FieldSpec

    field = FieldSpec(
        "scan", "attachment", {"en": "Scan"}, config={"max_size_mb": 1, "accept": [".pdf"]}
    )
    check_upload(field, "a.pdf", 1024 * 1024, "application/pdf")
    with pytest.raises(UploadRefused) as refused:
        check_upload(field, "a.pdf", 1024 * 1024 + 1, "application/pdf")
    assert refused.value.code == "too_large"
    with pytest.raises(UploadRefused) as wrong:
        check_upload(field, "a.exe", 10, "application/octet-stream")
    assert wrong.value.code == "wrong_type"


def test_upload_type_limit_and_download(login: Any) -> None:
    client = login("admin")
    url = "/t/quote/_form/upload/pdf"
    refused = client.post(
        url, data={"file": (io.BytesIO(b"MZ"), "tool.exe")}, content_type="multipart/form-data"
    )
    assert refused.status_code == 422
    assert "pdf" in refused.get_json()["error"]
    ok = client.post(
        url,
        data={"file": (io.BytesIO(b"%PDF-1.4 test"), "合同.pdf")},
        content_type="multipart/form-data",
    )
    assert ok.status_code == 200, ok.text
    descriptor = ok.get_json()
    assert descriptor["name"] == "合同.pdf" and descriptor["size"] == 13
    download = client.get(f"/files/{descriptor['file_id']}")
    assert download.data == b"%PDF-1.4 test"
    download.close()


def _follow_up_with_file(client: Any, subject: str) -> tuple[str, int]:
    """Upload a file as the client's user and save a follow-up holding it."""
    uploaded = client.post(
        "/t/follow_up/_form/upload/attachments",
        data={"file": (io.BytesIO(b"minutes of the visit"), "拜访纪要.txt")},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 200, uploaded.text
    descriptor = uploaded.get_json()
    saved = client.post(
        "/t/follow_up/new",
        data={
            "subject": subject,
            "type": "visit",
            "occurred_at": "2026-03-02 10:00",
            "content": "现场演示",
            "customer": _customer(client),
            "attachments": json.dumps([descriptor], ensure_ascii=False),
        },
    )
    assert saved.status_code == 302, saved.text
    return descriptor["file_id"], int(saved.headers["Location"].rstrip("/").split("/")[-1])


def test_file_download_needs_read_access_to_its_record(login: Any) -> None:
    owner = login("zhang.wei")
    other_rep = login("wang.fang")
    file_id, _record = _follow_up_with_file(owner, "拜访华东客户")
    mine = owner.get(f"/files/{file_id}")
    assert mine.status_code == 200 and mine.data == b"minutes of the visit"
    mine.close()
    assert other_rep.get(f"/files/{file_id}").status_code == 404
    director = login("sun.ming").get(f"/files/{file_id}")
    assert director.status_code == 200
    director.close()


def test_unsaved_upload_is_only_for_its_uploader(login: Any) -> None:
    owner = login("zhang.wei")
    uploaded = owner.post(
        "/t/follow_up/_form/upload/attachments",
        data={"file": (io.BytesIO(b"draft"), "草稿.txt")},
        content_type="multipart/form-data",
    ).get_json()
    assert login("admin").get(f"/files/{uploaded['file_id']}").status_code == 404
    fetched = owner.get(f"/files/{uploaded['file_id']}")
    assert fetched.status_code == 200
    fetched.close()


def test_a_file_id_copied_into_another_record_stays_closed(login: Any) -> None:
    file_id, _record = _follow_up_with_file(login("zhang.wei"), "拜访华南客户")
    thief = login("wang.fang")
    stolen = {"name": "x.txt", "file_id": file_id, "size": 20, "content_type": "text/plain"}
    saved = thief.post(
        "/t/follow_up/new",
        data={
            "subject": "复制的附件",
            "type": "call",
            "occurred_at": "2026-03-03 09:00",
            "content": "尝试",
            "customer": _customer(thief),
            "attachments": json.dumps([stolen]),
        },
    )
    assert saved.status_code == 302
    assert thief.get(f"/files/{file_id}").status_code == 404


def test_picker_search_applies_the_relation_filter(login: Any, engine: sa.Engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            sa.text("update opportunity__pipeline_stage set active = :f where name = '无效'"),
            {"f": False},
        )
    client = login("zhang.wei")
    names = [c["text"] for c in client.get("/t/opportunity/_form/search/stage").get_json()]
    assert "输单" in names and "无效" not in names
