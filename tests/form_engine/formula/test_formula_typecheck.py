"""Static checks: result kinds, and every problem reported at once, in both languages."""

from __future__ import annotations

import copy
import string

import pytest

from form_engine.formula import FormulaProblem, check_formula, parse_formula
from form_engine.formula._messages import TEMPLATES
from form_engine.kinds import Kind

FIELDS = {
    "amount": Kind.DECIMAL,
    "probability": Kind.NUMBER,
    "stage": Kind.CHOICE,
    "created_at": Kind.DATETIME,
    "close_date": Kind.DATE,
    "follow_up_at": Kind.TIME,
    "talk_time": Kind.DURATION,
    "owner": Kind.REF,
    "won": Kind.BOOL,
    "name": Kind.TEXT,
    "tags": Kind.CHOICES,
    "address": Kind.JSON,
    "lines": Kind.ROWS,
}
CHILD_FIELDS = {"lines": {"subtotal": Kind.DECIMAL, "product": Kind.REF, "note": Kind.TEXT}}


def check(text: str):
    return check_formula(parse_formula(text), FIELDS, CHILD_FIELDS)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("amount * probability / 100", Kind.DECIMAL),
        ('IF(stage = "won", amount, 0)', Kind.DECIMAL),
        ("SUM(lines.subtotal)", Kind.DECIMAL),
        ("COUNT(lines)", Kind.DECIMAL),
        ('DATEDIF(created_at, TODAY(), "d")', Kind.DECIMAL),
        ("CONCAT(name, stage)", Kind.TEXT),
        ('name & " " & amount', Kind.TEXT),
        ("AND(won, amount > 0)", Kind.BOOL),
        ("created_at >= TODAY()", Kind.BOOL),
        ("follow_up_at < follow_up_at", Kind.BOOL),
        ("talk_time / 60", Kind.DECIMAL),
        ("owner = 7", Kind.BOOL),
        ("ADDDAYS(close_date, 7)", Kind.DATE),
        ("ADDDAYS(created_at, 7)", Kind.DATETIME),
        ("NOW()", Kind.DATETIME),
        ("MAX(lines.subtotal)", Kind.DECIMAL),
        ("MIN(close_date, TODAY())", Kind.DATE),
        ("COALESCE(NULL, close_date)", Kind.DATE),
        ("IF(won, NULL, name)", Kind.TEXT),
        ("ISBLANK(tags)", Kind.BOOL),
        ("COUNT(tags)", Kind.DECIMAL),
        ("COUNT(lines.note)", Kind.DECIMAL),
        ("NULL", None),
    ],
)
def test_sound_formulas_have_a_kind_and_no_problems(text, kind):
    assert check(text) == (kind, [])


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("amout * 2", 'Unknown field "amout" (did you mean amount?)'),
        ("Amount", 'Unknown field "Amount" (did you mean amount?)'),
        ("zzz", 'Unknown field "zzz"'),
        ("TODAY", "TODAY is a function: write TODAY()"),
        ('"a" * 2', '"*" needs a number but the left side is text'),
        ('name + "x"', '"+" needs a number but the left side is text (use & to join text)'),
        (
            "close_date + 1",
            '"+" needs a number but the left side is a date '
            "(use DAYS(end, start) or ADDDAYS(date, n) for dates)",
        ),
        ("-name", '"-" needs a number but the right side is text'),
        (
            'close_date > "2026-01-01"',
            "Cannot compare a date with text (write a date as DATE(2026, 3, 1))",
        ),
        ("amount = name", "Cannot compare a number with text"),
        ("won < TRUE", '"<" cannot order TRUE/FALSE values; use = or !='),
        ("amount = NULL", "Comparing with NULL always gives NULL: use ISBLANK(x) instead"),
        ("ROUND(1, 2, 3)", "ROUND expects 1 to 2 arguments but got 3"),
        ("TODAY(1)", "TODAY expects no arguments but got 1"),
        ("NOT(won, won)", "NOT expects 1 argument but got 2"),
        ("DATE(2026)", "DATE expects 3 arguments but got 1"),
        ("NOT(amount)", "Argument 1 of NOT must be TRUE/FALSE but is a number"),
        ("IF(amount, 1, 2)", "Argument 1 of IF must be TRUE/FALSE but is a number"),
        ("LEN(amount)", "Argument 1 of LEN must be text but is a number"),
        (
            "YEAR(name)",
            "Argument 1 of YEAR must be a date or a date-time but is text",
        ),
        (
            "MAX(lines.note)",
            "Argument 1 of MAX must be a number, a date, a date-time or a time but is text",
        ),
        ("IF(won, name, 1)", "IF mixes text and a number; all values must have the same type"),
        (
            "COALESCE(close_date, created_at)",
            "COALESCE mixes a date and a date-time; all values must have the same type",
        ),
        (
            'DATEDIF(close_date, TODAY(), "w")',
            'The unit of DATEDIF must be "d", "m" or "y", not "w"',
        ),
        (
            "lines.subtotal * 2",
            '"lines.subtotal" holds one value per child row: use it alone inside '
            "SUM, COUNT, AVG, MIN or MAX",
        ),
        (
            "SUM(lines.subtotal, 1)",
            '"lines.subtotal" holds one value per child row: use it alone inside '
            "SUM, COUNT, AVG, MIN or MAX",
        ),
        (
            "lines + 1",
            '"lines" is a child table: use COUNT(lines), ISBLANK(lines) or SUM(lines.<field>)',
        ),
        (
            "SUM(lines)",
            '"lines" is a child table: use COUNT(lines), ISBLANK(lines) or SUM(lines.<field>)',
        ),
        (
            "SUM(lines.subtotl)",
            'Child table "lines" has no field "subtotl" (did you mean subtotal?)',
        ),
        ("SUM(line.subtotal)", 'Unknown field "line" (did you mean lines?)'),
        ("SUM(name.x)", '"name" is not a child table, so "name.x" is not allowed'),
        ("tags & name", '"tags" holds multiple choices and can only be used in ISBLANK'),
        ("address = 1", '"address" holds a structured value and can only be used in ISBLANK'),
    ],
)
def test_problems_are_specific(text, problem):
    _, problems = check(text)
    assert problems == [problem]
    for template in TEMPLATES[problems[0].code].values():  # rendering would not say
        fields = {name for _, name, _, _ in string.Formatter().parse(template) if name}
        assert fields <= set(problems[0].params)


def test_every_problem_is_reported_with_its_position_and_chinese_text():
    _, problems = check('amout * 2 + LEN(amount) & IF(won, name, 1) + "x"')
    assert [problem.code for problem in problems] == [
        "unknown_field",
        "argument_type",
        "mixed_types",
        "operand_type",
    ]
    first = problems[0]
    assert isinstance(first, FormulaProblem)
    assert first.position == 0
    assert first.message("zh-CN") == "字段“amout”不存在（是否想写 amount？）"
    assert first.messages["en"] == str(first)
    assert copy.deepcopy(first).message("zh-CN") == first.message("zh-CN")


def test_a_problem_does_not_cascade():
    # The unknown field is reported once; the arithmetic and IF around it accept it.
    assert check("IF(won, nope * 2, 0) + 1") == (Kind.DECIMAL, ['Unknown field "nope"'])


def test_child_fields_default_to_none():
    formula = parse_formula("SUM(lines.subtotal)")
    _, problems = check_formula(formula, {"lines": Kind.ROWS})
    assert problems == ['"lines" is not a child table, so "lines.subtotal" is not allowed']
