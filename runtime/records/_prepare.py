"""Turn submitted values into a complete, checked record (and its child rows): parse,
default, compute, set aside fields hidden by their condition, then run every check and
collect every error."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from form_engine.conditions import ConditionContext
from form_engine.messages import FieldError
from runtime.dedupe.check import check_duplicates
from runtime.records import _computed, _validate
from runtime.records._checks import check_owner, check_relations, check_unique
from runtime.records._permissions import TableAccess, table_access
from runtime.records._plan import AppPlan, TablePlan
from runtime.records._prefetch import Prefetch
from runtime.records.actor import Actor
from schemas.spec import LOCALES


@dataclass
class Draft:
    """A record about to be written: all values (Python form), child rows by field key,
    and which keys changed compared with the stored record."""

    values: dict[str, Any]
    children: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    changed: set[str] = field(default_factory=set)
    errors: list[FieldError] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    """Possible duplicates under ``warn`` duplicate rules (runtime.dedupe.check): shown
    to the user, they do not stop the write."""


def prepare(
    conn: sa.Connection,
    app: AppPlan,
    plan: TablePlan,
    access: TableAccess,
    actor: Actor,
    submitted: Mapping[str, Any],
    context: ConditionContext,
    *,
    existing: Mapping[str, Any] | None = None,
    existing_children: Mapping[str, list[dict[str, Any]]] | None = None,
    record_id: int | None = None,
    prefetch: Prefetch | None = None,
    defer_unique: bool = False,
    restoring: bool = False,
) -> Draft:
    """Everything up to, not including, the write. ``existing`` is None on create.

    A batch passes its ``prefetch`` (related records fetched for all rows at once) and
    ``defer_unique``: it checks uniqueness and duplicate rules for all its rows together
    (``runtime.dedupe.batch``), in-batch duplicates included. ``restoring``: an import
    that keeps ids and system values (administrators and the system only) may also set
    ``readonly`` fields, as a flow may — it reproduces data, nobody is typing into the
    form."""
    creating = existing is None
    parsed, child_raw, errors, failed = _validate.accept_input(
        plan, access, submitted, existing, "system" if restoring else actor.channel
    )
    if creating:
        values: dict[str, Any] = {"owner_id": actor.user_id}
    else:
        values = dict(existing)
    values.update(parsed)
    if creating:
        given = set(parsed) | failed | set(child_raw)
        _computed.apply_defaults(plan, values, given, context, errors)

    children: dict[str, list[dict[str, Any]]] = {}
    child_changed = False
    old_children = existing_children or {}
    for key, child_key in plan.children.items():
        if key in child_raw:
            rows, row_errors = _prepare_rows(
                conn,
                app,
                app[child_key],
                actor,
                key,
                plan,
                child_raw[key],
                old_children.get(key, []),
                context,
                prefetch,
                restoring,
            )
            children[key] = rows
            errors += row_errors
            child_changed = True
        elif creating:
            children[key] = []
        elif key in old_children:
            children[key] = old_children[key]
        values[key] = children.get(key)

    relation_keys = set(plan.relations) & (set(values) if creating else set(parsed))
    _computed.fill_lookups(
        conn,
        app,
        plan,
        values,
        None if creating else {k for k in parsed if k in plan.relations},
        prefetch,
    )
    if creating or child_changed:
        _computed.child_rollups(plan, app, values, children, context, errors)
    if creating:
        _computed.empty_backlinks(plan, values)
        _computed.apply_default_formulas(plan, values, given, context, errors)
    _computed.compute_formulas(plan, values, children, context, errors)
    hidden = _validate.hidden_by_condition(plan, values, context)

    previous = None if creating else existing
    if creating:
        changed = {k for k, v in values.items() if v is not None and v != []}
    else:
        changed = {k for k in values if k in plan.fields or k == "owner_id"}
        changed = {k for k in changed if existing.get(k) != values.get(k)}
        changed -= set(plan.children)
        changed |= {k for k in child_raw}
        errors += _validate.check_readonly_when(
            plan, values, existing, changed & set(parsed), context
        )
    errors += _validate.check_required(plan, values, hidden, failed, context, previous)
    typed = (set(parsed) | (changed if creating else set())) - hidden
    errors += _validate.check_types(plan, values, typed)
    errors += _validate.check_rules(plan, values, context, previous)
    errors += check_relations(
        conn, app, plan, values, (relation_keys & changed) - failed, context, actor, prefetch
    )
    if "owner_id" in changed and "owner_id" not in failed:
        errors += check_owner(conn, plan, values, actor)
    if not defer_unique:
        errors += check_unique(conn, plan, values, changed, record_id)
    warnings: list[dict[str, Any]] = []
    if plan.spec.duplicate_rules and not restoring and not defer_unique:
        warnings = check_duplicates(conn, plan, access, values, changed, record_id, context, errors)
    return Draft(values, children, changed, errors, warnings)


def _prepare_rows(
    conn: sa.Connection,
    app: AppPlan,
    child: TablePlan,
    actor: Actor,
    field_key: str,
    parent: TablePlan,
    raw_rows: list[Mapping[str, Any]],
    old_rows: list[dict[str, Any]],
    context: ConditionContext,
    prefetch: Prefetch | None,
    restoring: bool,
) -> tuple[list[dict[str, Any]], list[FieldError]]:
    """Prepare each submitted child row; errors name the row (1-based) and field."""
    access = table_access(app, child, actor)
    label = parent.fields[field_key].spec.label
    old_by_id = {row["id"]: row for row in old_rows}
    rows: list[dict[str, Any]] = []
    errors: list[FieldError] = []
    for index, raw in enumerate(raw_rows, start=1):
        row_id = raw.get("id")
        base = None
        if row_id is not None:
            base = old_by_id.get(_as_int(row_id))
            if base is None:
                errors.append(
                    FieldError(field_key, "child_row_not_found", {"label": label, "value": row_id})
                )
                continue
        draft = prepare(
            conn,
            app,
            child,
            access,
            actor,
            raw,
            context,
            existing=base,
            record_id=None if base is None else base["id"],
            prefetch=prefetch,
            restoring=restoring,
        )
        row = draft.values
        if base is not None:
            row["id"] = base["id"]
        rows.append(row)
        for error in draft.errors:
            detail = {loc: error.message(loc) for loc in LOCALES}
            errors.append(
                FieldError(
                    field_key,
                    "child_row",
                    {
                        "label": label,
                        "row": index,
                        "detail": detail,
                        "field": error.field,
                        "code": error.code,
                    },
                )
            )
    return rows, errors


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
