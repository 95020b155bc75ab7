"""``bulk_create``, set-based: many records validated, checked and written per batch with
the same rules and the same errors as ``create``.

Per batch of ``BATCH`` rows: every row is parsed, defaulted, computed and validated in
Python; the records they refer to are fetched with one query per relation field
(``Prefetch``); unique fields and combinations are checked with one query per constraint
plus the values claimed by earlier rows of the same call (a row claims its values only
when it is valid, exactly as if the rows were created one after the other); then the valid
rows are written together (``insert_records``). Should the database still refuse the batch
(a concurrent writer took a unique value), the batch is rolled back to its savepoint and
its rows are written one savepoint each, so each row gets its own error.

Imports (``preserve_ids``, administrators and the system only) may also give each row its
``id`` and the system values ``created_at``, ``updated_at`` (aware datetimes or ISO 8601
strings), ``created_by`` and ``updated_by`` (user ids) — and set ``readonly`` fields,
as a flow may: such an import reproduces existing data.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from form_engine.conditions import ConditionContext
from form_engine.messages import FieldError
from runtime.dedupe.batch import BatchDuplicates, BatchEntry
from runtime.records._checks import unique_error
from runtime.records._guard import not_a_record
from runtime.records._insert import NewRecord, insert_records, stamps_for
from runtime.records._permissions import TableAccess
from runtime.records._plan import AppPlan, TablePlan
from runtime.records._prefetch import Prefetch, chunked
from runtime.records._prepare import Draft, prepare
from runtime.records._write import integrity_error
from runtime.records.actor import Actor
from runtime.records.errors import RecordError, RecordValidationError

BATCH = 2000
"""Rows validated and written together: large enough to amortise every statement (and to
share duplicate candidates between rows: bench/imports.py, 1,000 → 2,000 rows made 100k
imports ~10 % faster), small enough to keep memory and ``IN (…)`` lists modest."""
STAMP_LABELS: Mapping[str, Mapping[str, str]] = {
    "id": {"zh-CN": "编号", "en": "id"},
    "created_at": {"zh-CN": "创建时间", "en": "Created at"},
    "updated_at": {"zh-CN": "修改时间", "en": "Updated at"},
    "created_by": {"zh-CN": "创建人", "en": "Created by"},
    "updated_by": {"zh-CN": "修改人", "en": "Updated by"},
}
"""System values an import may give (with ``preserve_ids``)."""

Constraint = tuple[str, ...]


@dataclass
class BulkOutcome:
    created: list[int] = field(default_factory=list)
    errors: dict[int, RecordError] = field(default_factory=dict)
    warnings: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    """Per input row index, the ``warn`` duplicate warnings of a row that was created."""


@dataclass
class _Claims:
    """Unique values and ids taken by earlier valid rows of the same call."""

    values: dict[Constraint, set[tuple[Any, ...]]] = field(default_factory=dict)
    ids: set[int] = field(default_factory=set)
    candidates: dict[Any, Any] = field(default_factory=dict)
    """Stored duplicate candidates already made in this call (``BatchDuplicates``): a
    record is a candidate of rows in many batches, and stored records do not change
    while the call runs."""


def bulk_insert(
    conn: sa.Connection,
    app: AppPlan,
    plan: TablePlan,
    access: TableAccess,
    actor: Actor,
    rows: Sequence[Mapping[str, Any]],
    now: datetime,
    *,
    atomic: bool,
    preserve_ids: bool,
) -> BulkOutcome:
    """Create ``rows``; in ``atomic`` mode nothing more is written once a row failed (the
    caller rolls the transaction back) but every row is still validated, so all errors
    are reported at once."""
    context = ConditionContext(user_id=actor.user_id, now=now, timezone=app.timezone)
    claims = _Claims()
    outcome = BulkOutcome()
    for first in range(0, len(rows), BATCH):
        with cycle_collection_paused():
            ready = _validate(
                conn, app, plan, access, actor, rows[first : first + BATCH], first, context,
                claims, preserve_ids, outcome.errors, now,
            )  # fmt: skip
            if atomic and outcome.errors:
                continue
            outcome.created += _write(conn, app, plan, ready, actor, now, outcome.errors)
        for index, item in ready:
            if item.draft.warnings and index not in outcome.errors:
                outcome.warnings[index] = item.draft.warnings
    return outcome


def _validate(
    conn: sa.Connection,
    app: AppPlan,
    plan: TablePlan,
    access: TableAccess,
    actor: Actor,
    chunk: Sequence[Mapping[str, Any]],
    first: int,
    context: ConditionContext,
    claims: _Claims,
    preserve_ids: bool,
    errors: dict[int, RecordError],
    now: datetime,
) -> list[tuple[int, NewRecord]]:
    submitted = []
    for offset, raw in enumerate(chunk):
        if not isinstance(raw, Mapping):
            errors[first + offset] = RecordValidationError([not_a_record(raw)])
            continue
        given: dict[str, Any] = {}
        stamp_errors: list[FieldError] = []
        values: Mapping[str, Any] = raw
        if preserve_ids:
            values, given, stamp_errors = split_stamps(raw)
        submitted.append((first + offset, values, given, stamp_errors))
    prefetch = Prefetch.for_input(conn, app, plan, [s[1] for s in submitted], context, actor)
    missing_users = _missing_users(conn, app, [s[2] for s in submitted])
    prepared: list[tuple[int, Draft, dict[str, Any]]] = []
    for index, values, given, stamp_errors in submitted:
        draft = prepare(
            conn,
            app,
            plan,
            access,
            actor,
            values,
            context,
            prefetch=prefetch,
            defer_unique=True,
            restoring=preserve_ids,
        )
        for key in ("created_by", "updated_by"):
            if given.get(key) in missing_users:
                stamp_errors.append(
                    FieldError(
                        key,
                        "not_found_reference",
                        {"label": STAMP_LABELS[key], "value": given[key]},
                    )
                )
        draft.errors[:0] = stamp_errors
        prepared.append((index, draft, given))
    duplicates = None
    if plan.spec.duplicate_rules and not preserve_ids:
        entries = [BatchEntry(d.values, d.changed, d.errors, d.warnings) for _i, d, _g in prepared]
        duplicates = BatchDuplicates(conn, plan, access, entries, context, known=claims.candidates)
    _check_unique(conn, plan, [(d, g) for _i, d, g in prepared], claims, duplicates)
    ready = []
    for index, draft, given in prepared:
        if draft.errors:
            errors[index] = RecordValidationError(draft.errors)
        else:
            ready.append((index, NewRecord(draft, stamps_for(actor, now, given))))
    return ready


def _write(
    conn: sa.Connection,
    app: AppPlan,
    plan: TablePlan,
    ready: list[tuple[int, NewRecord]],
    actor: Actor,
    now: datetime,
    errors: dict[int, RecordError],
) -> list[int]:
    """Write the valid rows together; if the database refuses, one savepoint per row."""
    items = [item for _index, item in ready]
    try:
        with conn.begin_nested():
            return insert_records(conn, app, plan, items, actor, now)
    except sa.exc.IntegrityError:
        pass
    created = []
    for index, item in ready:
        try:
            with conn.begin_nested():
                created += insert_records(conn, app, plan, [item], actor, now)
        except sa.exc.IntegrityError as exc:
            error = integrity_error(plan, exc, item.draft.values, item.stamps.get("id"))
            if not isinstance(error, RecordError):
                raise
            errors[index] = error
    return created


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for one batch.

    A batch allocates tens of thousands of short-lived containers (parsed values, drafts,
    candidate rows, audit and event rows); each allocation burst triggers full
    collections that walk the whole heap — measured at ~20 % of an import's time
    (docs/records.md, "Performance notes"). Reference counting still frees everything at
    once; cycles wait until the batch ends, so memory stays bounded by one batch. Only
    the caller that paused resumes (nested or concurrent batches leave it alone), and
    always, even on errors."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


# --- system values of imports ---------------------------------------------------------
def split_stamps(
    raw: Mapping[str, Any],
) -> tuple[dict[str, Any], dict[str, Any], list[FieldError]]:
    """(field values, parsed system values, their errors) of one imported row."""
    values = {k: v for k, v in raw.items() if k not in STAMP_LABELS}
    given: dict[str, Any] = {}
    errors: list[FieldError] = []
    for key in STAMP_LABELS:
        value = raw.get(key)
        if value is None:
            continue
        parsed = _stamp_value(key, value)
        if parsed is None:
            code = "not_a_datetime" if key.endswith("_at") else "not_a_reference"
            errors.append(FieldError(key, code, {"label": STAMP_LABELS[key], "value": value}))
        else:
            given[key] = parsed
    return values, given, errors


def _stamp_value(key: str, value: Any) -> Any:
    if key.endswith("_at"):
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value.strip())
            except ValueError:
                return None
        if isinstance(value, datetime) and value.tzinfo is not None:
            return value
        return None  # a naive time has no defined instant
    if isinstance(value, bool):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 and str(number) == str(value).strip() else None


def _missing_users(conn: sa.Connection, app: AppPlan, given: list[dict[str, Any]]) -> set[int]:
    """Users named as creators or editors of imported rows that do not exist."""
    wanted = sorted({g[k] for g in given for k in ("created_by", "updated_by") if k in g})
    if not wanted:
        return set()
    users = app.tables.system["kairos_user"]
    found: set[int] = set()
    for chunk in chunked(wanted):
        found.update(conn.execute(sa.select(users.c.id).where(users.c.id.in_(chunk))).scalars())
    return set(wanted) - found


# --- uniqueness for a whole batch -----------------------------------------------------
def _check_unique(
    conn: sa.Connection,
    plan: TablePlan,
    prepared: list[tuple[Draft, dict[str, Any]]],
    claims: _Claims,
    duplicates: BatchDuplicates | None = None,
) -> None:
    """Add ``unique``/``unique_together`` errors (taken by a live record or by an earlier
    valid row), then the duplicate rules' errors and warnings (``duplicates``, which
    also compares each row with the earlier valid ones), and ``duplicate_id`` (preserved
    id already used) to the drafts — row by row, in the order ``create`` checks them."""
    constraints: list[Constraint] = [(k,) for k in plan.unique_fields] + list(plan.unique_combos)
    candidates = [{c: _candidate(draft, c) for c in constraints} for draft, _g in prepared]
    taken = {
        c: _taken(conn, plan, c, {v[c] for v in candidates if v[c] is not None})
        for c in constraints
    }
    ids = [g["id"] for d, g in prepared if "id" in g and not d.errors]
    used_ids = _existing_ids(conn, plan, ids)
    for index, ((draft, given), values) in enumerate(zip(prepared, candidates, strict=True)):
        for constraint, value in values.items():
            if value is None:
                continue
            if value in taken[constraint] or value in claims.values.get(constraint, ()):
                draft.errors.append(unique_error(plan, constraint, draft.values))
        if duplicates is not None:
            duplicates.check(index)
        if draft.errors:
            continue
        record_id = given.get("id")
        if record_id is not None and (record_id in used_ids or record_id in claims.ids):
            draft.errors.append(FieldError("id", "duplicate_id", {"value": record_id}))
            continue
        for constraint, value in values.items():
            if value is not None:
                claims.values.setdefault(constraint, set()).add(value)
        if record_id is not None:
            claims.ids.add(record_id)
        if duplicates is not None:
            duplicates.accept(index)


def _candidate(draft: Draft, keys: Constraint) -> tuple[Any, ...] | None:
    """The values a record takes under a unique constraint (None: it takes none), by the
    same rules as ``check_unique``."""
    values = tuple(draft.values.get(k) for k in keys)
    if not set(keys) & draft.changed:
        return None
    if len(keys) == 1:
        return None if values[0] is None or values[0] == "" else values
    return None if any(v is None for v in values) else values


def _taken(
    conn: sa.Connection, plan: TablePlan, keys: Constraint, values: set[tuple[Any, ...]]
) -> set[tuple[Any, ...]]:
    """Which of ``values`` live records already hold under the constraint ``keys``."""
    if not values:
        return set()
    table = plan.table
    expressions = [plan.expression(k) for k in keys]
    live = table.c.deleted_at.is_(None)
    if not all(isinstance(e, sa.Column) for e in expressions):
        # Values spread over several columns: compare one by one, as check_unique does.
        return {
            value
            for value in values
            if conn.execute(
                sa.select(table.c.id)
                .where(*[e == v for e, v in zip(expressions, value, strict=True)], live)
                .limit(1)
            ).first()
        }
    found: set[tuple[Any, ...]] = set()
    ordered = list(values)
    for chunk in chunked(ordered, 400):
        if len(keys) == 1:
            match = expressions[0].in_([v[0] for v in chunk])
        else:
            match = sa.tuple_(*expressions).in_(list(chunk))
        found.update(tuple(row) for row in conn.execute(sa.select(*expressions).where(match, live)))
    return found & values


def _existing_ids(conn: sa.Connection, plan: TablePlan, ids: list[int]) -> set[int]:
    """Ids already used (by live or deleted records)."""
    found: set[int] = set()
    for chunk in chunked(sorted(set(ids))):
        found.update(
            conn.execute(sa.select(plan.table.c.id).where(plan.table.c.id.in_(chunk))).scalars()
        )
    return found
