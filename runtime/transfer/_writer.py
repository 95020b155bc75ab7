"""Writing one chunk of records in the import's mode, through the record service.

- ``insert``: one ``bulk_create`` per chunk (``atomic=False``: each row succeeds or fails
  alone; all-or-nothing is the surrounding unit of work, ``RecordService.unit_of_work``).
- ``update``: the key (``id`` or unique fields) finds each record — one query per chunk —
  then ``update`` per record. A key that finds nothing fails the row.
- ``upsert``: as update for the keys found; the others are created with ``bulk_create``.

A key repeated in the file fails the later rows (the first one wins), so a file can never
update one record twice or create two records for one key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from form_engine.messages import ParseError
from runtime.records import Actor, RecordError, RecordService, RecordValidationError
from runtime.transfer._records import Group
from runtime.transfer.text import TransferError, text

if TYPE_CHECKING:
    from runtime.transfer.importer import ImportOptions, ImportPlan

IN_LIMIT = 500
Problems = list[tuple[str | None, str]]


@dataclass
class ChunkOutcome:
    created: int = 0
    updated: int = 0
    failed: list[tuple[Group, Problems]] = field(default_factory=list)
    values: dict[int, dict[str, Any]] = field(default_factory=dict)
    """id(group) → the record as stored (JSON form), for previews."""
    warned: list[tuple[Group, list[dict[str, Any]]]] = field(default_factory=list)
    """Created records a ``warn`` duplicate rule flagged, with the service's warnings."""


def error_problems(error: RecordError, locale: str) -> Problems:
    """The service's error as (field key — ``lines.product`` for a child field — , text)."""
    if not isinstance(error, RecordValidationError):
        return [(None, error.message(locale))]
    out: Problems = []
    for problem in error.errors:
        key = problem.field
        if problem.code == "child_row" and problem.params.get("field"):
            key = f"{problem.field}.{problem.params['field']}"
        out.append((key, problem.message(locale)))
    return out


