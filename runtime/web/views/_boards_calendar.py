"""The calendar: records placed on a month or week grid by one of their date or datetime
fields, built on the server (weeks start on Monday, as in China). Datetimes are shown in
the field's timezone; moving an event to another day keeps its time of day."""

from __future__ import annotations

import calendar as pycalendar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from babel.dates import format_skeleton, get_day_names, get_month_names

from form_engine.fields.date_time import field_zone, iso_utc
from runtime.web.context import actor, service
from runtime.web.i18n import babel_locale, t
from runtime.web.views._boards_common import detail_url, editable, queryable, title_of
from runtime.web.views._boards_kanban import COLOR_CLASSES
from schemas.spec import FieldSpec, TableSpec

MAX_EVENTS = 600
"""Events read for one grid (12 pages of 50); a busier month shows the first ones."""
VIEWS = ("month", "week")


@dataclass
class Day:
    day: date
    in_month: bool
    today: bool
    label: str = ""
    """The day number in a month; "3月9日" / "Mar 9" in a week."""
    events: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Grid:
    view: str
    anchor: date
    title: str
    weekdays: list[str]
    weeks: list[list[Day]]
    prev: date
    next: date
    truncated: bool


def date_fields(spec: TableSpec) -> list[FieldSpec]:
    return [f for f in spec.fields if f.type in ("date", "datetime") and queryable(spec.key, f)]


def default_date_field(spec: TableSpec, candidates: list[FieldSpec]) -> FieldSpec | None:
    """The first required field the user can edit (task: due date, follow-up: occurred at),
    else the first editable one, else the first."""
    for wanted in (
        lambda f: f.required and editable(spec.key, f),
        lambda f: editable(spec.key, f),
        lambda f: True,
    ):
        for f in candidates:
            if wanted(f):
                return f
    return None


def month_names() -> list[str]:
    names = get_month_names("wide", locale=babel_locale())
    return [names[i] for i in range(1, 13)]


def weekday_names() -> list[str]:
    """Monday first: 周一 … 周日 / Mon … Sun."""
    names = get_day_names("abbreviated", locale=babel_locale())
    return [names[i] for i in range(7)]


def build_grid(spec: TableSpec, by: FieldSpec, view: str, anchor: date, today: date) -> Grid:
    if view == "week":
        start = anchor - timedelta(days=anchor.weekday())
        end = start + timedelta(days=7)
        title = _week_title(start)
        prev, nxt = anchor - timedelta(days=7), anchor + timedelta(days=7)
    else:
        first = anchor.replace(day=1)
        start = first - timedelta(days=first.weekday())
        last = first.replace(day=pycalendar.monthrange(first.year, first.month)[1])
        end = last + timedelta(days=7 - last.weekday())
        title = format_skeleton("yMMMM", first, locale=babel_locale())
        prev = (first - timedelta(days=1)).replace(day=1)
        nxt = last + timedelta(days=1)
    days = {}
    cursor = start
    while cursor < end:
        label = (
            format_skeleton("MMMd", cursor, locale=babel_locale())
            if view == "week" or cursor.day == 1
            else str(cursor.day)
        )
        days[cursor] = Day(
            cursor, view == "week" or cursor.month == anchor.month, cursor == today, label
        )
        cursor += timedelta(days=1)
    events, truncated = _events(spec, by, start, end)
    for event in events:
        if event["day"] in days:
            days[event["day"]].events.append(event)
    ordered = list(days.values())
    weeks = [ordered[i : i + 7] for i in range(0, len(ordered), 7)]
    return Grid(view, anchor, title, weekday_names(), weeks, prev, nxt, truncated)


def _week_title(start: date) -> str:
    end = start + timedelta(days=6)
    first = format_skeleton("yMMMd", start, locale=babel_locale())
    last = format_skeleton(
        "MMMd" if end.year == start.year else "yMMMd", end, locale=babel_locale()
    )
    return f"{first} – {last}"


def _bounds(by: FieldSpec, start: date, end: date) -> list[str]:
    """``between`` values for the grid: dates as they are; datetimes as UTC instants of the
    local midnights (the last one less a microsecond, as ``between`` includes both ends)."""
    if by.type == "date":
        return [start.isoformat(), (end - timedelta(days=1)).isoformat()]
    local = field_zone(by)
    low = datetime.combine(start, time(0), local).astimezone(UTC)
    high = datetime.combine(end, time(0), local).astimezone(UTC) - timedelta(microseconds=1)
    return [iso_utc(low), iso_utc(high)]


def _events(spec: TableSpec, by: FieldSpec, start: date, end: date) -> tuple[list[Any], bool]:
    where = {"field": by.key, "op": "between", "value": _bounds(by, start, end)}
    rows: list[dict[str, Any]] = []
    after = None
    while True:
        page = service().query(
            actor(),
            spec.key,
            where=where,
            order_by=[(by.key, "asc")],
            limit=50,
            after=after,
        )
        rows.extend(page.rows)
        after = page.next_cursor
        if after is None or len(rows) >= MAX_EVENTS:
            break
    return [event(spec, by, r) for r in rows], after is not None


def event(spec: TableSpec, by: FieldSpec, row: dict[str, Any]) -> dict[str, Any]:
    """What the grid shows of a record: title, time of day (datetime fields), a colour from
    the first single_select with colours (task status), and where clicking leads."""
    value = row[by.key]
    when = ""
    if by.type == "datetime":
        local = datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(field_zone(by))
        day, when = local.date(), local.strftime("%H:%M")
    else:
        day = date.fromisoformat(value)
    color, badge = "secondary", ""
    for f in spec.fields:
        if f.type != "single_select":
            continue
        options = {o["key"]: o for o in f.config.get("options", [])}
        if any("color" in o for o in options.values()) and queryable(spec.key, f):
            chosen = options.get(row.get(f.key) or "")
            if chosen is not None:
                color = COLOR_CLASSES.get(str(chosen.get("color", "")), "secondary")
                badge = t(chosen.get("label") or chosen["key"])
            break
    return {
        "id": row["id"],
        "row_version": row["row_version"],
        "title": title_of(spec, row),
        "day": day,
        "time": when,
        "color": color,
        "badge": badge,
        "url": detail_url(spec.key, row["id"]),
    }


def moved_value(by: FieldSpec, current: str | None, new_day: date) -> str:
    """The new value of ``by`` when an event is dropped on ``new_day``: a date as is; a
    datetime on that day at the same local time of day (09:00 if it had none)."""
    if by.type == "date":
        return new_day.isoformat()
    local = field_zone(by)
    if current:
        old = datetime.fromisoformat(current.replace("Z", "+00:00")).astimezone(local)
        clock = old.timetz().replace(tzinfo=None)
    else:
        clock = time(9, 0)
    moved = datetime.combine(new_day, clock, local)
    return iso_utc(moved)
