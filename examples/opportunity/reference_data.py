"""Reference data of the opportunity app (stages, lost reasons, contact roles, industries,
competitors, products, price lists) stored as seed files, and how seed rows refer to each
other.

A seed file ``seed/NN_<table>.json`` is ``{"table": key, "key_field": field, "rows": [...]}``.
Files load in name order, so a file only refers to tables of earlier files. Rows are upserted
by ``key_field``; a relation value in a row is the *key-field value* of the target row
(``"product": "crm_std"``), which the loader swaps for the target's id. Child-table fields
hold a list of child rows written with their parent.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from examples.opportunity import SEED_DIR

TableDocs = Mapping[str, Mapping[str, Any]]
"""Table documents of an app definition by table key."""
ReferenceIds = Mapping[str, Mapping[str, int]]
"""Table key → key-field value → record id."""


@dataclass(frozen=True)
class SeedTable:
    """The rows of one seed file."""

    table: str
    key_field: str
    rows: tuple[Mapping[str, Any], ...]
    file: str

    def keys(self) -> list[Any]:
        return [row[self.key_field] for row in self.rows]


def load_seeds(seed_dir: Path = SEED_DIR) -> list[SeedTable]:
    """Every seed file of ``seed_dir``, in load (file name) order."""
    seeds = []
    for path in sorted(seed_dir.glob("*.json")):
        doc = json.loads(path.read_text("utf-8"))
        seeds.append(SeedTable(doc["table"], doc["key_field"], tuple(doc["rows"]), path.name))
    return seeds


def positional_ids(seeds: Sequence[SeedTable]) -> dict[str, dict[str, int]]:
    """The ids seed rows get when loaded into empty tables in file order: 1, 2, 3 …

    The demo generator uses these unless the caller passes the real ids.
    """
    return {s.table: {key: pos for pos, key in enumerate(s.keys(), 1)} for s in seeds}


def _relations(table: Mapping[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(field key, field type, relation target or child table) of a table document."""
    for field in table.get("fields", ()):
        config = field.get("config") or {}
        if field["type"] == "relation":
            yield field["key"], "relation", config["target"]
        elif field["type"] == "child_table":
            yield field["key"], "child_table", config["table"]


def unresolved_references(seeds: Sequence[SeedTable], tables: TableDocs) -> list[str]:
    """Every seed value that names a missing table, field or target row, as readable text.

    A relation may only point at a table seeded by an earlier file (or at an earlier row of
    the same file, for self-relations such as a parent industry).
    """
    problems: list[str] = []
    known: dict[str, set[Any]] = {}
    for seed in seeds:
        table = tables.get(seed.table)
        if table is None:
            problems.append(f"{seed.file}: there is no table {seed.table!r}")
            continue
        field_keys = {f["key"] for f in table["fields"]}
        if seed.key_field not in field_keys:
            problems.append(f"{seed.file}: key_field {seed.key_field!r} is not a field")
            continue
        known[seed.table] = set()
        for index, row in enumerate(seed.rows):
            where = f"{seed.file}: rows[{index}]"
            problems.extend(_row_problems(row, seed.table, tables, known, where))
            known[seed.table].add(row.get(seed.key_field))
    return problems


def _row_problems(
    row: Mapping[str, Any],
    table_key: str,
    tables: TableDocs,
    known: Mapping[str, set[Any]],
    where: str,
) -> Iterator[str]:
    table = tables[table_key]
    field_keys = {f["key"] for f in table["fields"]}
    for key in row:
        if key not in field_keys:
            yield f"{where}: table {table_key!r} has no field {key!r}"
    for key, kind, target in _relations(table):
        value = row.get(key)
        if value is None:
            continue
        if kind == "child_table":
            for child_index, child in enumerate(value):
                yield from _row_problems(
                    child, target, tables, known, f"{where}.{key}[{child_index}]"
                )
        elif value not in known.get(target, ()):
            yield f"{where}.{key}: no {target!r} seed row with key {value!r}"


def resolved_row(
    row: Mapping[str, Any], table_key: str, tables: TableDocs, ids: ReferenceIds
) -> dict[str, Any]:
    """``row`` with relation key values replaced by ids (child rows too), ready to write.

    Raises KeyError naming the table and key when a referenced row has no id.
    """
    out = dict(row)
    for key, kind, target in _relations(tables[table_key]):
        value = out.get(key)
        if value is None:
            continue
        if kind == "child_table":
            out[key] = [resolved_row(child, target, tables, ids) for child in value]
        else:
            try:
                out[key] = ids[target][value]
            except KeyError:
                raise KeyError(f"no id for {target!r} row {value!r}") from None
    return out
