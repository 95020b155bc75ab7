"""What a sales rep may not see, checked in a real browser; and an export download."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.runtime.web.conftest import ARTIFACTS, sign_in

pytestmark = pytest.mark.browser


def _opportunities(engine: sa.Engine) -> list[tuple[int, str, int]]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("select id, name, owner_id from opportunity__opportunity order by id")
        ).all()
    return [(int(r.id), r.name, int(r.owner_id)) for r in rows]


def _user(engine: sa.Engine, username: str) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                sa.text("select id from kairos_user where username = :u"), {"u": username}
            ).scalar_one()
        )


def test_a_rep_sees_only_own_opportunities_and_never_a_hidden_field(
    page, engine: sa.Engine
) -> None:
    with engine.connect() as conn:
        rep_name = conn.execute(
            sa.text(
                "select u.username from kairos_user u"
                " join kairos_role_member m on m.user_id = u.id and m.role_key = 'sales_rep'"
                " where exists (select 1 from opportunity__opportunity o where o.owner_id = u.id)"
                " order by u.id limit 1"
            )
        ).scalar_one()
    rep = _user(engine, rep_name)
    deals = _opportunities(engine)
    own = [d for d in deals if d[2] == rep]
    other = next(d for d in deals if d[2] != rep)
    sign_in(page, rep_name)

    page.goto("/t/opportunity?size=200")
    listed = page.inner_text("table")
    assert all(name in listed for _id, name, _owner in own)
    assert other[1] not in listed
    page.screenshot(path=str(ARTIFACTS / "rep-list-zh.png"), full_page=True)

    response = page.goto(f"/t/opportunity/{other[0]}")
    assert response is not None and response.status == 404
    assert "未找到" in page.inner_text("body")
    response = page.goto(f"/t/opportunity/{other[0]}/edit")
    assert response is not None and response.status == 404

    page.goto(f"/t/opportunity/{own[0][0]}")
    assert "产品毛利" not in page.inner_text("body")  # product_margin is hidden for reps
    page.goto("/t/product/1")
    assert "成本价" not in page.inner_text("body")  # product cost is hidden for reps

    page.goto("/t/opportunity?cols=name,product_margin")
    assert "产品毛利" not in page.inner_text("body")


def test_a_director_downloads_the_current_view_as_csv(page, engine: sa.Engine) -> None:
    sign_in(page, "sun.ming")
    page.goto("/t/opportunity")
    page.click("[data-testid=export-menu]")
    with page.expect_download() as download_info:
        page.click("[data-testid=export-csv]")
    download = download_info.value
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert "商机名称" in rows[0]
    assert len(rows) - 1 == len(_opportunities(engine))
