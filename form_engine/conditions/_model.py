"""The parsed form of a condition tree and the structural parser that builds it.

Conditions arrive as JSON. Parsing turns them into small immutable nodes so the checker,
the evaluator and the SQL compiler all walk the same shapes and never re-interpret raw
dicts. The parser yields every structural problem with its path instead of stopping at
the first, so an analyst sees all mistakes at once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from form_engine.conditions import _messages
from form_engine.conditions._operators import ALL_OPERATORS, SHAPES, ValueShape
from form_engine.messages import CatalogMessage


@dataclass(frozen=True)
class ConditionProblem(CatalogMessage):
    """One problem in a condition: where (a JSON-path-like string) and what.

    ``message`` is the English text; ``code`` and ``params`` name the message so that
    ``messages`` can give it in every locale (see ``_messages``). A problem built from a
    bare text (code ``"text"``) shows that text in every locale. Equality compares path and
    English message only, as before codes existed.
    """

    catalog = _messages.CONDITION_MESSAGES

    path: str
    message: str
    code: str = dataclasses.field(default="text", compare=False)
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, path: str, code: str, **params: Any) -> ConditionProblem:
        """The problem ``code`` at ``path``, its English message rendered from ``params``."""
        return cls(path, cls.catalog.render(code, params), code, params)

    def plain_message(self) -> str:
        return self.message

    def __str__(self) -> str:
        return f"{self.path or '(root)'}: {self.message}"


class ConditionError(ValueError):
    """A condition cannot be evaluated or compiled; ``problems`` lists every reason."""

    def __init__(self, problems: list[ConditionProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


# --- operands ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Literal:
    """A value written in the condition itself (JSON-native: dates are ISO strings)."""

    value: Any


@dataclass(frozen=True)
class FieldRef:
    """``{"field": "other"}``: the value of another field of the same record."""

    key: str


@dataclass(frozen=True)
class ContextRef:
    """``$user``, ``$now`` or ``$today``: a value known when the condition runs."""

    name: str  # "user", "now" or "today"


@dataclass(frozen=True)
class TriggerRef:
    """``$trigger.<field>``: the flow's trigger record as it was when the flow started."""

    key: str


Operand = Literal | FieldRef | ContextRef | TriggerRef


# --- nodes ------------------------------------------------------------------------------
@dataclass(frozen=True)
class AllOf:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class AnyOf:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    item: Node


@dataclass(frozen=True)
class Leaf:
    """``{"field", "op", "value"}``. ``value`` is shaped by the operator (see ValueShape):
    None, one Operand, a tuple of Operands (list / pair) or an int number of days."""

    field: str
    op: str
    value: Any
    path: str


Node = AllOf | AnyOf | Not | Leaf

_CONTEXT_NAMES = {"$user": "user", "$now": "now", "$today": "today"}
_TRIGGER_PREFIX = "$trigger."
_GROUP_KEYS = ("all", "any", "not")


def parse_operand(raw: Any) -> Operand:
    """Classify one JSON value as a literal or a reference."""
    if isinstance(raw, Mapping) and set(raw) == {"field"} and isinstance(raw["field"], str):
        return FieldRef(raw["field"])
    if isinstance(raw, str):
        if raw in _CONTEXT_NAMES:
            return ContextRef(_CONTEXT_NAMES[raw])
        if raw.startswith(_TRIGGER_PREFIX) and len(raw) > len(_TRIGGER_PREFIX):
            return TriggerRef(raw[len(_TRIGGER_PREFIX) :])
    return Literal(raw)


def join_path(base: str, part: str | int) -> str:
    if isinstance(part, int):
        return f"{base}[{part}]"
    return f"{base}.{part}" if base else part


INVALID_VALUE: Any = object()
"""Stands in for a leaf's value the parser rejected, so the checker still checks the
field and operator of that leaf and reports every problem at once."""


def parse(doc: Any, path: str = "") -> tuple[Node | None, list[ConditionProblem]]:
    """Parse a JSON condition into its tree and every structural problem.

    With problems the tree is partial (broken parts left out or marked INVALID_VALUE) and
    good only for further checking; callers that run a condition must refuse it.
    """
    problems: list[ConditionProblem] = []
    node = _parse_node(doc, path, problems)
    return node, problems


def _parse_node(doc: Any, path: str, problems: list[ConditionProblem]) -> Node | None:
    if not isinstance(doc, Mapping):
        problems.append(ConditionProblem.of(path, "not_an_object", got=_describe(doc)))
        return None
    groups = [k for k in _GROUP_KEYS if k in doc]
    if groups:
        if len(doc) != 1:
            extra = sorted(k for k in doc if k != groups[0])
            problems.append(
                ConditionProblem.of(
                    path,
                    "group_keys",
                    groups=_messages.names(_GROUP_KEYS),
                    extra=_messages.quoted_keys(extra),
                )
            )
            return None
        return _parse_group(groups[0], doc[groups[0]], path, problems)
    return _parse_leaf(doc, path, problems)


