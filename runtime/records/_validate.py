"""Checks of a record's values that need no database: input acceptance (unknown, computed,
read-only and not-editable fields, parsing), visibility, conditional read-only, required,
type rules and table rules. Each check yields every problem; the driver collects them all
so the user sees everything at once.

Order (docs/records.md): accept input → defaults and computed values → fields hidden by
their condition set aside (kept, not required, not type-checked) → readonly_when →
required / required_when → type validation → rules → (database) relations and uniqueness.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from form_engine.conditions import ConditionContext, ConditionError, evaluate
from form_engine.fields.base import is_blank
from form_engine.fields.sqltypes import NUMERIC_DIGITS
from form_engine.kinds import Kind
from form_engine.messages import FieldError, ParseError
from runtime.records._guard import as_id, has_nul, shown
from runtime.records._permissions import TableAccess
from runtime.records._plan import TablePlan
from schemas.spec import PARENT_COLUMN, ROW_ORDER_COLUMN, SYSTEM_COLUMNS

PASSED_THROUGH = frozenset({"id", "row_version"})
"""System keys a caller may send back unchanged (the record it read); ``id`` identifies
child rows and preserved ids, ``row_version`` is the optimistic-concurrency token."""
TRUSTED_CHANNELS = frozenset({"flow", "system"})
SYSTEM_KEYS = frozenset({*SYSTEM_COLUMNS, PARENT_COLUMN, ROW_ORDER_COLUMN})
"""Channels that may set fields marked ``readonly`` (automation, not people)."""


def holds(
    condition: Any,
    record: Mapping[str, Any],
    plan: TablePlan,
    context: ConditionContext,
    previous: Mapping[str, Any] | None = None,
) -> bool:
    """Whether a definition condition holds; a condition that does not type-check (the
    builder reports those at publish) counts as not holding."""
    try:
        return evaluate(condition, record, plan.kinds, context=context, previous=previous)
    except ConditionError:
        return False


def accept_input(
    plan: TablePlan,
    access: TableAccess,
    values: Mapping[str, Any],
    existing: Mapping[str, Any] | None,
    channel: str,
) -> tuple[dict[str, Any], dict[str, list[Mapping[str, Any]]], list[FieldError], set[str]]:
    """Parse the submitted values.

    Returns (parsed values by field key, raw child rows by child_table key, errors, keys
    that failed to parse — so no "required" error is added on top of a parse error).
    """
    parsed: dict[str, Any] = {}
    child_rows: dict[str, list[Mapping[str, Any]]] = {}
    errors: list[FieldError] = []
    failed: set[str] = set()
    system = SYSTEM_KEYS
    for key, raw in values.items():
        if key in PASSED_THROUGH:
            continue
        if key == "owner_id":
            _accept_owner(raw, access, existing, parsed, errors, failed)
            continue
        if key in system:
            errors.append(FieldError(key, "read_only", {"label": key}))
            continue
        field = plan.fields.get(key)
        if field is None:
            errors.append(FieldError(key, "unknown_field", {"table": plan.label(), "value": key}))
            continue
        label = field.spec.label
        if field.computed:
            errors.append(FieldError(key, "computed", {"label": label}))
            continue
        try:
            value = field.type.parse(raw, field.spec)
        except ParseError as exc:
            errors.append(exc.to_field_error(key, label))
            failed.add(key)
            continue
        problem = value_problem(plan, key, value)
        if problem is not None:
            errors.append(problem)
            failed.add(key)
            continue
        unchanged = existing is not None and not field.is_child_table and existing.get(key) == value
        if unchanged:
            continue  # sending back what was read is never an edit
        if access.access(key) != "edit":
            errors.append(FieldError(key, "no_permission_field", {"label": label}))
            continue
        if field.spec.readonly and channel not in TRUSTED_CHANNELS:
            errors.append(FieldError(key, "read_only", {"label": label}))
            continue
        if field.is_child_table:
            child_rows[key] = list(value or [])
        else:
            parsed[key] = value
    return parsed, child_rows, errors, failed


_LIMITS: dict[int, Decimal] = {}
"""Scale → exclusive bound of a ``NUMERIC(18, scale)`` column (asked for every number)."""


def value_problem(plan: TablePlan, key: str, value: Any) -> FieldError | None:
    """What no field type may store, checked the same on every backend: text holding NUL
    (PostgreSQL refuses it), numbers beyond their ``NUMERIC(18, p)`` column, references
    beyond a 64-bit id (a reference no record can have: ``not_found_reference``, before
    any query)."""
    field = plan.fields[key]
    label = field.spec.label
    if value is None or field.is_child_table:
        return None
    if has_nul(value):
        return FieldError(key, "text_nul", {"label": label})
    if key in plan.relations and as_id(value) is None:
        return FieldError(key, "not_found_reference", {"label": label, "value": shown(value)})
    numeric = isinstance(value, Decimal | int | float) and not isinstance(value, bool)
    if numeric and plan.kinds.get(key) in (Kind.NUMBER, Kind.DECIMAL, Kind.DURATION):
        precision = getattr(field.type, "precision", None)
        scale = int(precision(field.spec)) if callable(precision) else 0
        limit = _LIMITS.get(scale)
        if limit is None:
            limit = _LIMITS[scale] = Decimal(10) ** (NUMERIC_DIGITS - scale)
        if abs(Decimal(value)) >= limit:
            return FieldError(key, "number_too_large", {"label": label, "limit": f"{limit:,}"})
    return None


def _accept_owner(
    raw: Any,
    access: TableAccess,
    existing: Mapping[str, Any] | None,
    parsed: dict[str, Any],
    errors: list[FieldError],
    failed: set[str],
) -> None:
    label = {"zh-CN": "负责人", "en": "Owner"}
    if is_blank(raw):
        value = None
    else:
        try:
            value = int(raw["id"] if isinstance(raw, Mapping) else raw)
        except (TypeError, ValueError, KeyError):
            errors.append(FieldError("owner_id", "not_a_reference", {"label": label, "value": raw}))
            failed.add("owner_id")
            return
    if existing is not None and existing.get("owner_id") == value:
        return
    # Handing a record to someone else is "share"; without it the record stays the actor's.
    if not (access.unrestricted or access.can("share")):
        errors.append(FieldError("owner_id", "no_permission_field", {"label": label}))
        return
    parsed["owner_id"] = value


def hidden_by_condition(
    plan: TablePlan, record: Mapping[str, Any], context: ConditionContext
) -> set[str]:
    """Keys of the fields whose ``visible_when`` is false for ``record``.

    Such a field is not shown, so it is neither required nor type-checked — but its stored
    value is kept: a condition that flips back (a lost opportunity reopened and lost
    again) must not have wiped what the user typed (docs/records.md, step 4).
    """
    hidden: set[str] = set()
    for field in plan.fields.values():
        condition = field.spec.visible_when
        if condition is None or field.computed:
            continue
        if not holds(condition, record, plan, context):
            hidden.add(field.key)
    return hidden


def check_readonly_when(
    plan: TablePlan,
    record: Mapping[str, Any],
    previous: Mapping[str, Any],
    changed: set[str],
    context: ConditionContext,
) -> Iterator[FieldError]:
    """A field read-only by condition (judged on the record as it was) cannot change."""
    for key in sorted(changed):
        field = plan.fields.get(key)
        if field is None or field.spec.readonly_when is None:
            continue
        if holds(field.spec.readonly_when, previous, plan, context):
            yield FieldError(key, "read_only", {"label": field.spec.label})


def check_required(
    plan: TablePlan,
    record: Mapping[str, Any],
    hidden: set[str],
    skip: set[str],
    context: ConditionContext,
    previous: Mapping[str, Any] | None,
) -> Iterator[FieldError]:
    for field in plan.fields.values():
        if field.computed or field.key in hidden or field.key in skip:
            continue
        required = field.spec.required or (
            field.spec.required_when is not None
            and holds(field.spec.required_when, record, plan, context, previous)
        )
        if required and field.type.is_empty(record.get(field.key)):
            yield FieldError(field.key, "required", {"label": field.spec.label})


def check_types(plan: TablePlan, record: Mapping[str, Any], keys: set[str]) -> Iterator[FieldError]:
    """Each field type's own rules (length, bounds, options …) on non-empty values."""
    for key in sorted(keys):
        field = plan.fields.get(key)
        if field is None or field.computed or field.is_child_table:
            continue
        value = record.get(key)
        if not field.type.is_empty(value):
            yield from field.type.validate(value, field.spec)


def check_rules(
    plan: TablePlan,
    record: Mapping[str, Any],
    context: ConditionContext,
    previous: Mapping[str, Any] | None,
) -> Iterator[FieldError]:
    for rule in plan.spec.rules:
        if rule.when is not None and not holds(rule.when, record, plan, context, previous):
            continue
        if not holds(rule.condition, record, plan, context, previous):
            target = rule.fields[0] if rule.fields else None
            yield FieldError(target, "rule", {"message": rule.message, "rule": rule.key})
