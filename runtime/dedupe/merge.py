"""Merging 2–5 duplicate records into one, and undoing a merge (docs/duplicates.md).

A merge, in one transaction: every relation of every table that points at the merged
records is re-pointed at the master (found from the app plan, nothing hard-coded), the
merged records go to the recycle bin, and the master takes the chosen value of each field.
Every write goes through the record service's write path (validation, lookups, rollups,
audit entry with the actor and channel, outbox event); ``kairos_merge_log`` keeps the
before-images so that ``undo_merge`` can put everything back — refused when any touched
record was written since (its ``row_version`` moved on).

Rights: ``update`` on the master, ``delete`` on the merged records (both checked with row
scopes). Re-pointing a reference is part of the merge the actor is allowed to do, so it
does not need ``update`` on the referring records (a rep merging two customers must not
fail because a colleague's follow-up points at one of them); its audit entries still name
the actor.

The service's public methods each open their own transaction; to keep the merge atomic it
uses the service's per-connection steps (``_load_for_write``, ``_update``) and the delete /
restore steps of ``runtime.records._delete`` that ``RecordService.delete``/``restore`` use.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa

from form_engine.messages import FieldError
from runtime.db import write_transaction
from runtime.dedupe.log import MERGE_LOG, ensure_merge_log, get_merge
from runtime.records import _delete
from runtime.records._plan import TablePlan
from runtime.records.actor import Actor
from runtime.records.errors import PermissionDenied, RecordError, RecordValidationError
from runtime.records.service import RecordService

MAX_RECORDS = 5


class MergeError(RecordError):
    """A merge or undo that cannot be done; the code says why (form_engine.messages)."""


@dataclass(frozen=True)
class MergeResult:
    merge_id: int
    master_id: int
    merged_ids: tuple[int, ...]
    repointed: Mapping[str, int]
    """``"table.field"`` → how many references were moved to the master."""
    record: Mapping[str, Any]
    """The master as the actor reads it after the merge."""


def mergeable_fields(plan: TablePlan) -> list[str]:
    """Fields whose value the user picks from one of the merged records."""
    return [
        key
        for key, field in plan.fields.items()
        if field.stored
        and not field.computed
        and not field.is_child_table
        and field.spec.type != "auto_number"
    ]


def merge(
    service: RecordService,
    actor: Actor,
    table: str,
    master_id: int,
    other_ids: Sequence[int],
    field_choices: Mapping[str, int] | None = None,
) -> MergeResult:
    """Merge ``other_ids`` into ``master_id``; ``field_choices`` maps a field to the id of
    the record whose value the master keeps (fields not listed keep the master's)."""
    plan = service.plan(table)
    access = service.access(actor, plan)
    access.require("update")
    access.require("delete")
    master_id, others = _check_ids(master_id, other_ids)
    choices = _check_choices(plan, field_choices or {}, [master_id, *others])
    ensure_merge_log(service.engine)
    with write_transaction(service.engine) as conn:
        now = service.clock()
        context = service.context(actor, now)
        master = service._load_for_write(conn, actor, plan, access, master_id, "update", context)
        merged = {
            oid: service._load_for_write(conn, actor, plan, access, oid, "delete", context)
            for oid in others
        }
        changes = {
            key: plan.fields[key].to_json(merged[rid].get(key))
            for key, rid in choices.items()
            if rid != master_id and merged[rid].get(key) != master.get(key)
        }
        before = {
            "master": _image(plan, master),
            "merged": {str(oid): _image(plan, values) for oid, values in merged.items()},
        }
        moved = _repoint(service, conn, actor, plan, master_id, others)
        for oid in others:
            existing = service._load_for_write(conn, actor, plan, access, oid, "delete", context)
            doomed = _delete.cascade_set(conn, service.app, plan, oid)
            _delete.check_not_referenced(conn, service.app, actor, doomed, context)
            _delete.delete_cascading(conn, service.app, plan, oid, existing, doomed, actor, now)
        if changes:
            service._update(conn, actor, plan, access, master_id, changes, None)
        touched = [(table, master_id), *((table, oid) for oid in others)]
        touched += [(m["table"], m["id"]) for m in moved]
        merge_id = conn.execute(
            MERGE_LOG.insert()
            .values(
                app_key=service.app.app.key,
                table_key=table,
                master_id=master_id,
                merged_ids=list(others),
                field_choices=dict(choices),
                before=before,
                repointed=moved,
                versions=_versions(service, conn, touched),
                user_id=actor.user_id,
                channel=actor.channel,
                created_at=now,
            )
            .returning(MERGE_LOG.c.id)
        ).scalar_one()
    counts: dict[str, int] = {}
    for m in moved:
        counts[f"{m['table']}.{m['field']}"] = counts.get(f"{m['table']}.{m['field']}", 0) + 1
    record = service.get(actor, table, master_id)
    return MergeResult(int(merge_id), master_id, tuple(others), counts, record)


def undo_merge(service: RecordService, actor: Actor, merge_id: int) -> dict[str, Any]:
    """Put a merge back exactly: merged records restored, the master's values and every
    re-pointed reference back. Returns the master as the actor reads it."""
    ensure_merge_log(service.engine)
    with write_transaction(service.engine) as conn:
        log = get_merge(conn, int(merge_id))
        if log is None or log["app_key"] != service.app.app.key:
            raise MergeError("merge_not_found", id=merge_id)
        if log["undone_at"] is not None:
            raise MergeError("merge_already_undone", id=merge_id)
        if not actor.unrestricted and log["user_id"] != actor.user_id:
            raise PermissionDenied("merge_undo_forbidden")
        plan = service.plan(log["table_key"])
        access = service.access(actor, plan)
        access.require("update")
        access.require("delete")
        _check_unchanged(service, conn, log)
        now = service.clock()
        context = service.context(actor, now)
        for oid in log["merged_ids"]:
            existing = service._load_for_write(
                conn, actor, plan, access, int(oid), "delete", context, deleted=True
            )
            _delete.restore_cascading(conn, service.app, plan, int(oid), existing, actor, now)
        for moved in log["repointed"]:
            other = service.plan(moved["table"])
            _set_reference(service, conn, actor, other, moved["id"], moved["field"], moved["old"])
        master = log["before"]["master"]
        current = service._load_for_write(
            conn, actor, plan, access, log["master_id"], "update", context
        )
        current_json = _image(plan, current)
        restore = {k: v for k, v in master.items() if current_json.get(k) != v}
        if restore:
            service._update(conn, actor, plan, access, log["master_id"], restore, None)
        conn.execute(
            MERGE_LOG.update()
            .where(MERGE_LOG.c.id == log["id"])
            .values(undone_at=now, undone_by=actor.user_id)
        )
    return service.get(actor, log["table_key"], log["master_id"])


def _check_ids(master_id: Any, other_ids: Sequence[Any]) -> tuple[int, list[int]]:
    try:
        master = int(master_id)
        others = [int(i) for i in other_ids]
    except (TypeError, ValueError):
        raise MergeError("merge_count", count=len(list(other_ids)) + 1) from None
    unique = list(dict.fromkeys(i for i in others if i != master))
    count = len(unique) + 1
    if len(unique) != len(others) or not 2 <= count <= MAX_RECORDS:
        raise MergeError("merge_count", count=len(others) + 1)
    return master, unique


def _check_choices(plan: TablePlan, choices: Mapping[str, Any], ids: list[int]) -> dict[str, int]:
    allowed = set(mergeable_fields(plan))
    errors, checked = [], {}
    for key, rid in choices.items():
        if key not in allowed:
            errors.append(FieldError(None, "merge_field_invalid", {"value": key}))
            continue
        try:
            chosen = int(rid)
        except (TypeError, ValueError):
            chosen = None
        if chosen not in ids:
            label = plan.fields[key].spec.label
            errors.append(FieldError(key, "merge_choice_invalid", {"label": label, "value": rid}))
            continue
        checked[key] = chosen
    if errors:
        raise RecordValidationError(errors)
    return checked


def _image(plan: TablePlan, values: Mapping[str, Any]) -> dict[str, Any]:
    """JSON values of the fields a merge or an undo may write."""
    return {key: plan.fields[key].to_json(values.get(key)) for key in mergeable_fields(plan)}


def _referrers(service: RecordService, target: str) -> list[tuple[TablePlan, str]]:
    return [
        (other, key)
        for other in service.app.plans.values()
        for key, target_key in other.relation_targets.items()
        if target_key == target and other.fields[key].stored
    ]


def _repoint(
    service: RecordService,
    conn: sa.Connection,
    actor: Actor,
    plan: TablePlan,
    master_id: int,
    others: list[int],
) -> list[dict[str, Any]]:
    """Point every live reference to a merged record at the master; returns the moves.
    A reference from the master to a merged record (``parent_company``) is emptied: a
    record cannot be its own parent."""
    moved: list[dict[str, Any]] = []
    for other, key in _referrers(service, plan.key):
        column = other.expression(key)
        query = sa.select(other.table.c.id, column.label("old")).where(
            column.in_(others), other.table.c.deleted_at.is_(None)
        )
        if other.key == plan.key:
            query = query.where(other.table.c.id.not_in(others))
        for row in conn.execute(query.order_by(other.table.c.id)).all():
            new = None if (other.key == plan.key and row.id == master_id) else master_id
            _set_reference(service, conn, actor, other, row.id, key, new)
            moved.append(
                {"table": other.key, "field": key, "id": row.id, "old": row.old, "new": new}
            )
    return moved


def _set_reference(
    service: RecordService,
    conn: sa.Connection,
    actor: Actor,
    plan: TablePlan,
    record_id: int,
    key: str,
    value: int | None,
) -> None:
    """Write one reference as part of a merge (see module doc on rights). A child-table
    row has no write path of its own: its column is set directly."""
    if plan.parent:
        conn.execute(plan.table.update().where(plan.table.c.id == record_id).values({key: value}))
        return
    channel = "system" if plan.fields[key].spec.readonly else actor.channel
    acting = replace(actor, is_admin=True, channel=channel)
    access = service.access(acting, plan)
    service._update(conn, acting, plan, access, int(record_id), {key: value}, None)


def _versions(
    service: RecordService, conn: sa.Connection, touched: list[tuple[str, int]]
) -> list[list[Any]]:
    out = []
    for table_key, record_id in dict.fromkeys(touched):
        plan = service.plan(table_key)
        version = conn.execute(
            sa.select(plan.table.c.row_version).where(plan.table.c.id == record_id)
        ).scalar()
        out.append([table_key, int(record_id), version])
    return out


def _check_unchanged(service: RecordService, conn: sa.Connection, log: Mapping[str, Any]) -> None:
    for table_key, record_id, version in log["versions"]:
        plan = service.plan(table_key)
        row = conn.execute(
            sa.select(plan.table.c.row_version, plan.table.c.deleted_at).where(
                plan.table.c.id == record_id
            )
        ).first()
        merged = table_key == log["table_key"] and record_id in log["merged_ids"]
        gone = row is None or (row.deleted_at is not None) != merged
        if gone or row.row_version != version:
            raise MergeError("merge_changed_since", table=plan.label(), record=record_id)


__all__ = [
    "MergeError",
    "MergeResult",
    "merge",
    "mergeable_fields",
    "undo_merge",
]
