"""Calendar edge cases: a bad ``date`` parameter falls back to today with a warning, and
the toast joins several errors with the separator of the user's language."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo


def texts_of(html: str) -> dict[str, str]:
    found = re.search(
        r'<script type="application/json" id="board-texts">(.*?)</script>', html, re.S
    )
    assert found is not None
    return json.loads(found.group(1))


def test_a_bad_date_shows_today_with_a_warning(login: Any) -> None:
    response = login("zhang.wei").get("/t/task/calendar?date=xx")
    assert response.status_code == 200
    html = response.text
    assert 'data-testid="calendar-bad-date"' in html and "日期“xx”无效" in html
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    assert f'calendar-day-{today}"' in html
    assert "bcal-today" in html
    fine = login("zhang.wei").get("/t/task/calendar?date=2026-03-18").text
    assert "calendar-bad-date" not in fine


def test_errors_are_joined_with_the_separator_of_the_language(login: Any) -> None:
    client = login("zhang.wei")
    assert texts_of(client.get("/t/task/calendar").text)["separator"] == "；"
    client.post("/locale/en")
    assert texts_of(client.get("/t/task/calendar").text)["separator"] == "; "
