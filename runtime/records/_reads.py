"""The read half of ``RecordService``: get, query (keyset pages), count, aggregate, the
recycle bin and history. Every statement carries the actor's read scope."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from runtime.records import _guard as guard
from runtime.records import _query as q
from runtime.records._audit import AuditEntry, read_history
from runtime.records._children import load_children
from runtime.records._output import field_json, output_shape, row_values, to_output
from runtime.records._permissions import mask
from runtime.records.errors import QueryError, RecordNotFound

DEFAULT_ORDER: tuple[tuple[str, str], ...] = (("updated_at", "desc"),)


@dataclass(frozen=True)
class Page:
    """One page of records; ``next_cursor`` is None on the last page; ``total`` is the
    number of matching records when ``with_count`` was asked, else None."""

    rows: list[dict[str, Any]]
    next_cursor: str | None
    total: int | None = None


class Reader:
    """Mixed into RecordService (which supplies engine, app, plan, access, context)."""

    def get(
        self,
        actor: Any,
        table: str,
        record_id: int,
        *,
        fields: Sequence[str] | None = None,
        as_json: bool = True,
    ) -> dict[str, Any]:
        """One live record the actor may see; RecordNotFound otherwise (also when it exists
        outside the actor's scope, so existence does not leak)."""
        plan = self.plan(table)  # type: ignore[attr-defined]
        record_id = guard.record_id(plan, record_id)
        fields = _field_list(plan, fields)
        access = self.access(actor, plan)  # type: ignore[attr-defined]
        access.require("read")
        context = self.context(actor)  # type: ignore[attr-defined]
        with self._read() as conn:  # type: ignore[attr-defined]
            row = (
                conn.execute(
                    sa.select(plan.table).where(
                        plan.table.c.id == record_id,
                        plan.table.c.deleted_at.is_(None),
                        access.scope("read", context),
                    )
                )
                .mappings()
                .first()
            )
            if row is None:
                raise RecordNotFound(plan.label(), record_id)
            values = row_values(plan, row)
            wanted = set(fields) if fields is not None else set(plan.children)
            for key, child_key in plan.children.items():
                if key in wanted:
                    values[key] = load_children(conn, self.app[child_key], [record_id])[record_id]  # type: ignore[attr-defined]
        return to_output(
            plan,
            values,
            access,
            fields=fields,
            as_json=as_json,
            children=self._children_access(actor, plan),
        )  # type: ignore[attr-defined]

    def query(
        self,
        actor: Any,
        table: str,
        *,
        where: Mapping[str, Any] | None = None,
        order_by: Sequence[tuple[str, str]] = DEFAULT_ORDER,
        fields: Sequence[str] | None = None,
        limit: int = 50,
        after: str | None = None,
        with_count: bool = False,
        search: str | None = None,
        as_json: bool = True,
        deleted: bool = False,
    ) -> Page:
        """Records matching ``where`` (condition language) and ``search``, sorted, one
        keyset page at a time: pass the previous page's ``next_cursor`` as ``after``.
        Child rows are included only for child_table keys named in ``fields``."""
        plan = self.plan(table)  # type: ignore[attr-defined]
        access = self.access(actor, plan)  # type: ignore[attr-defined]
        access.require("read")
        if deleted:
            access.require("delete")  # the recycle bin, as in list_deleted
        limit = q.clamp_limit(limit)
        context = self.context(actor)  # type: ignore[attr-defined]
        fields = _field_list(plan, fields)
        condition = q.where_clause(plan, access, where, search, context, deleted=deleted)
        keys = q.ordering(plan, access, order_by)
        signature = q.signature(plan.key, keys)
        sort_columns = [expr.label(f"_k{i}") for i, (_n, expr, _d) in enumerate(keys)]
        statement = sa.select(plan.table, *sort_columns).where(condition)
        if after:
            values = q.decode_cursor(signature, after, keys, plan)
            statement = statement.where(q.after_cursor(keys, values))
        statement = statement.order_by(*q.order_clauses(keys)).limit(limit + 1)
        with self._read() as conn:  # type: ignore[attr-defined]
            rows = conn.execute(statement).mappings().all()
            more = len(rows) > limit
            rows = rows[:limit]
            values = [row_values(plan, row) for row in rows]
            wanted = [k for k in plan.children if fields is not None and k in fields]
            for key in wanted:
                loaded = load_children(
                    conn,
                    self.app[plan.children[key]],  # type: ignore[attr-defined]
                    [v["id"] for v in values],
                )
                for v in values:
                    v[key] = loaded[v["id"]]
            total = None
            if with_count:
                total = conn.execute(
                    sa.select(sa.func.count()).select_from(plan.table).where(condition)
                ).scalar_one()
        next_cursor = None
        if more and rows:
            last = rows[-1]
            next_cursor = q.encode_cursor(signature, [last[f"_k{i}"] for i in range(len(keys))])
        children = self._children_access(actor, plan)  # type: ignore[attr-defined]
        shape = output_shape(plan, access, fields)
        out = [
            to_output(plan, v, access, as_json=as_json, children=children, shape=shape)
            for v in values
        ]
        return Page(out, next_cursor, total)

    def list_deleted(self, actor: Any, table: str, **options: Any) -> Page:
        """The recycle bin: deleted records the actor could see, newest deletion first."""
        options.setdefault("order_by", (("deleted_at", "desc"),))
        plan = self.plan(table)  # type: ignore[attr-defined]
        self.access(actor, plan).require("delete")  # type: ignore[attr-defined]
        return self.query(actor, table, deleted=True, **options)

    def count(
        self,
        actor: Any,
        table: str,
        where: Mapping[str, Any] | None = None,
        *,
        search: str | None = None,
    ) -> int:
        plan = self.plan(table)  # type: ignore[attr-defined]
        access = self.access(actor, plan)  # type: ignore[attr-defined]
        access.require("read")
        condition = q.where_clause(plan, access, where, search, self.context(actor))  # type: ignore[attr-defined]
        with self._read() as conn:  # type: ignore[attr-defined]
            return int(
                conn.execute(
                    sa.select(sa.func.count()).select_from(plan.table).where(condition)
                ).scalar_one()
            )

    def aggregate(
        self,
        actor: Any,
        table: str,
        *,
        group_by: Sequence[str] = (),
        measures: Sequence[tuple[str, str | None]] = (("count", None),),
        where: Mapping[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        """One dict per group: the group values (JSON form) and each measure, named
        ``count`` or ``<function>_<field>`` (``sum_amount``). Sorted by the group values."""
        plan = self.plan(table)  # type: ignore[attr-defined]
        access = self.access(actor, plan)  # type: ignore[attr-defined]
        access.require("read")
        condition = q.where_clause(plan, access, where, None, self.context(actor))  # type: ignore[attr-defined]
        if isinstance(measures, str | bytes) or not isinstance(measures, Sequence):
            raise QueryError(detail=f"measures must be a list, not {type(measures).__name__}")
        if isinstance(group_by, str | bytes) or not isinstance(group_by, Sequence):
            raise QueryError(detail=f"group_by must be a list, not {type(group_by).__name__}")
        measures = [q.measure_item(item) for item in measures]
        groups = []
        for key in group_by:
            if not isinstance(key, str):
                raise QueryError("unknown_field", table=plan.label(), value=repr(key))
            try:
                groups.append(q.column(plan, access, key, "group").label(f"g_{key}"))
            except KeyError:
                raise QueryError("unknown_field", table=plan.label(), value=key) from None
        columns = [
            q.measure_expression(plan, access, fn, key).label(q.measure_name(fn, key))
            for fn, key in measures
        ]
        statement = sa.select(*groups, *columns).select_from(plan.table).where(condition)
        if groups:
            statement = statement.group_by(*groups).order_by(*groups)
        with self._read() as conn:  # type: ignore[attr-defined]
            rows = conn.execute(statement).mappings().all()
        out = []
        for row in rows:
            item: dict[str, Any] = {}
            for key in group_by:
                item[key] = field_json(plan, key, row[f"g_{key}"])
            for fn, key in measures:
                name = q.measure_name(fn, key)
                value = row[name]
                if fn in ("count", "count_distinct"):
                    item[name] = int(value or 0)
                elif fn in ("sum", "min", "max") and key is not None and value is not None:
                    item[name] = field_json(plan, key, _as_field_value(plan, key, value))
                else:
                    item[name] = None if value is None else float(value)
            out.append(item)
        return out

    def history(self, actor: Any, table: str, record_id: int) -> list[AuditEntry]:
        """Every change of a record the actor may see (live or in the recycle bin), oldest
        first; hidden fields are left out and masked ones masked."""
        plan = self.plan(table)  # type: ignore[attr-defined]
        record_id = guard.record_id(plan, record_id)
        access = self.access(actor, plan)  # type: ignore[attr-defined]
        access.require("read")
        context = self.context(actor)  # type: ignore[attr-defined]
        system = self.tables.system  # type: ignore[attr-defined]
        with self._read() as conn:  # type: ignore[attr-defined]
            visible = conn.execute(
                sa.select(plan.table.c.id).where(
                    plan.table.c.id == record_id, access.scope("read", context)
                )
            ).first()
            if visible is None:
                raise RecordNotFound(plan.label(), record_id)
            entries = read_history(
                conn,
                system["kairos_audit"],
                system["kairos_user"],
                plan.app_key,
                plan.key,
                record_id,
            )
        out = []
        for entry in entries:
            changes = {}
            for key, change in entry.changes.items():
                level = access.access(key) if key in plan.fields else "read"
                if level == "hidden":
                    continue
                if level == "masked" and isinstance(change, list):
                    change = [mask(v, plan.fields[key].spec.type) for v in change]
                changes[key] = change
            out.append(
                AuditEntry(
                    entry.id,
                    entry.action,
                    entry.actor_id,
                    entry.actor_name,
                    entry.channel,
                    entry.at,
                    changes,
                )
            )
        return out


def _field_list(plan: Any, fields: Any) -> list[str] | None:
    """The ``fields`` argument checked: None, or a list of known keys."""
    if fields is None:
        return None
    if isinstance(fields, str | bytes) or not isinstance(fields, Sequence | set | frozenset):
        raise QueryError(detail=f"fields must be a list of field keys, not {guard.shown(fields)}")
    for key in fields:
        if not isinstance(key, str) or (key not in plan.fields and key not in plan.kinds):
            raise QueryError("unknown_field", table=plan.label(), value=guard.shown(key))
    return list(fields)


def _as_field_value(plan: Any, key: str, value: Any) -> Any:
    field = plan.fields.get(key)
    if field is None or not field.columns:
        return value
    return field.type.from_db({field.columns[0]: value}, field.spec)
