"""Every vector in conformance.json, through the evaluator and through SQL on a real DB."""

from __future__ import annotations

from typing import Any

import pytest

from form_engine.conditions import ConditionError, compile_condition, evaluate
from form_engine.conditions._operators import CHANGE_OPERATORS
from form_engine.kinds import OPERATORS
from tests.form_engine.conditions.conftest import (
    CONFORMANCE,
    vector_context,
    vector_kinds,
)

VECTORS = CONFORMANCE["vectors"]


def _ops(condition: Any) -> set[str]:
    if isinstance(condition, dict):
        found = {condition["op"]} if "op" in condition else set()
        for value in condition.values():
            found |= _ops(value)
        return found
    if isinstance(condition, list):
        return set().union(*map(_ops, condition)) if condition else set()
    return set()


def _needs_previous(vector: dict[str, Any]) -> bool:
    return bool(_ops(vector["condition"]) & CHANGE_OPERATORS)


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_evaluator(vector: dict[str, Any]) -> None:
    result = evaluate(
        vector["condition"],
        vector["record"],
        vector_kinds(vector),
        context=vector_context(vector),
        previous=vector.get("previous"),
    )
    assert result is vector["expected"]


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_sql(vector: dict[str, Any], condition_table: Any) -> None:
    table = condition_table(vector_kinds(vector))
    context = vector_context(vector)
    if _needs_previous(vector):
        with pytest.raises(ConditionError, match="previous version"):
            compile_condition(vector["condition"], table.resolve, context=context)
        return
    (record_id,) = table.insert([vector["record"]])
    where = compile_condition(vector["condition"], table.resolve, context=context)
    assert (record_id in table.matching(where)) is vector["expected"]


def test_vectors_cover_every_operator_of_every_kind() -> None:
    # A vector covers (kind, op) when its condition uses op on a field of that kind.
    exact: set[tuple[str, str]] = set()
    for v in VECTORS:
        exact |= _leaf_kinds(v["condition"], v["kinds"])
    missing = {
        (kind.value, op)
        for kind, ops in OPERATORS.items()
        for op in ops
        if (kind.value, op) not in exact
    }
    assert not missing, sorted(missing)
    assert len(VECTORS) >= 120


def _leaf_kinds(condition: Any, kinds: dict[str, str]) -> set[tuple[str, str]]:
    if isinstance(condition, dict):
        if "op" in condition:
            return {(kinds[condition["field"]], condition["op"])}
        return set().union(*(_leaf_kinds(v, kinds) for v in condition.values()))
    if isinstance(condition, list):
        return set().union(*(_leaf_kinds(v, kinds) for v in condition)) if condition else set()
    return set()


def test_vector_names_are_unique() -> None:
    names = [v["name"] for v in VECTORS]
    assert len(names) == len(set(names))
