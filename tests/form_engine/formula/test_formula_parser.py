"""Parsing: literals, precedence, references, the canonical printer and every syntax error."""

from __future__ import annotations

from decimal import Decimal

import pytest

from form_engine.formula import (
    MAX_DEPTH,
    MAX_LENGTH,
    FormulaSyntaxError,
    parse_formula,
    unparse,
)
from form_engine.formula.ast import Binary, Call, ChildRef, FieldRef, Literal, Unary


def tree(text: str):
    return parse_formula(text).tree


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", Literal(Decimal("12"))),
        ("3.5", Literal(Decimal("3.5"))),
        (".5", Literal(Decimal("0.5"))),
        ('"赢单"', Literal("赢单")),
        (r'"say \"hi\" \\ \n"', Literal('say "hi" \\ \n')),
        ("TRUE", Literal(True)),
        ("false", Literal(False)),
        ("Null", Literal(None)),
        ("amount", FieldRef("amount")),
        ("lines.subtotal", ChildRef("lines", "subtotal")),
        ("today()", Call("TODAY", ())),
    ],
)
def test_atoms(text, expected):
    assert tree(text) == expected


def test_precedence_follows_excel():
    # comparison < & < + - < * / < unary minus
    assert tree("a = b & c + d * -e") == Binary(
        "=",
        FieldRef("a"),
        Binary(
            "&",
            FieldRef("b"),
            Binary("+", FieldRef("c"), Binary("*", FieldRef("d"), Unary("-", FieldRef("e")))),
        ),
    )


def test_operators_of_one_level_associate_left():
    assert tree("a - b - c") == Binary(
        "-", Binary("-", FieldRef("a"), FieldRef("b")), FieldRef("c")
    )
    assert tree("a / b * c") == Binary(
        "*", Binary("/", FieldRef("a"), FieldRef("b")), FieldRef("c")
    )


def test_parentheses_override_precedence():
    assert tree("(a + b) * c") == Binary(
        "*", Binary("+", FieldRef("a"), FieldRef("b")), FieldRef("c")
    )


def test_unary_minus_binds_tighter_than_multiplication():
    assert tree("-a * b") == Binary("*", Unary("-", FieldRef("a")), FieldRef("b"))
    assert tree("a - -b") == Binary("-", FieldRef("a"), Unary("-", FieldRef("b")))


@pytest.mark.parametrize("operator", ["=", "!=", "<>", "<", "<=", ">", ">="])
def test_comparison_operators(operator):
    assert tree(f"a {operator} 1") == Binary(operator, FieldRef("a"), Literal(Decimal(1)))


def test_function_names_are_case_insensitive_and_take_arguments():
    assert tree('if(stage = "won", amount, 0)') == Call(
        "IF",
        (
            Binary("=", FieldRef("stage"), Literal("won")),
            FieldRef("amount"),
            Literal(Decimal(0)),
        ),
    )


def test_whitespace_including_newlines_and_full_width_space_is_ignored():
    assert tree("IF(\n  won,\u3000amount,\t0\n)") == tree("IF(won, amount, 0)")


def test_leading_equals_sign_is_allowed():
    assert tree("=amount * 2") == tree("amount * 2")


def test_positions_point_into_the_text():
    parsed = tree("amount + lines.subtotal")
    assert isinstance(parsed, Binary)
    assert (parsed.position, parsed.left.position, parsed.right.position) == (7, 0, 9)


def test_references_list_fields_and_child_columns():
    formula = parse_formula("IF(ISBLANK(a), SUM(lines.subtotal), b + COUNT(items)) & a")
    assert formula.references == {"a", "b", "items", ("lines", "subtotal")}
    assert formula.field_keys == {"a", "b", "items", "lines"}


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("a+b*c", "a + b * c"),
        ("(a+b)*c", "(a + b) * c"),
        ("a-(b-c)", "a - (b - c)"),
        ("-(a+b)", "-(a + b)"),
        ("(a=b)=c", "(a = b) = c"),
        ('concat("x\\"y", lines.n)', 'CONCAT("x\\"y", lines.n)'),
        ("round( 2.50 , 0 )", "ROUND(2.50, 0)"),
    ],
)
def test_unparse_is_canonical_and_parses_back(text, canonical):
    assert unparse(parse_formula(text)) == canonical
    assert parse_formula(canonical) == parse_formula(text)


