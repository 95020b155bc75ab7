"""Evaluation: Decimal arithmetic, the NULL rules, functions, child rows and the clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal

import pytest

from form_engine.formula import FormulaEvaluationError, evaluate_formula, parse_formula

SHANGHAI = timezone(timedelta(hours=8))
NOW = datetime(2026, 3, 1, 9, 30, tzinfo=SHANGHAI)
LINES = [
    {"product": 1, "qty": 2, "subtotal": Decimal("100.10")},
    {"product": 2, "qty": 1, "subtotal": None},
    {"product": 3, "qty": 5, "subtotal": Decimal("0.20")},
]


def run(text: str, record=None, **options):
    options.setdefault("now", NOW)
    return evaluate_formula(parse_formula(text), record or {}, **options)


# --- numbers ----------------------------------------------------------------------------


def test_money_does_not_lose_cents():
    assert run("0.1 + 0.2") == Decimal("0.3")
    assert run("a + b", {"a": 0.1, "b": 0.2}) == Decimal("0.3")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2 * 3", Decimal(7)),
        ("(1 + 2) * 3", Decimal(9)),
        ("10 - 4 - 3", Decimal(3)),
        ("-2 * 3", Decimal(-6)),
        ("1 / 4", Decimal("0.25")),
        ("1 / 3", Decimal("0.3333333333333333333333333333")),
        ("0 * -1", Decimal(0)),
    ],
)
def test_arithmetic(text, expected):
    result = run(text)
    assert result == expected
    assert not result.is_signed() or result < 0  # never "-0"


def test_weighted_amount_of_the_crm():
    record = {"amount": Decimal("125000.00"), "probability": 30}
    assert run("amount * probability / 100", record) == Decimal("37500.00")


def test_record_numbers_are_coerced_to_decimal_through_str():
    assert run("a", {"a": 1.1}) == Decimal("1.1")
    assert run("a", {"a": 7}) == Decimal(7)
    assert run("a", {"a": float("nan")}) is None
    assert run("a", {"a": True}) is True


@pytest.mark.parametrize("text", ["a / 0", "a / b", "1 / (b - b)", "MOD(a, 0)"])
def test_division_by_zero_is_null(text):
    assert run(text, {"a": 5, "b": 0}) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ROUND(2.5, 0)", Decimal(3)),
        ("ROUND(3.5, 0)", Decimal(4)),
        ("ROUND(-2.5, 0)", Decimal(-3)),
        ("ROUND(2.345, 2)", Decimal("2.35")),
        ("ROUND(2.5)", Decimal(3)),
        ("ROUND(1234.5, -2)", Decimal(1200)),
        ("ROUND(-0.4, 0)", Decimal(0)),
        ("ROUND(1, 99)", None),
        ("ABS(-3.5)", Decimal("3.5")),
        ("MOD(7, 3)", Decimal(1)),
        ("MOD(-3, 2)", Decimal(1)),
        ("MOD(3, -2)", Decimal(-1)),
    ],
)
def test_number_functions(text, expected):
    assert run(text) == expected


def test_round_keeps_the_requested_places_for_display():
    assert run('"¥" & ROUND(2, 2)') == "¥2.00"
    assert str(run("ROUND(1234.5, -2)")) == "1200"


# --- NULL -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("NULL + 1", None),
        ("missing * 2", None),
        ("-missing", None),
        ("missing = 1", None),
        ("missing <> 1", None),
        ('IF(missing = 1, "yes", "no")', "no"),
        ("IF(NULL, 1)", None),
        ('"a" & NULL & "b"', "ab"),
        ('CONCAT("a", NULL, 1.50, TRUE)', "a1.50TRUE"),
        ("ROUND(NULL, 2)", None),
        ("LEN(NULL)", None),
        ("YEAR(NULL)", None),
        ("COALESCE(NULL, missing, 3, 4)", Decimal(3)),
        ("COALESCE(NULL)", None),
        ("ISBLANK(missing)", True),
        ('ISBLANK("")', True),
        ('ISBLANK(" ")', False),
        ("ISBLANK(0)", False),
        ("NOT(NULL)", None),
    ],
)
def test_null_rules(text, expected):
    assert run(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("AND(TRUE, TRUE)", True),
        ("AND(TRUE, NULL)", None),
        ("AND(FALSE, NULL)", False),
        ("AND(NULL, FALSE)", False),
        ("OR(FALSE, FALSE)", False),
        ("OR(FALSE, NULL)", None),
        ("OR(NULL, TRUE)", True),
        ("NOT(TRUE)", False),
    ],
)
def test_and_or_use_three_valued_logic(text, expected):
    assert run(text) is expected


def test_if_evaluates_only_the_branch_taken():
    assert run('IF(TRUE, 1, "x" * 2)') == Decimal(1)
    assert run("IF(FALSE, 1)") is None


# --- comparisons ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 = 1.00", True),
        ("1 != 1", False),
        ("1 <> 2", True),
        ('"a" < "b"', True),
        ('"A" = "a"', False),
        ("TRUE = TRUE", True),
        ("DATE(2026, 3, 1) < DATE(2026, 3, 2)", True),
        ("2 >= 2", True),
    ],
)
def test_comparisons(text, expected):
    assert run(text) is expected


def test_date_time_compares_with_date_by_its_local_date():
    # 2026-02-28 17:00 UTC is 2026-03-01 01:00 in Shanghai, i.e. "today" there.
    record = {"created_at": datetime(2026, 2, 28, 17, 0, tzinfo=UTC)}
    assert run("created_at = TODAY()", record) is True
    assert run("created_at = TODAY()", record, now=NOW.astimezone(UTC)) is False


@pytest.mark.parametrize(
    "text", ['"a" * 2', '1 < "a"', "TRUE < FALSE", "IF(1, 2, 3)", "AND(1)", "LEN(5)"]
)
def test_wrong_types_raise_a_localised_evaluation_error(text):
    with pytest.raises(FormulaEvaluationError) as caught:
        run(text)
    assert caught.value.message("zh-CN") != caught.value.message("en")


def test_unchecked_misuse_raises_evaluation_errors():
    with pytest.raises(FormulaEvaluationError, match="one value per child row"):
        run("lines.subtotal + 1", children={"lines": LINES})
    with pytest.raises(FormulaEvaluationError, match="ROUND expects 1 to 2 arguments"):
        run("ROUND(1, 2, 3)")


# --- child rows -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SUM(lines.subtotal)", Decimal("100.30")),
        ("COUNT(lines)", Decimal(3)),
        ("COUNT(lines.subtotal)", Decimal(2)),
        ("AVG(lines.subtotal)", Decimal("50.15")),
        ("MIN(lines.subtotal)", Decimal("0.20")),
        ("MAX(lines.qty)", Decimal(5)),
        ("SUM(lines.qty) * 2", Decimal(16)),
        ("ISBLANK(lines)", False),
    ],
)
def test_aggregates_over_child_rows_skip_nulls(text, expected):
    assert run(text, children={"lines": LINES}) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SUM(lines.subtotal)", Decimal(0)),
        ("COUNT(lines)", Decimal(0)),
        ("AVG(lines.subtotal)", None),
        ("MIN(lines.subtotal)", None),
        ("ISBLANK(lines)", True),
    ],
)
def test_aggregates_of_no_rows(text, expected):
    assert run(text, children={"lines": []}) == expected
    assert run(text) == expected  # no rows given at all


def test_rows_may_come_in_the_record_itself():
    assert run("SUM(lines.subtotal)", {"lines": LINES}) == Decimal("100.30")


def test_aggregates_of_arguments():
    record = {"a": 1, "b": None, "c": Decimal("2.5")}
    assert run("SUM(a, b, c)", record) == Decimal("3.5")
    assert run("COUNT(a, b, c)", record) == Decimal(2)
    assert run("AVG(a, b, c)", record) == Decimal("1.75")
    assert run("MAX(a, b, c)", record) == Decimal("2.5")
    assert run("MIN(DATE(2026, 1, 2), DATE(2025, 12, 31))") == date(2025, 12, 31)
    assert run("COUNT(tags)", {"tags": ["vip", "key"]}) == Decimal(2)


# --- dates ------------------------------------------------------------------------------


def test_today_and_now_come_from_the_clock():
    assert run("TODAY()") == date(2026, 3, 1)
    assert run("NOW()") == NOW
    assert run("TODAY()", today=date(2030, 1, 1)) == date(2030, 1, 1)
    assert isinstance(evaluate_formula(parse_formula("NOW()"), {}), datetime)


def test_days_open_of_the_crm():
    record = {"created_at": datetime(2026, 2, 1, 23, 0, tzinfo=UTC)}  # Feb 2 in Shanghai
    assert run('DATEDIF(created_at, TODAY(), "d")', record) == Decimal(27)


@pytest.mark.parametrize(
    ("start", "end", "unit", "expected"),
    [
        (date(2026, 1, 31), date(2026, 2, 28), "m", 0),
        (date(2026, 1, 31), date(2026, 3, 31), "m", 2),
        (date(2025, 3, 1), date(2026, 2, 28), "y", 0),
        (date(2025, 3, 1), date(2026, 3, 1), "Y", 1),
        (date(2026, 3, 10), date(2026, 3, 1), "d", -9),
        (date(2026, 3, 31), date(2026, 1, 31), "m", -2),
        (date(2026, 1, 1), date(2026, 2, 1), "w", None),
    ],
)
def test_datedif(start, end, unit, expected):
    result = run(f'DATEDIF(s, e, "{unit}")', {"s": start, "e": end})
    assert result == (None if expected is None else Decimal(expected))


def test_date_functions():
    record = {"d": date(2026, 2, 27), "t": datetime(2026, 12, 31, 20, 0, tzinfo=UTC)}
    assert run("DAYS(DATE(2026, 3, 1), d)", record) == Decimal(2)
    assert run("ADDDAYS(d, 3)", record) == date(2026, 3, 2)
    assert run("ADDDAYS(d, 1.9)", record) == date(2026, 2, 28)
    assert run("ADDDAYS(t, -1)", record) == datetime(2026, 12, 30, 20, 0, tzinfo=UTC)
    assert run("ADDDAYS(d, 99999999)", record) is None
    assert [run(f"{part}(t)", record) for part in ("YEAR", "MONTH", "DAY")] == [
        Decimal(2027),
        Decimal(1),
        Decimal(1),  # already 2027 in Shanghai
    ]
    assert run("DATE(2026, 2, 30)") is None


def test_text_form_of_values():
    record = {
        "d": date(2026, 3, 1),
        "t": datetime(2026, 3, 1, 6, 30, tzinfo=UTC),
        "h": time(14, 30),
        "n": 1200.5,
    }
    assert run('d & " " & t & " " & h & " " & n', record) == (
        "2026-03-01 2026-03-01 14:30:00 14:30:00 1200.5"
    )


def test_naive_date_times_are_taken_as_utc():
    assert run("t = TODAY()", {"t": datetime(2026, 3, 1, 1, 0)}) is True


# --- text -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("CONCAT(last_name, first_name)", "张伟"),
        ("last_name & first_name", "张伟"),
        ("LEN(company)", Decimal(6)),
        ("UPPER(code)", "ABC"),
        ("LOWER(code)", "abc"),
        ("TRIM(padded)", "x"),
        ("LEFT(company, 2)", "深圳"),
        ("RIGHT(company, 2)", "公司"),
        ("LEFT(company)", "深"),
        ("RIGHT(company, 0)", ""),
        ("RIGHT(company, 99)", "深圳科技公司"),
        ("LEFT(company, -1)", None),
    ],
)
def test_text_functions(text, expected):
    record = {
        "last_name": "张",
        "first_name": "伟",
        "company": "深圳科技公司",
        "code": "aBc",
        "padded": "\u3000 x ",
    }
    assert run(text, record) == expected
