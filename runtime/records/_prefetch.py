"""Related records fetched once for a whole batch instead of once per record.

Validating a record asks the database two things about each reference: does the target
exist, live, meeting the relation's filter and inside the actor's read scope
(``check_relations``), and which values do its lookups copy (``fill_lookups``). For a batch
both are answered by one ``SELECT id, <looked-up columns>, <filter and scope hold> … WHERE
id IN (…)`` per relation field.
A reference the batch did not foresee (say, one set by a default formula) is simply asked
the single-record way, so answers never differ from the single-record path.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import suppress
from typing import Any

import sqlalchemy as sa

from form_engine.conditions import ConditionContext, ConditionError, compile_condition
from form_engine.messages import ParseError
from runtime.records._permissions import table_access
from runtime.records._plan import AppPlan, TablePlan
from runtime.records.actor import Actor

CHUNK = 500
"""Values per ``IN (…)`` list: far below every backend's limit on bound parameters."""


def chunked(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for first in range(0, len(items), size):
        yield items[first : first + size]


class Prefetch:
    """Answers about referenced records, keyed by (table key, relation field key, id)."""

    def __init__(self) -> None:
        self._rows: dict[tuple[str, str], dict[int, Mapping[str, Any] | None]] = {}
        self._allowed: dict[tuple[str, str], dict[int, bool]] = {}

    def lookup_row(self, plan: TablePlan, relation: str, target_id: Any) -> tuple[bool, Any]:
        """(known, live target row or None) for a lookup through ``relation``."""
        rows = self._rows.get((plan.key, relation))
        if rows is None or target_id not in rows:
            return False, None
        return True, rows[target_id]

    def reference_ok(self, plan: TablePlan, relation: str, target_id: Any) -> bool | None:
        """Whether the reference is valid; None when this batch did not fetch it."""
        allowed = self._allowed.get((plan.key, relation))
        if allowed is None:
            return None
        return allowed.get(target_id)

    # --- building ----------------------------------------------------------------------
    @classmethod
    def for_input(
        cls,
        conn: sa.Connection,
        app: AppPlan,
        plan: TablePlan,
        raw_rows: Iterable[Mapping[str, Any]],
        context: ConditionContext,
        actor: Actor,
    ) -> Prefetch:
        """Everything the submitted rows (and their child rows) refer to, judged for
        ``actor`` (a target outside their read scope is not a valid reference)."""
        wanted: dict[str, dict[str, set[int]]] = {}
        _collect(app, plan, raw_rows, wanted)
        prefetch = cls()
        for table_key, by_relation in wanted.items():
            prefetch._load(conn, app, app[table_key], by_relation, context, actor)
        return prefetch

    @classmethod
    def for_lookups(
        cls,
        conn: sa.Connection,
        app: AppPlan,
        plan: TablePlan,
        relations: set[str],
        records: Iterable[Mapping[str, Any]],
    ) -> Prefetch:
        """The targets of ``relations`` of stored records (to refresh their lookups)."""
        wanted: dict[str, set[int]] = {k: set() for k in relations if k in plan.relations}
        for record in records:
            for key, ids in wanted.items():
                if isinstance(record.get(key), int):
                    ids.add(record[key])
        prefetch = cls()
        prefetch._load(conn, app, plan, wanted, None, None)
        return prefetch

    def _load(
        self,
        conn: sa.Connection,
        app: AppPlan,
        plan: TablePlan,
        wanted: Mapping[str, set[int]],
        context: ConditionContext | None,
        actor: Actor | None,
    ) -> None:
        """Fetch the targets of each relation in ``wanted``; with a ``context`` (and the
        ``actor``) also whether each may be referenced: filter and read scope hold."""
        metadata = plan.table.metadata
        for key, ids in wanted.items():
            if not ids:
                continue
            target = metadata.tables[plan.relations[key]]
            columns: dict[str, Any] = {"id": target.c.id}
            where: list[Any] = []
            allowed: Any = None
            target_key = plan.relation_targets.get(key)
            if target_key is not None:
                target_plan = app[target_key]
                for lookup in plan.lookups:
                    if lookup.relation == key:
                        for name in target_plan.fields[lookup.target_field].columns:
                            columns[name] = target.c[name]
                where.append(target.c.deleted_at.is_(None))
                checks: list[Any] = []
                condition = plan.fields[key].spec.config.get("filter")
                if condition and context is not None:
                    # A broken filter is the builder's to report, not the user's.
                    with suppress(ConditionError):
                        checks.append(
                            compile_condition(
                                condition,
                                lambda k, t=target_plan: (t.expression(k), t.kinds[k]),
                                context=context,
                            )
                        )
                if actor is not None and context is not None:
                    target_access = table_access(app, target_plan, actor)
                    if not target_access.unrestricted:
                        checks.append(target_access.scope("read", context))
                if checks:
                    allowed = sa.and_(*checks)
            elif plan.relations[key] == "kairos_user":
                where.append(target.c.is_active.is_(True))
            selected = list(columns.values())
            if allowed is not None:
                selected.append(sa.case((allowed, 1), else_=0).label("_kairos_ok"))
            rows: dict[int, Mapping[str, Any] | None] = dict.fromkeys(ids)
            ok: dict[int, bool] = dict.fromkeys(ids, False)
            ordered = sorted(ids)
            for chunk in chunked(ordered):
                found = conn.execute(
                    sa.select(*selected).where(target.c.id.in_(chunk), *where)
                ).mappings()
                for row in found:
                    rows[row["id"]] = row
                    ok[row["id"]] = allowed is None or bool(row["_kairos_ok"])
            self._rows[(plan.key, key)] = rows
            if context is not None:
                self._allowed[(plan.key, key)] = ok


def _collect(
    app: AppPlan,
    plan: TablePlan,
    raw_rows: Iterable[Any],
    wanted: dict[str, dict[str, set[int]]],
) -> None:
    by_relation = wanted.setdefault(plan.key, {k: set() for k in plan.relations})
    for raw in raw_rows:
        if not isinstance(raw, Mapping):
            continue
        for key in plan.relations:
            field = plan.fields[key]
            value = raw.get(key, field.spec.default)
            try:
                parsed = field.type.parse(value, field.spec)
            except ParseError:
                continue  # reported by validation
            if isinstance(parsed, int) and not isinstance(parsed, bool):
                by_relation[key].add(parsed)
        for key, child_key in plan.children.items():
            rows = raw.get(key)
            if isinstance(rows, list):
                _collect(app, app[child_key], rows, wanted)
