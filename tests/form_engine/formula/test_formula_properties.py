"""Property-based tests: the parser never crashes, printing round-trips, arithmetic is exact,
and a formula that passes the type check evaluates without error to a value of its kind."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from form_engine.formula import (
    FormulaSyntaxError,
    check_formula,
    evaluate_formula,
    parse_formula,
    unparse,
)
from form_engine.formula._functions import FUNCTIONS
from form_engine.formula._values import kind_of
from form_engine.formula.ast import (
    COMPARISON_OPERATORS,
    Binary,
    Call,
    ChildRef,
    FieldRef,
    Formula,
    Literal,
    Unary,
)
from form_engine.kinds import Kind

FORMULA_CHARACTERS = st.sampled_from(
    [*'abcXYZ_019.,()"\\ \n=<>!&+-*/', "TRUE", "NULL", "SUM(", "IF(", "lines.", "（", "金"]
)


@given(st.text(max_size=300))
def test_parser_raises_only_syntax_errors_on_any_text(text):
    try:
        parse_formula(text)
    except FormulaSyntaxError as error:
        assert 0 <= error.position <= len(text)
        assert error.message("zh-CN")


@given(st.lists(FORMULA_CHARACTERS, max_size=120).map("".join))
def test_parser_raises_only_syntax_errors_on_formula_like_text(text):
    try:
        formula = parse_formula(text)
    except FormulaSyntaxError as error:
        assert 0 <= error.position <= len(text)
    else:
        assert parse_formula(unparse(formula)) == formula


MONEY = st.decimals(
    min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=4, allow_nan=False
)


@given(MONEY, MONEY)
def test_addition_is_exact_decimal_addition(a, b):
    result = evaluate_formula(parse_formula("a + b"), {"a": a, "b": b})
    assert result == a + b


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), MONEY)
def test_floats_enter_through_their_shortest_text(a, b):
    result = evaluate_formula(parse_formula("a - b"), {"a": a, "b": b})
    assert result == Decimal(str(a)) - b


@given(
    st.one_of(st.none(), MONEY, st.integers(), st.floats(allow_nan=True)),
    st.one_of(st.none(), st.sampled_from([0, 0.0, Decimal("0.00"), Decimal("-0")]), MONEY),
)
def test_division_never_raises_and_by_zero_is_null(a, b):
    for text in ("a / b", "MOD(a, b)", "AVG(a, b) / (b - b)"):
        result = evaluate_formula(parse_formula(text), {"a": a, "b": b})
        assert result is None or isinstance(result, Decimal)
    if b is not None and b == 0:
        assert evaluate_formula(parse_formula("a / b"), {"a": a, "b": b}) is None


# --- round trip of printed trees ----------------------------------------------------------

NAMES = st.from_regex(r"[a-z_][a-z0-9_]{0,6}", fullmatch=True).filter(
    lambda name: name.upper() not in ("TRUE", "FALSE", "NULL")
)
LITERALS = st.one_of(
    st.decimals(min_value=0, max_value=Decimal("1e9"), places=3).map(abs).map(Literal),
    st.text(max_size=8).map(Literal),
    st.sampled_from([True, False, None]).map(Literal),
)
ATOMS = st.one_of(LITERALS, NAMES.map(FieldRef), st.builds(ChildRef, NAMES, NAMES))
OPERATORS = sorted({*COMPARISON_OPERATORS, "&", "+", "-", "*", "/"})


def _calls(args_strategy):
    def build(name):
        function = FUNCTIONS[name]
        most = function.max_args if function.max_args is not None else function.min_args + 2
        return st.lists(args_strategy, min_size=function.min_args, max_size=most).map(
            lambda args: Call(name, tuple(args))
        )

    return st.sampled_from(sorted(FUNCTIONS)).flatmap(build)


TREES = st.recursive(
    ATOMS,
    lambda inner: st.one_of(
        inner.map(lambda operand: Unary("-", operand)),
        st.builds(Binary, st.sampled_from(OPERATORS), inner, inner),
        _calls(inner),
    ),
    max_leaves=25,
)


@given(TREES)
def test_printing_and_parsing_round_trip(tree):
    text = unparse(tree)
    assert parse_formula(text).tree == tree
    assert unparse(parse_formula(text)) == text


# --- checked formulas evaluate cleanly ----------------------------------------------------

FIELDS = {
    "amount": Kind.DECIMAL,
    "qty": Kind.NUMBER,
    "name": Kind.TEXT,
    "stage": Kind.CHOICE,
    "won": Kind.BOOL,
    "close_date": Kind.DATE,
    "created_at": Kind.DATETIME,
    "lines": Kind.ROWS,
}
CHILD_FIELDS = {"lines": {"subtotal": Kind.DECIMAL, "note": Kind.TEXT}}


def _typed_expressions():
    """Expressions of each kind, built so they should pass check_formula."""
    number_atoms = st.one_of(
        st.decimals(min_value=0, max_value=10**6, places=2).map(abs).map(Literal),
        st.sampled_from(["amount", "qty"]).map(FieldRef),
        st.just(Literal(None)),
        st.sampled_from(["SUM", "AVG", "MIN", "MAX", "COUNT"]).map(
            lambda name: Call(name, (ChildRef("lines", "subtotal"),))
        ),
        st.just(Call("COUNT", (FieldRef("lines"),))),
    )
    text_atoms = st.one_of(
        st.text(max_size=6).map(Literal), st.sampled_from(["name", "stage"]).map(FieldRef)
    )
    bool_atoms = st.one_of(
        st.sampled_from([True, False, None]).map(Literal), st.just(FieldRef("won"))
    )
    date_atoms = st.one_of(st.just(FieldRef("close_date")), st.just(Call("TODAY", ())))
    datetime_atoms = st.one_of(st.just(FieldRef("created_at")), st.just(Call("NOW", ())))

    def grow(kinds):
        number, text, boolean, day, moment = kinds
        call = lambda name, *args: st.tuples(*args).map(lambda a: Call(name, a))  # noqa: E731
        pairs = [(number, number), (text, text), (day, moment), (moment, day), (day, day)]
        comparable = st.sampled_from(pairs).flatmap(lambda pair: st.tuples(*pair))
        return (
            st.one_of(
                number,
                st.builds(Binary, st.sampled_from(["+", "-", "*", "/"]), number, number),
                number.map(lambda n: Unary("-", n)),
                call("ROUND", number, number),
                call("MOD", number, number),
                call("ABS", number),
                call("LEN", text),
                call("DATEDIF", day, moment, st.sampled_from("dmy").map(Literal)),
                call("DAYS", moment, day),
                call("YEAR", moment),
                call("SUM", number, number),
                call("IF", boolean, number, number),
                call("COALESCE", number, number),
            ),
            st.one_of(
                text,
                st.builds(Binary, st.just("&"), text, st.one_of(number, day, boolean)),
                call("CONCAT", text, moment),
                call("UPPER", text),
                call("TRIM", text),
                call("LEFT", text, number),
                call("RIGHT", text, number),
                call("IF", boolean, text, text),
            ),
            st.one_of(
                boolean,
                comparable.flatmap(
                    lambda pair: st.sampled_from(["=", "<>", "<", ">="]).map(
                        lambda op: Binary(op, *pair)
                    )
                ),
                call("AND", boolean, boolean),
                call("OR", boolean, boolean),
                call("NOT", boolean),
                call("ISBLANK", st.one_of(text, number, st.just(FieldRef("lines")))),
            ),
            st.one_of(day, call("ADDDAYS", day, number), call("DATE", number, number, number)),
            st.one_of(moment, call("ADDDAYS", moment, number)),
        )

    kinds = (number_atoms, text_atoms, bool_atoms, date_atoms, datetime_atoms)
    for _ in range(3):
        kinds = grow(kinds)
    results = (Kind.DECIMAL, Kind.TEXT, Kind.BOOL, Kind.DATE, Kind.DATETIME)
    # sampled_from picks the kinds evenly; one_of would favour its first branch.
    return st.sampled_from(list(zip(kinds, results, strict=True))).flatmap(
        lambda pair: pair[0].map(lambda tree: (tree, pair[1]))
    )


RECORDS = st.fixed_dictionaries(
    {
        "amount": st.one_of(st.none(), MONEY),
        "qty": st.one_of(st.none(), st.integers(-1000, 1000)),
        "name": st.one_of(st.none(), st.text(max_size=5)),
        "stage": st.one_of(st.none(), st.sampled_from(["won", "lost"])),
        "won": st.one_of(st.none(), st.booleans()),
        "close_date": st.one_of(st.none(), st.dates()),
        "created_at": st.one_of(st.none(), st.datetimes(timezones=st.just(UTC))),
    }
)
ROWS = st.lists(
    st.fixed_dictionaries(
        {"subtotal": st.one_of(st.none(), MONEY), "note": st.one_of(st.none(), st.text(max_size=3))}
    ),
    max_size=4,
)
NOW = datetime(2026, 3, 1, 9, 30, tzinfo=timezone(timedelta(hours=8)))


@settings(max_examples=500)
@given(_typed_expressions(), RECORDS, ROWS)
def test_checked_formulas_evaluate_without_error_to_their_kind(typed, record, rows):
    tree, expected_kind = typed
    formula = Formula(text=unparse(tree), tree=tree)
    kind, problems = check_formula(formula, FIELDS, CHILD_FIELDS)
    # Generated comparisons may meet a NULL literal: reported, yet harmless to evaluate.
    assert [problem for problem in problems if problem.code != "compare_null"] == []
    assert kind in (expected_kind, None)
    value = evaluate_formula(formula, record, children={"lines": rows}, now=NOW)
    assert kind_of(value) in (kind, None)
    if isinstance(value, date) and not isinstance(value, datetime):
        assert kind is Kind.DATE
