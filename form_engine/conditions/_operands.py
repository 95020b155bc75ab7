"""Values of operands that are known before looking at a record.

Literals, ``$user``, ``$now``, ``$today`` and ``$trigger.<field>`` are resolved here for
both the evaluator and the SQL compiler (which binds them as parameters), so the two agree
on what each reference means.
"""

from __future__ import annotations

from typing import Any

from form_engine.conditions._coerce import coerce, is_empty_value
from form_engine.conditions._model import ContextRef, Literal, TriggerRef
from form_engine.conditions.context import ConditionContext
from form_engine.kinds import Kind

STRING_KINDS = frozenset({Kind.TEXT, Kind.CHOICE})


def present(raw: Any, kind: Kind, context: ConditionContext) -> Any:
    """``raw`` coerced to ``kind``, or None when it is empty.

    Text keeps "" as a value, as SQL does (it is not NULL there); for other kinds "" and
    [] can only mean "no value".
    """
    if kind in STRING_KINDS and raw is not None:
        return coerce(raw, kind)
    return None if is_empty_value(raw) else coerce(raw, kind, context.tz)


def known_value(
    operand: Literal | ContextRef | TriggerRef, kind: Kind, context: ConditionContext
) -> Any:
    """The operand as a value of the compared field's ``kind`` (None when empty)."""
    if isinstance(operand, Literal):
        raw = operand.value
    elif isinstance(operand, TriggerRef):
        raw = context.trigger.get(operand.key)
    elif operand.name == "user":
        raw = context.user_id
    elif operand.name == "now" and kind is not Kind.DATE:
        raw = context.now
    else:  # $today, or $now compared with a date: the app's calendar date
        raw = context.local_today
    return present(raw, kind, context)


def known_raw(operand: Literal | ContextRef | TriggerRef, context: ConditionContext) -> Any:
    """The operand's JSON-ish value before coercion (for whole multi-select values)."""
    if isinstance(operand, Literal):
        return operand.value
    if isinstance(operand, TriggerRef):
        return context.trigger.get(operand.key)
    raise TypeError(f"{operand!r} has no multi-select value")
