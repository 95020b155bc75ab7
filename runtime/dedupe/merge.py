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

It runs as one unit of work of the record service (``RecordService.unit_of_work``),
through its public calls only: ``lock`` holds the master and the merged records (rights
checked, rows locked), ``references``/``repoint`` move the references between held records,
``delete``/``restore``/``update`` do the rest, ``versions`` reads the row versions the
merge log keeps; the log row is written on the unit's connection.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from form_engine.messages import FieldError
from runtime.dedupe.log import MERGE_LOG, ensure_merge_log, get_merge
from runtime.records import (
    Actor,
    PermissionDenied,
    RecordError,
    RecordService,
    RecordValidationError,
    TablePlan,
)

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
    with service.unit_of_work() as unit:
        now = service.clock()
        master = service.lock(actor, table, master_id, action="update")
        merged = {oid: service.lock(actor, table, oid, action="delete") for oid in others}
        changes = {
            key: plan.fields[key].to_json(merged[rid].get(key))
            for key, rid in choices.items()
            if rid != master_id and merged[rid].get(key) != master.get(key)
        }
        before = {
            "master": _image(plan, master),
            "merged": {str(oid): _image(plan, values) for oid, values in merged.items()},
        }
        moved = _repoint(service, actor, plan, master_id, others)
        for oid in others:
            service.delete(actor, table, oid)
        if changes:
            service.update(actor, table, master_id, changes)
        touched = [(table, master_id), *((table, oid) for oid in others)]
        touched += [(m["table"], m["id"]) for m in moved]
        merge_id = unit.connection.execute(
            MERGE_LOG.insert()
            .values(
                app_key=service.app.app.key,
                table_key=table,
                master_id=master_id,
                merged_ids=list(others),
                field_choices=dict(choices),
                before=before,
                repointed=moved,
                versions=_versions(service, touched),
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
    with service.unit_of_work() as unit:
        log = get_merge(unit.connection, int(merge_id))
        if log is None or log["app_key"] != service.app.app.key:
            raise MergeError("merge_not_found", id=merge_id)
        if log["undone_at"] is not None:
            raise MergeError("merge_already_undone", id=merge_id)
        if not actor.unrestricted and log["user_id"] != actor.user_id:
            raise PermissionDenied("merge_undo_forbidden")
        table = log["table_key"]
        plan = service.plan(table)
        access = service.access(actor, plan)
        access.require("update")
        access.require("delete")
        _check_unchanged(service, log)
        for oid in log["merged_ids"]:
            service.lock(actor, table, oid, action="delete", deleted=True)
            service.restore(actor, table, oid)
        held = service.lock(actor, table, log["master_id"], action="update")
        for moved in log["repointed"]:
            own = moved["table"] == table and moved["id"] == log["master_id"]
            if own and held.get(moved["field"]) != moved["new"]:
                continue  # the merge then gave the master a chosen value: restored below
            service.repoint(
                actor,
                moved["table"],
                moved["id"],
                moved["field"],
                was=moved["new"],
                to=moved["old"],
            )
        master = log["before"]["master"]
        current = _image(plan, service.lock(actor, table, log["master_id"], action="update"))
        restore = {k: v for k, v in master.items() if current.get(k) != v}
        if restore:
            service.update(actor, table, log["master_id"], restore)
        unit.connection.execute(
            MERGE_LOG.update()
            .where(MERGE_LOG.c.id == log["id"])
            .values(undone_at=service.clock(), undone_by=actor.user_id)
        )
    return service.get(actor, table, log["master_id"])


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


def _repoint(
    service: RecordService, actor: Actor, plan: TablePlan, master_id: int, others: list[int]
) -> list[dict[str, Any]]:
    """Point every live reference to a merged record at the master; returns the moves.
    References between the merged records stay (they go to the bin together). A
    reference from the master to a merged record (``parent_company``) is emptied: a
    record cannot be its own parent."""
    moved: list[dict[str, Any]] = []
    for ref in service.references(actor, plan.key, others):
        if ref.table == plan.key and ref.id in others:
            continue
        new = None if (ref.table == plan.key and ref.id == master_id) else master_id
        service.repoint(actor, ref.table, ref.id, ref.field, was=ref.target, to=new)
        moved.append(
            {"table": ref.table, "field": ref.field, "id": ref.id, "old": ref.target, "new": new}
        )
    return moved


def _versions(service: RecordService, touched: list[tuple[str, int]]) -> list[list[Any]]:
    """``[table, id, row_version]`` of every touched record, in first-touched order."""
    touched = list(dict.fromkeys(touched))
    found = {
        table_key: service.versions(table_key, [i for t, i in touched if t == table_key])
        for table_key in dict.fromkeys(t for t, _i in touched)
    }
    out = []
    for table_key, record_id in touched:
        version = found[table_key].get(int(record_id))
        out.append([table_key, int(record_id), None if version is None else version.row_version])
    return out


def _check_unchanged(service: RecordService, log: Mapping[str, Any]) -> None:
    """MergeError when a touched record was written (or deleted, restored) since."""
    found: dict[str, dict[int, Any]] = {}
    for table_key, record_id, _version in log["versions"]:
        found.setdefault(table_key, {})[record_id] = None
    for table_key, ids in found.items():
        found[table_key] = service.versions(table_key, list(ids))
    for table_key, record_id, version in log["versions"]:
        now = found[table_key].get(record_id)
        merged = table_key == log["table_key"] and record_id in log["merged_ids"]
        if now is None or now.deleted != merged or now.row_version != version:
            plan = service.plan(table_key)
            raise MergeError("merge_changed_since", table=plan.label(), record=record_id)


__all__ = [
    "MergeError",
    "MergeResult",
    "merge",
    "mergeable_fields",
    "undo_merge",
]
