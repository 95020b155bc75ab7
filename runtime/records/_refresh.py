"""Recomputing records whose derived values depend on records that just changed: the
parents of back-link rollups (old and new parent when a link moves) and the records whose
lookups copy a changed field. Works on sets of records, so a bulk insert recomputes each
affected parent once, with one aggregate query per rollup for all of them.

A recompute writes the derived columns only: no ``row_version`` bump, no audit entry, no
event — nobody edited those records, their inputs moved (docs/records.md). It is internal
and runs whatever the actor's rights on those records: creating a follow-up (which the
actor may only link to a record they can read) moves its opportunity's follow-up count
even when the actor may not edit the opportunity — the count is derived, not edited.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from form_engine.conditions import ConditionContext
from runtime.dedupe import terms as dedupe_terms
from runtime.records import _computed
from runtime.records._children import columns_of, load_children
from runtime.records._output import row_values
from runtime.records._plan import AppPlan, Lookup, Rollup, TablePlan
from runtime.records._prefetch import Prefetch, chunked

LOG = logging.getLogger(__name__)

MAX_CASCADE = 4
"""How many hops a change may travel through rollups and lookups (customer ← opportunity
← line): deep enough for real apps, bounded so a cycle of links cannot loop. Reaching it
with dependents left over logs a warning (see ``refresh_dependents``)."""


@dataclass
class Change:
    """One record that changed: its values after (and before, unless new) the change and
    the keys whose value moved."""

    record_id: int
    values: Mapping[str, Any]
    previous: Mapping[str, Any] | None
    touched: set[str] = field(default_factory=set)


def refresh_dependents(
    conn: sa.Connection,
    app: AppPlan,
    plan: TablePlan,
    changes: Sequence[Change],
    context: ConditionContext,
    depth: int = 0,
) -> None:
    """Recompute the records that aggregate or copy the changed records of ``plan``.

    Past ``MAX_CASCADE`` hops the remaining dependents are left as they are and a warning
    is logged (with the table and records), so an app whose links run deeper — or loop —
    is noticed rather than silently stale."""
    if not changes:
        return
    if depth >= MAX_CASCADE:
        if _has_dependents(plan, changes):
            LOG.warning(
                "recompute of derived values stopped after %d hops at table %r (records %s); "
                "records depending on them were not refreshed — do the app's rollups or "
                "lookups form a cycle or a chain deeper than %d?",
                MAX_CASCADE,
                plan.key,
                sorted(c.record_id for c in changes)[:20],
                MAX_CASCADE,
            )
        return
    for parent_key, via in plan.rollup_parents:
        targets: set[Any] = set()
        for change in changes:
            targets.add(change.values.get(via))
            if change.previous is not None:
                targets.add(change.previous.get(via))
        targets.discard(None)
        if not targets:
            continue
        parent = app[parent_key]
        rollups = [
            r for r in parent.backlink_rollups if r.source_table == plan.key and r.via == via
        ]
        refresh_records(conn, app, parent, sorted(targets), context, depth + 1, rollups=rollups)
    for dependent_key, lookup in plan.lookup_dependents:
        sources = [
            c.record_id
            for c in changes
            if lookup.target_field in c.touched or "deleted_at" in c.touched
        ]
        if sources:
            _refresh_lookups(conn, app, app[dependent_key], lookup, sources, context, depth)


def _has_dependents(plan: TablePlan, changes: Sequence[Change]) -> bool:
    """Whether some record depends on these changes (a parent rolling them up, a lookup
    copying a changed field)."""
    for _parent_key, via in plan.rollup_parents:
        for change in changes:
            if change.values.get(via) is not None:
                return True
            if change.previous is not None and change.previous.get(via) is not None:
                return True
    return any(
        lookup.target_field in c.touched or "deleted_at" in c.touched
        for _key, lookup in plan.lookup_dependents
        for c in changes
    )


def _refresh_lookups(
    conn: sa.Connection,
    app: AppPlan,
    dependent: TablePlan,
    lookup: Lookup,
    sources: list[int],
    context: ConditionContext,
    depth: int,
) -> None:
    ids: list[int] = []
    for chunk in chunked(sources):
        ids += conn.execute(
            sa.select(dependent.table.c.id)
            .where(
                dependent.expression(lookup.relation).in_(chunk),
                dependent.table.c.deleted_at.is_(None),
            )
            .order_by(dependent.table.c.id)
        ).scalars()
    if ids:
        refresh_records(conn, app, dependent, ids, context, depth + 1, relations={lookup.relation})


def refresh_records(
    conn: sa.Connection,
    app: AppPlan,
    plan: TablePlan,
    record_ids: Iterable[int],
    context: ConditionContext,
    depth: int,
    *,
    rollups: Sequence[Rollup] | None = None,
    relations: set[str] | None = None,
) -> None:
    """Recompute derived values of stored records after something they depend on changed;
    write the columns that moved (one statement per shape of change) and carry on to the
    records depending on these."""
    changes: list[Change] = []
    for chunk in chunked(list(record_ids)):
        rows = conn.execute(sa.select(plan.table).where(plan.table.c.id.in_(chunk))).mappings()
        befores = {row["id"]: row_values(plan, row) for row in rows}
        if not befores:
            continue
        ids = list(befores)
        loaded = {k: load_children(conn, app[c], ids) for k, c in plan.children.items()}
        backlinks = (
            _computed.backlink_values_many(conn, app, plan, ids, rollups, context)
            if rollups
            else {}
        )
        prefetch = None
        if relations:
            prefetch = Prefetch.for_lookups(conn, app, plan, relations, befores.values())
        updates: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for record_id, before in befores.items():
            values = dict(before)
            children = {k: rows_by_parent[record_id] for k, rows_by_parent in loaded.items()}
            values.update(children)
            values.update(backlinks.get(record_id, {}))
            if relations:
                _computed.fill_lookups(conn, app, plan, values, relations, prefetch)
            _computed.compute_formulas(plan, values, children, context)
            new_columns = columns_of(plan, values)
            old_columns = columns_of(plan, before)
            changed = {c: v for c, v in new_columns.items() if old_columns.get(c) != v}
            if not changed:
                continue
            shape = tuple(sorted(changed))
            updates.setdefault(shape, []).append(
                {"_record_id": record_id, **{f"_v_{c}": v for c, v in changed.items()}}
            )
            dedupe_terms.replace_record(conn, plan, record_id, before, values)
            touched = {k for k in plan.fields if before.get(k) != values.get(k)}
            changes.append(Change(record_id, values, before, touched))
        for shape, params in updates.items():
            statement = (
                plan.table.update()
                .where(plan.table.c.id == sa.bindparam("_record_id"))
                .values({c: sa.bindparam(f"_v_{c}") for c in shape})
            )
            conn.execute(statement, params)
    refresh_dependents(conn, app, plan, changes, context, depth)
