"""Order formula fields so each is computed after the formula fields it reads.

A formula may use another formula field (``weighted_amount`` reads ``net_amount``); on
write they are materialised in dependency order. A circle has no order and is reported with
its members, so the analyst sees exactly which fields to untangle.
"""

from __future__ import annotations

from collections.abc import Mapping

from form_engine.formula.ast import Formula
from form_engine.formula.errors import FormulaCycleError


def dependency_order(formulas: Mapping[str, Formula]) -> list[str]:
    """The keys of ``formulas`` so that every formula comes after the formulas it uses.

    Fields that do not depend on each other keep their order in ``formulas``, so the result
    is stable. Raises FormulaCycleError naming the fields of the first circle found (a
    formula reading itself is a circle of one).
    """
    uses = {
        key: [used for used in formulas if used in formula.field_keys]
        for key, formula in formulas.items()
    }
    order: list[str] = []
    done: set[str] = set()
    for start in formulas:
        if start in done:
            continue
        # Iterative depth-first search; `path` is the chain being explored, so meeting one
        # of its members again closes a circle.
        path: list[str] = [start]
        pending = [iter(uses[start])]
        while pending:
            following = next(pending[-1], None)
            if following is None:
                finished = path.pop()
                pending.pop()
                done.add(finished)
                order.append(finished)
            elif following in path:
                raise FormulaCycleError(path[path.index(following) :])
            elif following not in done:
                path.append(following)
                pending.append(iter(uses[following]))
    return order
