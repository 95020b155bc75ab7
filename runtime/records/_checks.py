"""Checks that need the database: related records exist (live, matching the relation's
filter and inside the actor's read scope), unique fields and combinations are not taken by
another live record.

A reference to a record the actor may not read fails exactly like one to a missing record
(``not_found_reference``): linking must not become an existence oracle, nor a way to copy
hidden data through lookups.

Uniqueness is checked twice on purpose: a query first, so the error comes with every other
problem of the record, and the partial unique index as the last word under concurrency;
``unique_violation`` turns that IntegrityError into the same per-field error.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import suppress
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from form_engine.conditions import ConditionContext, ConditionError, compile_condition
from form_engine.messages import FieldError
from runtime.records._permissions import table_access
from runtime.records._plan import AppPlan, TablePlan
from runtime.records.actor import Actor
from schemas.spec import localize

if TYPE_CHECKING:
    from runtime.records._prefetch import Prefetch


def check_relations(
    conn: sa.Connection,
    app: AppPlan,
    plan: TablePlan,
    record: Mapping[str, Any],
    keys: set[str],
    context: ConditionContext,
    actor: Actor,
    prefetch: Prefetch | None = None,
) -> Iterator[FieldError]:
    """Every reference in ``keys`` points at a live row the actor may read (and meets the
    relation filter). ``prefetch`` answers for the references a batch fetched ahead."""
    metadata = plan.table.metadata
    for key in sorted(keys):
        target_name = plan.relations.get(key)
        value = record.get(key)
        if target_name is None or value is None:
            continue
        known = None if prefetch is None else prefetch.reference_ok(plan, key, value)
        if known is not None:
            if not known:
                yield FieldError(
                    key,
                    "not_found_reference",
                    {"label": plan.fields[key].spec.label, "value": value},
                )
            continue
        target = metadata.tables[target_name]
        where = [target.c.id == value]
        target_key = plan.relation_targets.get(key)
        if target_key is not None:
            target_plan = app[target_key]
            where.append(target.c.deleted_at.is_(None))
            where.append(table_access(app, target_plan, actor).scope("read", context))
            condition = plan.fields[key].spec.config.get("filter")
            if condition:
                # A broken filter is the builder's to report, not the user's.
                with suppress(ConditionError):
                    where.append(
                        compile_condition(
                            condition,
                            lambda k, t=target_plan: (t.expression(k), t.kinds[k]),
                            context=context,
                        )
                    )
        elif target_name == "kairos_user":
            where.append(target.c.is_active.is_(True))
        found = conn.execute(sa.select(target.c.id).where(*where)).first()
        if found is None:
            yield FieldError(
                key, "not_found_reference", {"label": plan.fields[key].spec.label, "value": value}
            )


OWNER_LABEL = {"zh-CN": "负责人", "en": "Owner"}


def check_owner(
    conn: sa.Connection, plan: TablePlan, record: Mapping[str, Any], actor: Actor
) -> Iterator[FieldError]:
    """A record handed to someone must be handed to an active user (the owner column is a
    foreign key: without this a typo'd id would fail at INSERT as a database error)."""
    owner = record.get("owner_id")
    if owner is None or owner == actor.user_id:
        return
    users = plan.table.metadata.tables["kairos_user"]
    found = conn.execute(
        sa.select(users.c.id).where(users.c.id == owner, users.c.is_active.is_(True))
    ).first()
    if found is None:
        yield FieldError("owner_id", "not_found_reference", {"label": OWNER_LABEL, "value": owner})


def check_unique(
    conn: sa.Connection,
    plan: TablePlan,
    record: Mapping[str, Any],
    changed: set[str],
    record_id: int | None,
) -> Iterator[FieldError]:
    table = plan.table
    live = [table.c.deleted_at.is_(None)]
    if record_id is not None:
        live.append(table.c.id != record_id)
    for key in plan.unique_fields:
        value = record.get(key)
        if key not in changed or value is None or value == "":
            continue
        taken = conn.execute(
            sa.select(table.c.id).where(plan.expression(key) == value, *live).limit(1)
        ).first()
        if taken is not None:
            yield unique_error(plan, (key,), record)
    for combo in plan.unique_combos:
        values = [record.get(k) for k in combo]
        if not (set(combo) & changed) or any(v is None for v in values):
            continue  # NULLs never collide in a unique index; the check agrees
        where = [plan.expression(k) == v for k, v in zip(combo, values, strict=True)]
        if conn.execute(sa.select(table.c.id).where(*where, *live).limit(1)).first():
            yield unique_error(plan, combo, record)


def unique_error(plan: TablePlan, keys: tuple[str, ...], record: Mapping[str, Any]) -> FieldError:
    if len(keys) == 1:
        field = plan.fields.get(keys[0])
        label = field.spec.label if field else keys[0]
        value = record.get(keys[0])
        shown = field.to_json(value) if field else value
        return FieldError(keys[0], "unique", {"label": label, "value": shown})
    labels = {
        locale: "、".join(localize(_label(plan, k), locale) for k in keys)
        if locale == "zh-CN"
        else ", ".join(localize(_label(plan, k), locale) for k in keys)
        for locale in ("zh-CN", "en")
    }
    return FieldError(keys[0], "unique_together", {"labels": labels, "fields": list(keys)})


def _label(plan: TablePlan, key: str) -> Any:
    field = plan.fields.get(key)
    return field.spec.label if field else key


def unique_violation(
    plan: TablePlan, error: sa.exc.IntegrityError, record: Mapping[str, Any]
) -> FieldError | None:
    """The unique error an IntegrityError stands for, or None when it is something else.

    PostgreSQL names the index; SQLite names the columns ("UNIQUE constraint failed:
    t.a, t.b"), so both are matched.
    """
    text = str(error.orig)
    for name, keys in plan.unique_indexes.items():
        if name in text:
            return unique_error(plan, keys, record)
    if "UNIQUE constraint failed:" in text:
        failed = text.split("UNIQUE constraint failed:", 1)[1]
        columns = {part.strip().split(".")[-1] for part in failed.split(",")}
        for keys in plan.unique_indexes.values():
            cols = {c for k in keys for c in (plan.fields[k].columns if k in plan.fields else (k,))}
            if cols == columns:
                return unique_error(plan, keys, record)
    return None