class Writer:
    def __init__(
        self, svc: RecordService, actor: Actor, plan: ImportPlan, options: ImportOptions
    ) -> None:
        self.svc = svc
        self.actor = actor
        self.table = plan.table
        self.targets = plan.targets
        self.mode = options.mode
        self.key = tuple(options.key)
        self.locale = options.locale
        self.keep_values = False
        self.seen: set[tuple[Any, ...]] = set()
        title = svc.plan(plan.table).spec.title_field
        self.group_key = self.key[0] if self.key and self.key[0] != "id" else title

    @classmethod
    def for_options(
        cls, svc: RecordService, actor: Actor, plan: ImportPlan, options: ImportOptions
    ) -> Writer:
        """A writer, after checking the mode and key against the mapped columns."""
        if options.mode not in ("insert", "update", "upsert"):
            raise TransferError("unknown_mode", mode=options.mode)
        mapped = set(plan.header.matched.values())
        key = tuple(options.key)
        if options.mode != "insert" and not key:
            if "id" not in mapped:
                raise TransferError("key_required", mode=options.mode)
            options = replace(options, key=("id",))
        table_plan = svc.plan(plan.table)
        access = svc.access(actor, table_plan)
        for field_key in options.key:
            if field_key not in plan.targets:
                raise TransferError("unknown_field", table=table_plan.label(), field=field_key)
            if field_key not in mapped:
                raise TransferError("key_not_mapped", field=plan.targets[field_key].label)
            if field_key != "id" and not access.usable_in_queries(field_key):
                raise TransferError("key_not_usable", field=plan.targets[field_key].label)
        return cls(svc, actor, plan, options)

    # --- chunk ----------------------------------------------------------------------
    def write(self, chunk: Sequence[Group]) -> ChunkOutcome:
        outcome = ChunkOutcome()
        sendable = []
        for group in chunk:
            if group.problems and not self.keep_values:
                outcome.failed.append((group, list(group.problems)))
            else:
                sendable.append(group)
        if self.mode == "insert":
            self._create(sendable, outcome)
        else:
            self._create(self._update_found(sendable, outcome), outcome)
        outcome.failed.sort(key=lambda failure: failure[0].lines[0])
        return outcome

    def _update_found(self, sendable: list[Group], outcome: ChunkOutcome) -> list[Group]:
        """Update the records the keys find; returns the groups to create (upsert)."""
        found = self._find(sendable, outcome)
        creates = []
        for group in sendable:
            record_id = found.get(id(group))
            if record_id is not None:
                self._update(group, record_id, outcome)
            elif self.mode == "upsert" and id(group) not in {id(g) for g, _ in outcome.failed}:
                creates.append(group)
        return creates

    def _values(self, group: Group) -> dict[str, Any]:
        return {k: v for k, v in group.values.items() if k != "id"}

    def _fail(self, outcome: ChunkOutcome, group: Group, problems: Problems) -> None:
        flagged = {k for k, _ in group.problems}
        extra = [
            (k, m) for k, m in problems if k not in flagged
        ]  # a dropped relation is not also "required"
        outcome.failed.append((group, [*group.problems, *extra]))

    def _create(self, groups: list[Group], outcome: ChunkOutcome) -> None:
        if not groups:
            return
        result = self.svc.bulk_create(
            self.actor, self.table, [self._values(g) for g in groups], atomic=False
        )
        ids = iter(result.created)
        for index, group in enumerate(groups):
            error = result.errors.get(index)
            if error is not None:
                self._fail(outcome, group, error_problems(error, self.locale))
                continue
            record_id = next(ids)
            if group.problems:
                self._fail(outcome, group, [])
                continue
            outcome.created += 1
            if index in result.warnings:
                outcome.warned.append((group, result.warnings[index]))
            if self.keep_values:
                outcome.values[id(group)] = self.svc.get(self.actor, self.table, record_id)

    def _update(self, group: Group, record_id: int, outcome: ChunkOutcome) -> None:
        try:
            record = self.svc.update(self.actor, self.table, record_id, self._values(group))
        except RecordError as error:
            self._fail(outcome, group, error_problems(error, self.locale))
            return
        if group.problems:
            self._fail(outcome, group, [])
            return
        outcome.updated += 1
        if self.keep_values:
            outcome.values[id(group)] = record

    # --- keys -----------------------------------------------------------------------
    def _key_of(self, group: Group) -> tuple[Any, ...] | Problems:
        plan = self.svc.plan(self.table)
        values = []
        for key in self.key:
            raw = group.values.get(key)
            label = self.targets[key].title(self.locale)
            if raw is None:
                return [(key, text("key_blank", self.locale, label=label))]
            try:
                if key == "id":
                    value: Any = int(float(raw)) if not isinstance(raw, int) else raw
                else:
                    value = plan.fields[key].type.parse(raw, plan.fields[key].spec)
            except (ParseError, ValueError):
                return [(key, text("record_not_found_by_key", self.locale, label=label, value=raw))]
            values.append(value)
        return tuple(values)

    def _find(self, groups: list[Group], outcome: ChunkOutcome) -> dict[int, int]:
        """id(group) → id of its record, for the groups whose key finds one."""
        keys: dict[int, tuple[Any, ...]] = {}
        for group in groups:
            key = self._key_of(group)
            if isinstance(key, list):
                self._fail(outcome, group, key)
            elif key in self.seen:
                label = ", ".join(self.targets[k].title(self.locale) for k in self.key)
                shown = ", ".join(str(v) for v in key)
                message = text("key_repeated", self.locale, label=label, value=shown)
                self._fail(outcome, group, [(self.key[0], message)])
            else:
                self.seen.add(key)
                keys[id(group)] = key
        existing = self._existing({k[0] for k in keys.values()})
        found = {}
        for group in groups:
            key = keys.get(id(group))
            if key is None:
                continue
            record_id = existing.get(key)
            if record_id is not None:
                found[id(group)] = record_id
            elif self.mode == "update":
                label = ", ".join(self.targets[k].title(self.locale) for k in self.key)
                shown = ", ".join(str(v) for v in key)
                message = text("record_not_found_by_key", self.locale, label=label, value=shown)
                self._fail(outcome, group, [(self.key[0], message)])
        return found

    def _existing(self, first_values: set[Any]) -> dict[tuple[Any, ...], int]:
        """Key tuple → record id, for live records (in the actor's scope) whose first key
        field is one of ``first_values``."""
        out: dict[tuple[Any, ...], int] = {}
        wanted = sorted(first_values, key=str)
        fields = [k for k in self.key if k != "id"]
        for first in range(0, len(wanted), IN_LIMIT):
            where = {"field": self.key[0], "op": "in", "value": wanted[first : first + IN_LIMIT]}
            after = None
            while True:
                page = self.svc.query(
                    self.actor, self.table, where=where, fields=fields or ["id"],
                    order_by=[("id", "asc")], limit=1000, after=after, as_json=False,
                )  # fmt: skip
                for row in page.rows:
                    out.setdefault(tuple(row[k] for k in self.key), int(row["id"]))
                if page.next_cursor is None:
                    break
                after = page.next_cursor
        return out