def _parse_group(key: str, body: Any, path: str, problems: list[ConditionProblem]) -> Node | None:
    here = join_path(path, key)
    if key == "not":
        item = _parse_node(body, here, problems)
        return Not(item) if item is not None else None
    if not isinstance(body, list):
        problems.append(ConditionProblem.of(here, "group_not_list", key=key, got=_describe(body)))
        return None
    items = [_parse_node(child, join_path(here, i), problems) for i, child in enumerate(body)]
    group = AllOf if key == "all" else AnyOf
    return group(tuple(item for item in items if item is not None))


def _parse_leaf(doc: Mapping[str, Any], path: str, problems: list[ConditionProblem]) -> Leaf | None:
    ok = True
    unknown = sorted(set(doc) - {"field", "op", "value"})
    if unknown:
        problems.append(
            ConditionProblem.of(path, "unknown_keys", keys=_messages.quoted_keys(unknown))
        )
        ok = False
    field = doc.get("field")
    if not isinstance(field, str) or not field:
        field_path = join_path(path, "field")
        problems.append(
            ConditionProblem.of(field_path, "field_missing")
            if field is None
            else ConditionProblem.of(field_path, "field_required", got=_describe(field))
        )
        ok = False
    op = doc.get("op")
    if op not in ALL_OPERATORS:
        allowed = _messages.names(sorted(ALL_OPERATORS))
        problems.append(
            ConditionProblem.of(join_path(path, "op"), "operator_missing", allowed=allowed)
            if op is None
            else ConditionProblem.of(
                join_path(path, "op"), "unknown_operator", got=_describe(op), allowed=allowed
            )
        )
        return None
    value, value_problems = _parse_value(op, doc, join_path(path, "value"))
    problems.extend(value_problems)
    if not ok:
        return None
    if value_problems:
        value = INVALID_VALUE
    return Leaf(field=field, op=op, value=value, path=path)  # type: ignore[arg-type]


def _parse_value(op: str, doc: Mapping[str, Any], path: str) -> tuple[Any, list[ConditionProblem]]:
    shape = SHAPES[op]
    if shape is ValueShape.NONE:
        if doc.get("value") is not None:
            return None, [ConditionProblem.of(path, "takes_no_value", op=op)]
        return None, []
    if "value" not in doc:
        return None, [ConditionProblem.of(path, "needs_value", op=op, shape=_shape(shape))]
    raw = doc["value"]
    if shape is ValueShape.DAYS:
        if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
            return None, [_wrong_shape(path, op, shape, raw)]
        return raw, []
    if shape is ValueShape.ONE:
        if not isinstance(raw, list):
            return parse_operand(raw), []
        if op not in _LIST_OK:
            return None, [ConditionProblem.of(path, "not_a_list", op=op)]
        # A whole multi-select value is a list; the checker allows it only for such fields.
        return tuple(parse_operand(v) for v in raw), []
    if shape is ValueShape.PAIR:
        if not isinstance(raw, list) or len(raw) != 2:
            return None, [_wrong_shape(path, op, shape, raw)]
        return (parse_operand(raw[0]), parse_operand(raw[1])), []
    # ValueShape.LIST
    if not isinstance(raw, list):
        return None, [_wrong_shape(path, op, shape, raw)]
    return tuple(parse_operand(v) for v in raw), []


# eq, ne, changed_from and changed_to compare whole values; on multi-select fields the
# whole value is a list of options, so a list literal is allowed here and type-checked later.
_LIST_OK = frozenset({"eq", "ne", "changed_from", "changed_to"})


def _describe(value: Any) -> dict[str, str]:
    return _messages.shown(value, limit=60)


def _shape(shape: ValueShape) -> dict[str, str]:
    return _messages.shape(shape.value)


def _wrong_shape(path: str, op: str, shape: ValueShape, raw: Any) -> ConditionProblem:
    return ConditionProblem.of(path, "wrong_shape", op=op, shape=_shape(shape), got=_describe(raw))


def walk_leaves(node: Node) -> Iterator[Leaf]:
    """Every comparison in the tree, depth first."""
    if isinstance(node, Leaf):
        yield node
    elif isinstance(node, Not):
        yield from walk_leaves(node.item)
    else:
        for item in node.items:
            yield from walk_leaves(item)
