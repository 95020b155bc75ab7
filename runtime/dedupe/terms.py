"""The duplicate check's search index: the terms each record can be found by.

A duplicate rule's ``exact`` fields are compared in SQL with ``=``; its other fields
(company names, fuzzy texts, phones, email domains) need "contains one of these terms",
which no ordinary index answers: ``LIKE '%term%'`` reads the whole table, and a batch of
a thousand imported names asks a thousand terms at once. So every write also stores, per
record and per such field (a *slot*, ``"field:match"``), the terms
``form_engine.dedupe.index_terms`` gives its value, in ``kairos_dedupe_term``; a lookup
is then an indexed ``term IN (…)``, for one record or a whole batch. Next to the terms,
``kairos_dedupe_form`` keeps each record's comparable form (``form_engine.dedupe.
form_text``: the parsed company name, the normalised phone …), so a batch scores its
candidates without reading and parsing their values again (an index built before the
forms were kept has none: its candidates are parsed, as before).

The index lives in the record's own transaction (a record and its terms commit together)
and is kept by the record service's writes (``insert_records``, ``update_record``).
A slot is built from the table's rows the first time it is needed — after a publish that
added a rule, or on a database older than the index — and ``kairos_dedupe_slot`` says
which slots are built. Publishing forgets the slots of rules and fields that changed, so
they are rebuilt from the stored values. Soft-deleted records keep their terms (the
lookups skip them, and a restore needs nothing).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from form_engine import dedupe
from runtime.records._plan import TablePlan
from runtime.storage.rows import copy_rows
from runtime.storage.system import define_system_tables
from schemas.spec import AppSpec, TableSpec

_SYSTEM = define_system_tables(sa.MetaData())
SLOTS = _SYSTEM["kairos_dedupe_slot"]
TERMS = _SYSTEM["kairos_dedupe_term"]
FORMS = _SYSTEM["kairos_dedupe_form"]

BUILD_BATCH = 2000
"""Rows read (and term rows written) per statement while building a slot."""

Slot = tuple[str, str]
"""(field key, match method)."""


def slot_name(slot: Slot) -> str:
    return f"{slot[0]}:{slot[1]}"


def table_slots(spec: TableSpec) -> list[Slot]:
    """The non-exact fields of a table's duplicate rules, each once."""
    found: dict[Slot, None] = {}
    for rule in spec.duplicate_rules:
        for rule_field in rule.fields:
            if rule_field.match != "exact":
                found[(rule_field.field, rule_field.match)] = None
    return list(found)


def _terms(
    slot_ids: Mapping[Slot, int], records: Iterable[tuple[int, Mapping[str, Any]]]
) -> tuple[list[tuple[int, str, int]], list[tuple[int, int, str]]]:
    """(slot id, term, record id) and (slot id, record id, comparable form) rows of
    ``records`` — (id, values by field key) pairs."""
    terms, forms = [], []
    for record_id, values in records:
        for (field_key, match), slot_id in slot_ids.items():
            value = values.get(field_key)
            for term in dedupe.index_terms(match, value):
                terms.append((slot_id, term, record_id))
            form = dedupe.form_text(match, value)
            if form is not None:
                forms.append((slot_id, record_id, form))
    return terms, forms


COPY_FROM = 500
"""Term rows from which PostgreSQL gets them by COPY (fewer go by executemany: a COPY
costs a few round trips of its own)."""
_TERM_KEYS = ("slot_id", "term", "record_id")
_FORM_KEYS = ("slot_id", "record_id", "form")


def _insert(
    conn: sa.Connection, rows: tuple[list[tuple[int, str, int]], list[tuple[int, int, str]]]
) -> None:
    """SQLite: straight to the driver — an import writes several terms per record, and
    building a parameter dictionary per term row costs more than the insert itself."""
    terms, forms = rows
    if conn.dialect.name == "postgresql" and len(terms) >= COPY_FROM:
        # A batch: COPY — an INSERT per term (the driver's executemany), or even many
        # terms per INSERT, cost several times more on the server.
        copy_rows(conn, TERMS.name, _TERM_KEYS, terms)
        copy_rows(conn, FORMS.name, _FORM_KEYS, forms)
        return
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    if terms:
        # In index order: a batch's terms are spread over the whole index, and inserting
        # them sorted visits each index page once instead of once per term.
        terms.sort()
        conn.exec_driver_sql(
            f"INSERT INTO {TERMS.name} (slot_id, term, record_id) VALUES ({mark}, {mark}, {mark})",
            terms,
        )
    if forms:
        conn.exec_driver_sql(
            f"INSERT INTO {FORMS.name} (slot_id, record_id, form) VALUES ({mark}, {mark}, {mark})",
            forms,
        )


def built_slots(conn: sa.Connection, plan: TablePlan) -> dict[Slot, int]:
    """The table's built slots and their ids."""
    return _registered(conn, plan)


def _registered(conn: sa.Connection, plan: TablePlan) -> dict[Slot, int]:
    """The table's built slots (only those are kept up to date: the others are built
    from the stored rows when first needed)."""
    wanted = {slot_name(s): s for s in table_slots(plan.spec)}
    if not wanted:
        return {}
    rows = conn.execute(
        sa.select(SLOTS.c.slot, SLOTS.c.id).where(
            SLOTS.c.app_key == plan.app_key, SLOTS.c.table_key == plan.key
        )
    ).all()
    return {wanted[name]: int(slot_id) for name, slot_id in rows if name in wanted}


# --- keeping the index --------------------------------------------------------------
def add_records(
    conn: sa.Connection, plan: TablePlan, records: Sequence[tuple[int, Mapping[str, Any]]]
) -> None:
    """Index new records (their ids and values)."""
    if not plan.spec.duplicate_rules or not records:
        return
    slot_ids = _registered(conn, plan)
    if slot_ids:
        _insert(conn, _terms(slot_ids, records))


