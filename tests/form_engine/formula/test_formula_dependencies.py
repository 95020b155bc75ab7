"""Evaluation order of formula fields, and circles between them."""

from __future__ import annotations

import pytest

from form_engine.formula import FormulaCycleError, dependency_order, parse_formula


def formulas(**texts: str):
    return {key: parse_formula(text) for key, text in texts.items()}


def test_each_formula_comes_after_the_formulas_it_reads():
    order = dependency_order(
        formulas(
            weighted_amount="net_amount * probability / 100",
            net_amount="SUM(lines.subtotal) - discount",
            discount="total * 0.1",
            total="SUM(lines.subtotal)",
            label='name & " " & weighted_amount',
        )
    )
    assert order == ["total", "discount", "net_amount", "weighted_amount", "label"]


def test_independent_formulas_keep_their_order():
    assert dependency_order(formulas(b="x + 1", a="y + 1", c="b + a")) == ["b", "a", "c"]
    assert dependency_order({}) == []


def test_child_table_reference_depends_on_the_table_field():
    # "lines" is a formula key here only to show child refs count as reading the table.
    order = dependency_order(formulas(total="SUM(lines.subtotal)", lines="1"))
    assert order == ["lines", "total"]


@pytest.mark.parametrize(
    ("texts", "cycle"),
    [
        ({"a": "a + 1"}, ["a"]),
        ({"a": "b + 1", "b": "a * 2"}, ["a", "b"]),
        ({"x": "1", "a": "b", "b": "c", "c": "IF(x > 0, a, 0)"}, ["a", "b", "c"]),
    ],
)
def test_cycles_are_named(texts, cycle):
    with pytest.raises(FormulaCycleError) as caught:
        dependency_order(formulas(**texts))
    assert caught.value.cycle == cycle
    path = " → ".join([*cycle, cycle[0]])
    assert str(caught.value) == f"Formula fields refer to each other in a circle: {path}"
    assert caught.value.message("zh-CN") == f"公式字段之间存在循环引用：{path}"


def test_long_chains_do_not_hit_the_recursion_limit():
    chain = {f"f{i}": parse_formula(f"f{i + 1} + 1") for i in range(3000)}
    chain["f3000"] = parse_formula("1")
    order = dependency_order(chain)
    assert order[0] == "f3000" and order[-1] == "f0"
