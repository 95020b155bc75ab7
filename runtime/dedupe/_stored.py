"""The stored records the rows of a batch are compared with (``runtime.dedupe.batch``):
for each row exactly the candidates its single-record query (``runtime.dedupe._match``)
would score, newest first, up to ``CANDIDATE_LIMIT`` — fetched for many rows at once.

- A rule of one non-exact field goes through the search index (``runtime.dedupe.terms``,
  ``indexed_candidates``): per term the rows ask, the ids of its newest
  ``CANDIDATE_LIMIT`` records, then the live ones among them with their stored
  comparable forms; each row merges its terms' lists.
- Any other rule (``stored_candidates``): ``… WHERE <every field meets some row's
  prefilter> ORDER BY id DESC LIMIT FETCH``; each row then keeps, in memory, the fetched
  records meeting *its own* prefilter. Only when that query was cut off by ``FETCH`` and
  a row still has fewer than ``CANDIDATE_LIMIT`` candidates is one more query asked
  (older ids, those rows only). Which fetched record meets which row's terms is decided
  from the record's value (``form_engine.dedupe.index_terms``, the very terms the index
  holds for it).

Comparable forms (parsed company names, normalised phones …) are made once per
candidate, and a bulk call remembers the candidates it made (``known``).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from itertools import islice
from typing import Any

import sqlalchemy as sa

from form_engine import dedupe
from form_engine.fields.base import FieldType
from runtime.dedupe import terms as dedupe_terms
from runtime.dedupe._in_batch import Candidate, RowFilter, comparable_forms
from runtime.dedupe._match import CANDIDATE_LIMIT
from runtime.records._output import row_values
from runtime.records._plan import TablePlan
from runtime.records._prefetch import chunked
from schemas.spec import DuplicateRuleSpec

FETCH = 1000
"""Rows one candidate query returns at most (newest first)."""

KNOWN_LIMIT = 10_000
"""Stored candidates one bulk call keeps for its later batches at most."""

TERMS_PER_QUERY = 2000
"""Terms one query of ``_newest_by_term`` asks at most."""

IDS_PER_QUERY = 2000
"""Candidate records one query of ``_known_candidates`` reads at most."""


def _made(
    plan: TablePlan, rule: DuplicateRuleSpec, fetched: list[Any], fields: list[Any] | None
) -> list[Candidate]:
    """Candidates of the fetched rows, with their comparable forms under ``rule``: made
    once per fetched row (each is a candidate of many rows of the batch). ``fields``: the
    fields read (rule fields and title); None when the whole row was fetched. A row with
    a stored form (``_form``: a one-field rule, ``runtime.dedupe.terms``) is not parsed."""
    out = []
    # A value that is simply the column named after its field is read as is (as
    # ``row_values`` does): candidates are made by the hundred thousand in an import.
    readers = [(f, type(f.type).from_db is FieldType.from_db) for f in fields or ()]
    for row in fetched:
        if fields is None:
            values = row_values(plan, row)
        else:
            values = {
                f.key: row[f.key] if plain else f.type.from_db(row, f.spec) for f, plain in readers
            }
        stored = row.get("_form")
        if stored is None:
            forms = comparable_forms(rule, values)
        else:
            [rule_field] = rule.fields
            name = f"{rule_field.match}:{rule_field.field}"
            forms = {name: dedupe.form_from_text(rule_field.match, stored)}
        out.append(Candidate(int(row["id"]), values, bool(row["_visible"]), forms))
    return out


def _read_columns(plan: TablePlan, rule: DuplicateRuleSpec) -> tuple[list[Any], list[Any] | None]:
    """The columns scoring and naming read (the rule's fields and the title) and their
    fields; (the whole row, None) when one of them is not a plain stored column."""
    table = plan.table
    wanted = [f.field for f in rule.fields]
    if plan.spec.title_field:
        wanted.append(plan.spec.title_field)
    fields = [plan.fields.get(k) for k in dict.fromkeys(wanted)]
    if all(f is not None and f.stored and not f.is_child_table for f in fields):
        return [table.c.id, *(table.c[c] for f in fields if f for c in f.columns)], fields
    return [table], None


def indexed_candidates(
    conn: sa.Connection,
    plan: TablePlan,
    rule: DuplicateRuleSpec,
    filters: Sequence[RowFilter | None],
    scope: sa.ColumnElement[bool],
    known: dict[Any, Candidate | None] | None = None,
) -> list[list[Candidate]]:
    """``stored_candidates`` for a rule of one non-exact field, in two queries:

    - per term the batch asks, the ids of its newest ``CANDIDATE_LIMIT`` records, from
      the search index alone (a row's newest ``CANDIDATE_LIMIT`` candidates — those of
      the union of its terms — are among them);
    - the live rows of those ids not made a candidate yet (``known``).

    Each row then merges its terms' lists in Python, newest first. Records in the recycle
    bin keep their terms but are no candidates: a term whose list they shortened below
    ``CANDIDATE_LIMIT`` is asked again for more."""
    out: list[list[Candidate]] = [[] for _ in filters]
    wanted = sorted({t for f in filters if f is not None for t in f[0][1]})
    if not wanted:
        return out
    rule_field = rule.fields[0]
    slot_id = dedupe_terms.built_slots(conn, plan).get((rule_field.field, rule_field.match))
    if slot_id is None:
        return out
    made = {} if known is None else known
    by_term: dict[str, list[int]] = {}
    cap, asking = CANDIDATE_LIMIT, wanted
    while asking:
        found = _newest_by_term(conn, slot_id, asking, cap)
        listed = {i for ids in found.values() for i in ids}
        _known_candidates(conn, plan, rule, slot_id, scope, listed, made)
        for term, ids in found.items():
            by_term[term] = [i for i in ids if made.get((rule.key, i)) is not None]
        asking = [
            t for t in asking if len(found.get(t, ())) == cap and len(by_term[t]) < CANDIDATE_LIMIT
        ]
        cap *= 4
    for row, row_filter in zip(out, filters, strict=True):
        if row_filter is None:
            continue
        ids: set[int] = set()
        for term in row_filter[0][1]:
            ids.update(by_term.get(term, ()))
        newest = sorted(ids, reverse=True)[:CANDIDATE_LIMIT]
        row.extend(made[(rule.key, i)] for i in newest)  # type: ignore[misc]
    if known is not None and len(known) > KNOWN_LIMIT:
        for key in list(islice(known, len(known) - KNOWN_LIMIT)):
            del known[key]
    return out


def _newest_by_term(
    conn: sa.Connection, slot_id: int, terms: list[str], cap: int
) -> dict[str, list[int]]:
    """Term → ids (newest first) of its newest ``cap`` records in the search index.

    Each term is one backward index range, stopped after ``cap`` ids — a term found in
    every record (the worst case) costs no more than a rare one. On PostgreSQL the
    asked terms (``unnest``) drive a LATERAL ``… ORDER BY record_id DESC LIMIT cap``,
    whatever the statistics say (while an import fills the index they lag far behind,
    and an ``IN`` list was planned as a scan of the whole slot); SQLite has no LATERAL
    and gets one ``UNION ALL`` of a limited SELECT per term (``row_number()`` over an
    ``IN`` list read every id of a term found in every record, once per window)."""
    index = dedupe_terms.TERMS
    out: dict[str, list[int]] = {}
    for chunk in chunked(terms, TERMS_PER_QUERY):
        if conn.dialect.name == "postgresql":
            asked = _unnest(list(chunk), sa.Text, "term")
            newest = (
                sa.select(index.c.record_id)
                .where(index.c.slot_id == slot_id, index.c.term == asked.c.term)
                .order_by(index.c.record_id.desc())
                .limit(cap)
                .lateral("newest")
            )
            query = sa.select(asked.c.term, newest.c.record_id).select_from(
                asked.join(newest, sa.true())
            )
            found = conn.execute(query)
        else:
            found = _newest_sqlite(conn, slot_id, list(chunk), cap)
        for term, record_id in found:
            out.setdefault(term, []).append(record_id)
    for ids in out.values():
        ids.sort(reverse=True)
    return out


def _by_id_lookups(
    table: sa.Table, columns: list[Any], deleted: Any, seen: Any, slot_id: int, ids: list[int]
) -> sa.Select[Any]:
    """PostgreSQL: the candidates' rows and forms, driven by the ids (``unnest``) with one
    primary-key lookup each (LATERAL … LIMIT 1, which the planner cannot turn into a
    join). While an import fills the tables their statistics lag far behind, and a plain
    join was planned as hash joins over every row and every stored form."""
    forms = dedupe_terms.FORMS
    asked = _unnest(ids, sa.BigInteger, "id")
    record = (
        sa.select(*columns, deleted, seen)
        .where(table.c.id == asked.c.id)
        .limit(1)
        .lateral("record")
    )
    form = (
        sa.select(forms.c.form.label("_form"))
        .where(forms.c.slot_id == slot_id, forms.c.record_id == asked.c.id)
        .limit(1)
        .lateral("stored_form")
    )
    return sa.select(record, form.c._form).select_from(
        asked.join(record, sa.true()).outerjoin(form, sa.true())
    )


SQLITE_TERMS_PER_QUERY = 400
"""Limited SELECTs one SQLite UNION ALL holds (SQLite allows 500 by default)."""


def _newest_sqlite(
    conn: sa.Connection, slot_id: int, terms: list[str], cap: int
) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    for first in range(0, len(terms), SQLITE_TERMS_PER_QUERY):
        chunk = terms[first : first + SQLITE_TERMS_PER_QUERY]
        params: list[Any] = []
        for term in chunk:
            params += (slot_id, term)
        out += conn.exec_driver_sql(_newest_sql(len(chunk), int(cap)), tuple(params)).all()
    return out


@lru_cache(maxsize=64)
def _newest_sql(count: int, cap: int) -> str:
    one = (
        f"SELECT * FROM (SELECT term, record_id FROM {dedupe_terms.TERMS.name} "
        f"WHERE slot_id = ? AND term = ? ORDER BY record_id DESC LIMIT {cap})"
    )
    return " UNION ALL ".join([one] * count)


def _unnest(values: list[Any], item_type: Any, name: str) -> Any:
    """PostgreSQL: ``unnest(:values) AS <name>(<name>)``, a table of the values."""
    from sqlalchemy.dialects.postgresql import ARRAY

    array = sa.cast(sa.bindparam(f"{name}_list", values), ARRAY(item_type))
    return sa.func.unnest(array).table_valued(name).render_derived(name=f"asked_{name}")


def _known_candidates(
    conn: sa.Connection,
    plan: TablePlan,
    rule: DuplicateRuleSpec,
    slot_id: int,
    scope: sa.ColumnElement[bool],
    ids: set[int],
    known: dict[Any, Candidate | None],
) -> None:
    """Make sure ``known`` holds (rule key, id) → candidate for each of ``ids``: None for
    records in the recycle bin (or gone). Those already there move to the end (most
    recently used: the caller forgets from the front)."""
    missing = []
    for record_id in ids:
        key = (rule.key, record_id)
        if key in known:
            known[key] = known.pop(key)
        else:
            missing.append(record_id)
    if not missing:
        return
    table, forms = plan.table, dedupe_terms.FORMS
    columns, fields = _read_columns(plan, rule)
    seen = sa.case((scope, 1), else_=0).label("_visible")
    stored = table.outerjoin(
        forms, sa.and_(forms.c.slot_id == slot_id, forms.c.record_id == table.c.id)
    )
    # Records in the recycle bin are dropped here, not in SQL: by id alone, PostgreSQL
    # always looks the rows up by primary key (asked for live rows too, it may read every
    # live row through an index on deleted_at while its statistics lag behind an import).
    deleted = table.c.deleted_at.label("_deleted_at")
    wanted = sa.select(*columns, deleted, seen, forms.c.form.label("_form"))
    for chunk in chunked(sorted(missing), IDS_PER_QUERY):
        if conn.dialect.name == "postgresql":
            query = _by_id_lookups(table, columns, deleted, seen, slot_id, list(chunk))
        else:
            query = wanted.select_from(stored).where(table.c.id.in_(list(chunk)))
        rows = conn.execute(query).mappings()
        for key in [(rule.key, i) for i in chunk]:
            known[key] = None
        live = [row for row in rows if row["_deleted_at"] is None]
        for candidate in _made(plan, rule, live, fields):
            known[(rule.key, candidate.id)] = candidate


def stored_candidates(
    conn: sa.Connection,
    plan: TablePlan,
    rule: DuplicateRuleSpec,
    filters: Sequence[RowFilter | None],
    scope: sa.ColumnElement[bool],
) -> list[list[Candidate]]:
    """Per row (by its prefilter), the stored records its single-record query would
    score, newest first."""
    out: list[list[Candidate]] = [[] for _ in filters]
    pending = [i for i, f in enumerate(filters) if f is not None]
    table = plan.table
    expressions = [plan.expression(f.field) for f in rule.fields]
    seen = sa.case((scope, 1), else_=0).label("_visible")
    keyed = [e.label(f"_dedupe_{n}") for n, e in enumerate(expressions)]
    columns, fields = _read_columns(plan, rule)
    below: int | None = None
    while pending:
        condition = _sql_condition(plan, rule, expressions, [filters[i] for i in pending])
        query = (
            sa.select(*columns, seen, *keyed)
            .where(table.c.deleted_at.is_(None), condition)
            .order_by(table.c.id.desc())
            .limit(FETCH)
        )
        if below is not None:
            query = query.where(table.c.id < below)
        fetched = list(conn.execute(query).mappings())
        postings = _postings(rule, fetched, [filters[i] for i in pending])
        made = _made(plan, rule, fetched, fields)
        for i in pending:
            room = CANDIDATE_LIMIT - len(out[i])
            out[i] += [made[p] for p in _matching(filters[i], postings)[:room]]
        if len(fetched) < FETCH:
            break
        below = int(fetched[-1]["id"])
        pending = [i for i in pending if len(out[i]) < CANDIDATE_LIMIT]
    return out


def _sql_condition(
    plan: TablePlan, rule: DuplicateRuleSpec, expressions: list[Any], filters: list[RowFilter]
) -> sa.ColumnElement[bool]:
    """Per field, any of the rows' values or terms: a superset of the rows' prefilters
    (with several fields, the rows' own combinations are picked out in Python)."""
    parts = []
    for n, (rule_field, expression) in enumerate(zip(rule.fields, expressions, strict=True)):
        keys = list(dict.fromkeys(k for f in filters for k in f[n][1]))
        if rule_field.match == "exact":
            parts.append(expression.in_(keys) if len(keys) > 1 else expression == keys[0])
        else:
            slot = (rule_field.field, rule_field.match)
            parts.append(plan.table.c.id.in_(dedupe_terms.matching_ids(plan, slot, keys)))
    return sa.and_(*parts)


def _postings(
    rule: DuplicateRuleSpec, fetched: list[Any], filters: list[RowFilter]
) -> list[dict[Any, list[int]]]:
    """Per rule field: key (value or term) → positions of the fetched rows meeting it,
    ascending (newest first)."""
    out: list[dict[Any, list[int]]] = []
    for n, rule_field in enumerate(rule.fields):
        column = [row[f"_dedupe_{n}"] for row in fetched]
        wanted = {k for f in filters for k in f[n][1]}
        postings: dict[Any, list[int]] = {}
        if rule_field.match == "exact":
            for position, value in enumerate(column):
                if value in wanted:
                    postings.setdefault(value, []).append(position)
        else:
            for position, value in enumerate(column):
                for term in dedupe.index_terms(rule_field.match, value) & wanted:
                    postings.setdefault(term, []).append(position)
        out.append(postings)
    return out


def _matching(row_filter: RowFilter | None, postings: list[dict[Any, list[int]]]) -> list[int]:
    """Positions (newest first) of the fetched rows meeting one row's prefilter. With one
    field, the first CANDIDATE_LIMIT positions of each key hold the first CANDIDATE_LIMIT
    of their union, so longer lists are cut."""
    if row_filter is None:
        return []
    single = len(row_filter) == 1
    found: set[int] | None = None
    for (_kind, keys), by_key in zip(row_filter, postings, strict=True):
        union: set[int] = set()
        for key in keys:
            hits = by_key.get(key, ())
            union.update(hits[:CANDIDATE_LIMIT] if single else hits)
        found = union if found is None else found & union
    return sorted(found or ())
