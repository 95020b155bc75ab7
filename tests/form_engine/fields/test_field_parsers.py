"""Property-based and edge-case tests of the number, date, time and duration parsers."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from form_engine.fields import default_registry
from form_engine.fields._numbers import parse_decimal
from form_engine.fields._temporal import date_to_excel_serial, excel_serial_to_datetime
from form_engine.fields.duration import format_duration, parse_duration_text
from form_engine.messages import ParseError
from schemas.spec import FieldSpec

REGISTRY = default_registry()
FULL_WIDTH = str.maketrans("0123456789.,-", "０１２３４５６７８９．，－")
MONEY = FieldSpec("amount", "money", {"en": "Amount"})
NUMBER = FieldSpec("qty", "number", {"en": "Qty"})
DATE = FieldSpec("day", "date", {"en": "Day"})
amounts = st.decimals(
    min_value=Decimal("-999999999999.99"), max_value=Decimal("999999999999.99"), places=2
)


@given(amounts, st.sampled_from(["¥", "￥", "", "RMB "]), st.sampled_from(["", "元"]))
def test_formatted_money_parses_back_exactly(amount: Decimal, prefix: str, suffix: str) -> None:
    text = f"{prefix}{amount:,.2f}{suffix}"
    value = REGISTRY.get("money").parse(text, MONEY)
    assert isinstance(value, Decimal) and value == amount


@given(amounts)
def test_full_width_digits_mean_the_same_number(amount: Decimal) -> None:
    ascii_text = f"{amount:,.2f}"
    assert parse_decimal(ascii_text.translate(FULL_WIDTH)) == parse_decimal(ascii_text) == amount


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_integers_with_thousands_separators(value: int) -> None:
    assert REGISTRY.get("number").parse(f"{value:,}", NUMBER) == value
    assert REGISTRY.get("number").parse(f"{value:,}".replace(",", " "), NUMBER) == value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.2万", Decimal("12000")),
        ("3亿", Decimal("300000000")),
        ("(1,200)", Decimal("-1200")),
        ("-¥1,234.50", Decimal("-1234.50")),
        ("¥-5", Decimal("-5")),
        ("1.5E+3", Decimal("1500")),
        ("+7", Decimal(7)),
        ("−3", Decimal(-3)),
    ],
)
def test_number_notations(text: str, expected: Decimal) -> None:
    assert parse_decimal(text, currency=True) == expected


@pytest.mark.parametrize("text", ["1,2345", "1.2.3", "¥", "12abc", "1 2", "NaN", "inf", "--1"])
def test_malformed_numbers_are_rejected(text: str) -> None:
    with pytest.raises(ParseError) as exc:
        parse_decimal(text, currency=True)
    assert exc.value.code == "not_a_number"


def test_money_never_becomes_float_and_drops_spreadsheet_noise() -> None:
    value = REGISTRY.get("money").parse(0.1 + 0.2, MONEY)
    assert value == Decimal("0.3") and isinstance(value, Decimal)
    assert REGISTRY.get("money").to_json(Decimal("1234.5"), MONEY) == "1234.50"


def test_currency_symbols_only_count_for_money() -> None:
    with pytest.raises(ParseError):
        REGISTRY.get("number").parse("¥12", NUMBER)


@given(st.dates(min_value=date(1900, 3, 1), max_value=date(9999, 12, 31)))
def test_dates_in_every_accepted_notation(day: date) -> None:
    date_type = REGISTRY.get("date")
    notations = [
        day.isoformat(),
        f"{day.year}/{day.month}/{day.day}",
        f"{day.year}年{day.month}月{day.day}日",
        f"{day.year:04d}{day.month:02d}{day.day:02d}",
        f"{day.year}.{day.month:02d}.{day.day:02d}",
        day.isoformat().translate(FULL_WIDTH),
    ]
    for text in notations:
        assert date_type.parse(text, DATE) == day, text
    assert date_type.parse(date_to_excel_serial(day), DATE) == day


@pytest.mark.parametrize(
    ("serial", "expected"),
    [
        (1, date(1900, 1, 1)),
        (59, date(1900, 2, 28)),
        (61, date(1900, 3, 1)),
        (46082, date(2026, 3, 1)),
        (2958465, date(9999, 12, 31)),
    ],
)
def test_excel_serials_follow_the_1900_leap_year_bug(serial: int, expected: date) -> None:
    assert excel_serial_to_datetime(serial).date() == expected
    assert date_to_excel_serial(expected) == serial


@pytest.mark.parametrize("serial", [60, 0, -1, 2958466])
def test_impossible_excel_serials_are_rejected(serial: int) -> None:
    with pytest.raises(ParseError) as exc:
        REGISTRY.get("date").parse(serial, DATE)
    assert exc.value.code == "not_a_date"


def test_datetime_uses_the_configured_timezone_for_naive_input() -> None:
    utc_field = FieldSpec("at", "datetime", {"en": "At"}, config={"timezone": "UTC"})
    default_field = FieldSpec("at", "datetime", {"en": "At"})
    datetime_type = REGISTRY.get("datetime")
    assert datetime_type.parse("2026-03-01 14:30", utc_field) == datetime(
        2026, 3, 1, 14, 30, tzinfo=UTC
    )
    local = datetime_type.parse("2026-03-01 14:30", default_field)
    assert local == datetime(2026, 3, 1, 6, 30, tzinfo=UTC)
    assert datetime_type.to_json(local, default_field) == "2026-03-01T06:30:00Z"
    assert datetime_type.export(local, default_field) == "2026-03-01 14:30:00"
    assert datetime_type.export(local, utc_field) == "2026-03-01 06:30:00"
    assert list(
        datetime_type.check_config(
            FieldSpec("at", "datetime", {}, config={"timezone": "Mars/Olympus"})
        )
    ) == ["timezone 'Mars/Olympus' is not an IANA timezone"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12:00 AM", time(0)),
        ("12:05 pm", time(12, 5)),
        ("凌晨1点", time(1)),
        ("中午12点", time(12)),
        ("晚上8:15", time(20, 15)),
        ("9点", time(9)),
        ("14:30:15.25", time(14, 30, 15, 250000)),
    ],
)
def test_clock_notations(text: str, expected: time) -> None:
    field = FieldSpec("t", "time", {"en": "T"})
    assert REGISTRY.get("time").parse(text, field) == expected


@given(st.integers(min_value=0, max_value=10**7))
def test_exported_durations_parse_back(seconds: int) -> None:
    assert parse_duration_text(format_duration(seconds)) == seconds


@given(st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=30)))
def test_timedeltas_become_whole_seconds(delta: timedelta) -> None:
    field = FieldSpec("d", "duration", {"en": "D"})
    assert REGISTRY.get("duration").parse(delta, field) == round(delta.total_seconds())


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("1天2小时", 93600),
        ("1d 2h 3m 4s", 93784),
        ("90 min", 5400),
        ("30秒", 30),
        ("0.5h", 1800),
        ("3 hours, 20 minutes", 12000),
    ],
)
def test_duration_units(text: str, seconds: int) -> None:
    assert parse_duration_text(text) == seconds


PERCENT = FieldSpec("rate", "percent", {"en": "Rate"})
PRICE = FieldSpec("price", "number", {"en": "Price"}, config={"precision": 2})


@pytest.mark.parametrize(
    ("field", "raw", "expected"),
    [
        (NUMBER, "１，２３４", 1234),
        (NUMBER, "\u3000１２３\u3000", 123),  # ideographic spaces around
        (NUMBER, "１\u3000２３４\u3000５６７", 1234567),  # and as thousands separators
        (NUMBER, "－５", -5),
        (NUMBER, "＋５", 5),
        (NUMBER, "（１，２００）", -1200),
        (NUMBER, "１．２万", 12000),
        (PRICE, "１２３．４５", 123.45),
        (MONEY, "￥１，２３４．５０", Decimal("1234.50")),
        (MONEY, "－￥５", Decimal("-5")),
        (MONEY, "ＲＭＢ\u3000８８", Decimal("88")),
        (MONEY, "１．２万元", Decimal("12000")),
        (PERCENT, "３５％", 35),
        (PERCENT, "３５\u3000％", 35),
        (PERCENT, "－５％", -5),
    ],
)
def test_numeric_types_read_full_width_input(field: FieldSpec, raw: str, expected: object) -> None:
    value = REGISTRY.get(field.type).parse(raw, field)
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize(
    ("field", "raw"),
    [(NUMBER, "１２ａｂ"), (NUMBER, "１，２３"), (MONEY, "￥ａｂｃ"), (PERCENT, "３５％％")],
)
def test_bad_full_width_numbers_name_the_input(field: FieldSpec, raw: str) -> None:
    with pytest.raises(ParseError) as exc:
        REGISTRY.get(field.type).parse(raw, field)
    assert exc.value.code == "not_a_number"
    error = exc.value.to_field_error(field.key, field.label)
    assert error.message("en") == f'{field.label["en"]} must be a number, got "{raw}"'
