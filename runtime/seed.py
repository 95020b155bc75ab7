"""Load an app's reference data (``seed/*.json``) through the record service.

A seed file is ``{"table": key, "key_field": field, "rows": [...]}``. Rows are upserted by
``key_field`` so loading twice changes nothing. A relation value that is a string names the
target record by *its* seed key (``"stage": "qualification"``); child-table rows may do the
same. Files load in name order, so targets come first.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runtime.records import Actor, RecordService
from schemas.spec import AppSpec, TableSpec


class SeedError(ValueError):
    """A seed file names a table, field or referenced record that does not exist."""


class DemoDataRejected(RuntimeError):
    """Raised by an app's demo-data loader (entry point ``kairos.demo_data``) when the
    record service rejects generated rows; the message names table, row and problems."""


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    ids: dict[str, dict[str, int]] = field(default_factory=dict)
    """Table key → seed key → record id, for generators that refer to reference data."""

    def total(self) -> int:
        return sum(self.created.values()) + sum(self.updated.values())


def load_seed(service: RecordService, actor: Actor, folder: Path) -> SeedReport:
    """Upsert every ``*.json`` file of ``folder`` (sorted by name) through ``service``."""
    report = SeedReport()
    ids = report.ids
    app = service.tables.app
    for path in sorted(folder.glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        table_key, key_field = document["table"], document["key_field"]
        if not app.has_table(table_key):
            raise SeedError(f"{path.name}: the app has no table {table_key!r}")
        spec = app.table(table_key)
        known = ids.setdefault(table_key, {})
        for number, row in enumerate(document["rows"], start=1):
            values = _resolve(app, spec, row, ids, f"{path.name}: rows[{number - 1}]")
            record, created = service.upsert(actor, table_key, [key_field], values)
            known[str(row[key_field])] = record["id"]
            bucket = report.created if created else report.updated
            bucket[table_key] = bucket.get(table_key, 0) + 1
    return report


def _resolve(
    app: AppSpec,
    spec: TableSpec,
    row: Mapping[str, Any],
    ids: Mapping[str, Mapping[str, int]],
    where: str,
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, value in row.items():
        if not spec.has_field(key):
            raise SeedError(f"{where}: table {spec.key!r} has no field {key!r}")
        field_spec = spec.field(key)
        if field_spec.type == "relation" and isinstance(value, str):
            target = field_spec.config["target"]
            try:
                value = ids[target][value]
            except KeyError:
                raise SeedError(
                    f"{where}.{key}: no {target!r} record with seed key {value!r} "
                    "(is its seed file loaded earlier?)"
                ) from None
        elif field_spec.type == "child_table" and isinstance(value, list):
            child = app.table(field_spec.config["table"])
            value = [
                _resolve(app, child, child_row, ids, f"{where}.{key}[{i}]")
                for i, child_row in enumerate(value)
            ]
        values[key] = value
    return values
