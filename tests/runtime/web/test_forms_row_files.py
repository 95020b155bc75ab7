"""Attachments and images inside child-table rows: uploads with the same size, type and
field-access checks as top-level file fields, kept across a failed save, saved with the
row, and downloadable by exactly the readers of the parent record."""

from __future__ import annotations

import copy
import html
import io
import json
import re
from typing import Any

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from runtime.publish import load_published, publish
from schemas.spec import AppSpec
from tests.runtime.web.test_forms import _customer, _opportunity

PHOTO_URL = "/t/opportunity/_form/upload/lines.photo"
PNG = bytes.fromhex(  # an 8×8 blue PNG
    "89504e470d0a1a0a0000000d49484452000000080000000808020000004b6d29dc0000001149444154"
    "789c6350c8bb8015310c2d090004c65781fcdb93590000000049454e44ae426082"
)


def add_line_files(engine: sa.Engine) -> None:
    """Publish the sample with a ``photo`` image (≤0.05 MB, ≤2 files) and a ``spec_sheet``
    PDF attachment (read-only for sales reps) on opportunity lines."""
    _spec, document = load_published(engine, "opportunity")
    document = copy.deepcopy(document)
    line = next(t for t in document["tables"] if t["key"] == "opportunity_line")
    line["fields"] += [
        {
            "key": "photo",
            "type": "image",
            "label": {"zh-CN": "产品照片", "en": "Photo"},
            "config": {"max_size_mb": 0.05, "max_files": 2},
        },
        {
            "key": "spec_sheet",
            "type": "attachment",
            "label": {"zh-CN": "规格书", "en": "Spec sheet"},
            "config": {"accept": [".pdf"]},
        },
    ]
    rep = next(r for r in document["roles"] if r["key"] == "sales_rep")
    rep["permissions"]["opportunity_line"]["fields"]["spec_sheet"] = "read"
    publish(engine, AppSpec.from_dict(document), document)


@pytest.fixture
def line_files(sample: str, engine: sa.Engine) -> None:
    add_line_files(engine)


def upload(client: Any, url: str, content: bytes, name: str) -> Any:
    return client.post(
        url, data={"file": (io.BytesIO(content), name)}, content_type="multipart/form-data"
    )


def _product(engine: sa.Engine) -> str:
    with engine.connect() as conn:
        return str(
            conn.execute(
                sa.text("select min(id) from opportunity__product where deleted_at is null")
            ).scalar_one()
        )


def test_row_uploads_have_the_top_level_checks(line_files: None, login: Any) -> None:
    rep = login("zhang.wei")
    ok = upload(rep, PHOTO_URL, PNG, "机柜.png")
    assert ok.status_code == 200, ok.text
    assert ok.get_json()["content_type"] == "image/png"
    too_big = upload(rep, PHOTO_URL, b"\0" * 60_000, "big.png")
    assert too_big.status_code == 422 and "0.05" in too_big.get_json()["error"]
    wrong = upload(rep, PHOTO_URL, b"hello", "notes.txt")
    assert wrong.status_code == 422 and "image/*" in wrong.get_json()["error"]

    sheet = "/t/opportunity/_form/upload/lines.spec_sheet"
    assert upload(rep, sheet, b"%PDF-1.4", "spec.pdf").status_code == 403  # read-only cell
    manager = login("lin.feng")
    assert upload(manager, sheet, b"%PDF-1.4", "spec.pdf").status_code == 200
    assert upload(manager, sheet, b"MZ", "tool.exe").status_code == 422

    assert upload(rep, "/t/opportunity/_form/upload/lines.product", PNG, "a.png").status_code == 404
    assert upload(rep, "/t/opportunity/_form/upload/nope.photo", PNG, "a.png").status_code == 404
    assert upload(rep, "/t/opportunity/_form/upload/photo", PNG, "a.png").status_code == 404


def test_row_files_are_saved_kept_on_errors_and_readable_by_record_readers(
    line_files: None, login: Any, engine: sa.Engine
) -> None:
    rep = login("zhang.wei")
    photo = upload(rep, PHOTO_URL, PNG, "机柜.png").get_json()
    data = _opportunity(engine, customer=_customer(rep), **{"lines-present": "1"})
    row = {
        "lines-0-product": _product(engine),
        "lines-0-quantity": "1",
        "lines-0-unit_price": "100",
        "lines-0-photo": json.dumps([photo], ensure_ascii=False),
    }

    failed = rep.post("/t/opportunity/new", data=MultiDict({**data, **row, "name": ""}))
    assert failed.status_code == 200  # name is required: the form comes back …
    kept = re.search(r'name="lines-0-photo" value="([^"]*)"', failed.text)
    assert kept is not None
    assert json.loads(html.unescape(kept.group(1))) == [photo]  # … with the row's photo

    saved = rep.post("/t/opportunity/new", data=MultiDict({**data, **row}))
    assert saved.status_code == 302, saved.text
    record_id = int(saved.headers["Location"].rstrip("/").split("/")[-1])
    with engine.connect() as conn:
        stored = conn.execute(
            sa.text("select photo from opportunity__opportunity_line where parent_id = :i"),
            {"i": record_id},
        ).scalar_one()
        held = conn.execute(
            sa.text("select table_key, record_id, field_key from kairos_ui_file where id = :i"),
            {"i": int(photo["file_id"])},
        ).one()
    stored = json.loads(stored) if isinstance(stored, str) else stored
    assert [d["file_id"] for d in stored] == [photo["file_id"]]
    assert tuple(held) == ("opportunity_line", record_id, "photo")

    url = f"/files/{photo['file_id']}"
    for reader in ("zhang.wei", "sun.ming"):  # the owner and the director read the deal
        fetched = login(reader).get(url)
        assert fetched.status_code == 200 and fetched.data == PNG
        fetched.close()
    assert login("wang.fang").get(url).status_code == 404  # another rep's own-rows scope

    edit = rep.get(f"/t/opportunity/{record_id}/edit")
    assert re.search(r"/_form/upload/lines\.photo", edit.text)
    assert "机柜.png" in html.unescape(edit.text)

    detail = rep.get(f"/t/opportunity/{record_id}")
    assert f'href="{url}"' in detail.text  # the detail page links the row's photo
    assert "机柜.png" in html.unescape(detail.text)