def replace_record(
    conn: sa.Connection,
    plan: TablePlan,
    record_id: int,
    old: Mapping[str, Any],
    new: Mapping[str, Any],
) -> None:
    """Re-index the slots of an updated record whose value changed (its old terms are
    those of its old value: ``index_terms`` is a function of the value alone)."""
    if not plan.spec.duplicate_rules:
        return
    changed = [s for s in table_slots(plan.spec) if old.get(s[0]) != new.get(s[0])]
    if not changed:
        return
    slot_ids = {s: i for s, i in _registered(conn, plan).items() if s in changed}
    for (field_key, match), slot_id in slot_ids.items():
        conn.execute(
            FORMS.delete().where(FORMS.c.slot_id == slot_id, FORMS.c.record_id == record_id)
        )
        gone = dedupe.index_terms(match, old.get(field_key))
        if gone:
            conn.execute(
                TERMS.delete().where(
                    TERMS.c.slot_id == slot_id,
                    TERMS.c.term.in_(sorted(gone)),
                    TERMS.c.record_id == record_id,
                )
            )
    _insert(conn, _terms(slot_ids, [(record_id, new)]))


def ensure_built(conn: sa.Connection, plan: TablePlan) -> None:
    """Build the table's slots that are not built yet (see module doc)."""
    slots = table_slots(plan.spec)
    if not slots:
        return
    built = _registered(conn, plan)
    for slot in slots:
        if slot not in built:
            _build(conn, plan, slot)


def _build(conn: sa.Connection, plan: TablePlan, slot: Slot) -> None:
    name = slot_name(slot)
    claimed = conn.execute(
        _insert_ignoring_conflict(conn, SLOTS).values(
            app_key=plan.app_key, table_key=plan.key, slot=name, built_at=datetime.now(UTC)
        )
    )
    if claimed.rowcount == 0:
        return  # a concurrent transaction built it (and committed: we waited for its row)
    slot_id = conn.execute(
        sa.select(SLOTS.c.id).where(
            SLOTS.c.app_key == plan.app_key, SLOTS.c.table_key == plan.key, SLOTS.c.slot == name
        )
    ).scalar_one()
    # A slot id may be one used before (SQLite reuses the highest id): nothing of an
    # earlier index may survive under it.
    conn.execute(TERMS.delete().where(TERMS.c.slot_id == slot_id))
    conn.execute(FORMS.delete().where(FORMS.c.slot_id == slot_id))
    field_plan = plan.fields[slot[0]]
    table = plan.table
    column = field_plan.type.sql_expression(table, field_plan.spec).label("value")
    after = 0
    while True:
        rows = conn.execute(
            sa.select(table.c.id, column)
            .where(table.c.id > after)
            .order_by(table.c.id)
            .limit(BUILD_BATCH)
        ).all()
        if not rows:
            return
        after = int(rows[-1][0])
        _insert(conn, _terms({slot: slot_id}, ((int(i), {slot[0]: v}) for i, v in rows)))


def _insert_ignoring_conflict(conn: sa.Connection, table: sa.Table) -> Any:
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table).on_conflict_do_nothing()
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table).on_conflict_do_nothing()


def forget_changed(conn: sa.Connection, previous: AppSpec | None, current: AppSpec) -> None:
    """At publish: drop the index of slots no rule uses any more, and of slots whose
    field changed type (its stored values may have been migrated); they are rebuilt
    when next needed."""
    if previous is None:
        return
    kept: set[tuple[str, str]] = set()
    for table in current.tables:
        old_table = next((t for t in previous.tables if t.key == table.key), None)
        if old_table is None:
            continue
        old_fields = {f.key: f for f in old_table.fields}
        new_fields = {f.key: f for f in table.fields}
        old_slots = set(table_slots(old_table))
        for slot in table_slots(table):
            if slot not in old_slots:
                continue  # a rule new in this version: whatever is indexed is stale
            old_field, new_field = old_fields.get(slot[0]), new_fields.get(slot[0])
            if old_field is not None and new_field is not None and old_field.type == new_field.type:
                kept.add((table.key, slot_name(slot)))
    stale = [
        int(slot_id)
        for slot_id, table_key, name in conn.execute(
            sa.select(SLOTS.c.id, SLOTS.c.table_key, SLOTS.c.slot).where(
                SLOTS.c.app_key == current.key
            )
        ).all()
        if (table_key, name) not in kept
    ]
    if stale:
        conn.execute(TERMS.delete().where(TERMS.c.slot_id.in_(stale)))
        conn.execute(FORMS.delete().where(FORMS.c.slot_id.in_(stale)))
        conn.execute(SLOTS.delete().where(SLOTS.c.id.in_(stale)))


# --- finding candidates -------------------------------------------------------------
def slot_id(plan: TablePlan, slot: Slot) -> Any:
    """The slot's id, as a scalar subquery."""
    return (
        sa.select(SLOTS.c.id)
        .where(
            SLOTS.c.app_key == plan.app_key,
            SLOTS.c.table_key == plan.key,
            SLOTS.c.slot == slot_name(slot),
        )
        .scalar_subquery()
    )


def matching_ids(plan: TablePlan, slot: Slot, terms: Sequence[str]) -> sa.Select[Any]:
    """``SELECT record_id`` of the records indexed under any of ``terms`` (for
    ``id IN (…)``); the slot must be built (``ensure_built``)."""
    return sa.select(TERMS.c.record_id).where(
        TERMS.c.slot_id == slot_id(plan, slot), TERMS.c.term.in_(list(terms))
    )