def syntax_error(text: str) -> FormulaSyntaxError:
    with pytest.raises(FormulaSyntaxError) as caught:
        parse_formula(text)
    return caught.value


@pytest.mark.parametrize(
    ("text", "code", "position"),
    [
        ("", "empty", 0),
        ("  ", "empty", 2),
        ("a +", "expected_value", 3),
        ("a + * b", "expected_value", 4),
        ("(a + 1", "unclosed_paren", 6),
        ("SUM(a, b", "unclosed_call", 8),
        ("SUM(a b)", "unclosed_call", 6),
        ("ROUND(a,)", "expected_value", 8),
        ("a b", "expected_operator", 2),
        ("IF(a, b, c))", "expected_operator", 11),
        ("lines.", "expected_column", 6),
        ("lines.1", "expected_column", 6),
        ('"open', "unterminated_string", 0),
        (r'"a\qb"', "bad_escape", 2),
        ("'won'", "single_quote", 0),
        ("a == 1", "double_equals", 2),
        ("a < b < c", "chained_comparison", 6),
        ("a = b <> c", "chained_comparison", 6),
        ("SUMM(a)", "unknown_function", 0),
        ("a（1）", "fullwidth_char", 1),
        ("IF(a，b, c)", "fullwidth_char", 4),
        ("stage = “won”", "fullwidth_char", 8),
        ("amount * 金额", "label_char", 9),
        ("$a", "unexpected_char", 0),
    ],
)
def test_syntax_errors_say_what_and_where(text, code, position):
    error = syntax_error(text)
    assert (error.code, error.position) == (code, position)
    assert error.message("en") and error.message("zh-CN") != error.message("en")


def test_syntax_error_messages_say_what_was_expected():
    assert str(syntax_error("(a + 1")) == (
        'Expected ")" to close the "(" at character 1 but found the end of the formula'
    )
    assert syntax_error("SUMM(a)").message("zh-CN") == "未知函数 SUMM（是否想写 SUM？）"
    assert "did you mean AVG?" in str(syntax_error("AVERAGE(lines.subtotal)"))
    assert 'use the half-width "("' in str(syntax_error("SUM（a)"))


def test_caret_marks_the_fault_on_its_line():
    error = syntax_error("IF(won,\n  amount +,\n  0)")
    assert error.caret() == "  amount +,\n          ^"


def test_plain_construction_keeps_message_and_position():
    error = FormulaSyntaxError("bad", 3)
    assert (str(error), error.position, error.message("zh-CN")) == ("bad", 3, "bad")


def test_too_long_input_is_refused_before_parsing():
    assert parse_formula("1" * MAX_LENGTH)
    error = syntax_error("1" * (MAX_LENGTH + 1))
    assert error.code == "too_long"
    assert str(MAX_LENGTH) in str(error)


@pytest.mark.parametrize(
    "text",
    [
        "(" * 5000,
        "(" * 200 + "1" + ")" * 200,
        "-" * 200 + "1",
        "ABS(" * 150 + "1" + ")" * 150,
        "+".join(["1"] * 150),
        "&".join(['"x"'] * 150),
    ],
)
def test_deep_nesting_is_a_syntax_error_not_a_recursion_error(text):
    assert syntax_error(text[:MAX_LENGTH]).code in ("too_deep", "too_long")
    if len(text) <= MAX_LENGTH:
        assert syntax_error(text).code == "too_deep"


def test_nesting_just_under_the_limit_parses():
    depth = MAX_DEPTH - 2
    assert parse_formula("(" * depth + "1" + ")" * depth).tree == Literal(Decimal(1))
    assert parse_formula("+".join(["1"] * (MAX_DEPTH - 1)))
