"""Uploading an image into a child-table row in a real browser, in a row added with
"Add row" after the page loaded; the saved row holds it and the edit form shows it."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import sqlalchemy as sa

from tests.runtime.web.conftest import ARTIFACTS, sign_in
from tests.runtime.web.test_forms_browser import (  # noqa: F401
    choose,
    field,
    new_opportunity,
    pick_day,
    problems,
)
from tests.runtime.web.test_forms_row_files import PNG, add_line_files


@pytest.fixture
def line_files(sample: str, engine: sa.Engine) -> None:
    add_line_files(engine)


pytestmark = pytest.mark.browser


def test_image_in_an_added_row(
    line_files: None,
    page: Any,
    problems: list[str],  # noqa: F811
    engine: sa.Engine,
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    sign_in(page, "admin")
    new_opportunity(page, "机房改造项目")
    choose(field(page, "customer"), "", search="")
    choose(field(page, "stage"), "需求确认", search="需求")
    page.fill("#f-amount", "80000")
    page.fill("#f-probability", "20")
    pick_day(page, "expected_close_date", 12)
    page.click("a[href='#tab-products']")
    page.click("[data-testid=add-row-lines]")
    row = page.locator(".kf-rows[data-field=lines] tbody [data-row]").last
    choose(row.locator("td").nth(1), "", search="")
    row.locator("input[name$='-quantity']").fill("2")
    row.locator("input[name$='-unit_price']").fill("100")

    cell = row.locator(".kf-files[data-upload-url$='lines.photo']")
    cell.locator("[data-file-picker]").set_input_files(
        {"name": "机柜.txt", "mimeType": "text/plain", "buffer": b"not an image"}
    )
    cell.locator("[data-upload-error]").filter(has_text="image/*").wait_for()
    cell.locator("[data-file-picker]").set_input_files(
        {"name": "机柜.png", "mimeType": "image/png", "buffer": PNG}
    )
    cell.locator(".kf-file a", has_text="机柜.png").wait_for()
    assert cell.locator("[data-upload-error]").inner_text() == ""
    cell.scroll_into_view_if_needed()
    page.locator(".kf-rows[data-field=lines]").screenshot(
        path=str(ARTIFACTS / "form-row-image-zh.png")
    )

    page.click("[data-testid=save]")
    page.wait_for_url(re.compile(r"/t/opportunity/\d+$"))
    record_id = int(page.url.rsplit("/", 1)[1])
    with engine.connect() as conn:
        photo = conn.execute(
            sa.text("select photo from opportunity__opportunity_line where parent_id = :i"),
            {"i": record_id},
        ).scalar_one()
    photo = json.loads(photo) if isinstance(photo, str) else photo
    assert [d["name"] for d in photo] == ["机柜.png"]

    page.goto(f"/t/opportunity/{record_id}/edit")
    page.click("a[href='#tab-products']")
    image = page.locator(".kf-rows .kf-file img").first
    image.wait_for()
    fetched = page.request.get(str(image.get_attribute("src")))
    assert fetched.status == 200 and fetched.body() == PNG  # the saved row's image is served
    assert image.evaluate("img => img.complete && img.naturalWidth") == 8
    # the 4xx of the refused upload above is expected; nothing else failed
    assert [p for p in problems if "/_form/upload/" not in p] == []
