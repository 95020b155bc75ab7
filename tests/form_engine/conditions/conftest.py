"""Fixtures for the condition-language tests: the conformance vectors and a real table."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from form_engine.conditions import CONFORMANCE_PATH, ConditionContext
from form_engine.conditions._coerce import coerce
from form_engine.kinds import Kind

CONFORMANCE = json.loads(CONFORMANCE_PATH.read_text(encoding="utf-8"))

# One column type per kind, as the field types store them.
COLUMN_TYPES: dict[Kind, Callable[[], sa.types.TypeEngine[Any]]] = {
    Kind.TEXT: lambda: sa.String(200),
    Kind.CHOICE: lambda: sa.String(64),
    Kind.CHOICES: lambda: sa.JSON(none_as_null=True),  # empty selection stored as SQL NULL
    Kind.NUMBER: sa.Float,
    Kind.DECIMAL: lambda: sa.Numeric(18, 4),
    Kind.DATE: sa.Date,
    Kind.DATETIME: lambda: sa.DateTime(timezone=True),
    Kind.TIME: sa.Time,
    Kind.DURATION: sa.Integer,
    Kind.BOOL: sa.Boolean,
    Kind.REF: sa.Integer,
    Kind.JSON: sa.JSON,  # Python None stored as JSON null, the other empty form
    Kind.ROWS: sa.JSON,
}


def vector_context(vector: Mapping[str, Any]) -> ConditionContext:
    spec = vector.get("context") or CONFORMANCE["default_context"]
    today = spec.get("today")
    return ConditionContext(
        user_id=spec.get("user_id"),
        now=datetime.fromisoformat(spec["now"].replace("Z", "+00:00")),
        today=date.fromisoformat(today) if today else None,
        timezone=spec.get("timezone", "UTC"),
        trigger=spec.get("trigger", {}),
    )


def vector_kinds(vector: Mapping[str, Any]) -> dict[str, Kind]:
    return {key: Kind(kind) for key, kind in vector["kinds"].items()}


def db_value(value: Any, kind: Kind) -> Any:
    """A JSON-native record value as the Python value the column stores."""
    if value is None or kind in (Kind.CHOICES, Kind.JSON, Kind.ROWS, Kind.TEXT, Kind.CHOICE):
        return value
    coerced = coerce(value, kind)
    return float(coerced) if kind is Kind.NUMBER else coerced


class ConditionTable:
    """A table with one column per field of ``kinds``; rows are inserted, then filtered."""

    def __init__(self, engine: Engine, kinds: Mapping[str, Kind], name: str = "records"):
        self.engine = engine
        self.kinds = dict(kinds)
        self.table = sa.Table(
            name,
            sa.MetaData(),
            sa.Column("id", sa.Integer, primary_key=True),
            *(sa.Column(f"f_{key}", COLUMN_TYPES[kind]()) for key, kind in kinds.items()),
        )
        self.table.create(engine)

    def resolve(self, key: str) -> tuple[sa.ColumnElement[Any], Kind]:
        return self.table.c[f"f_{key}"], self.kinds[key]

    def insert(self, records: list[Mapping[str, Any]]) -> list[int]:
        rows = [
            {f"f_{key}": db_value(record.get(key), kind) for key, kind in self.kinds.items()}
            for record in records
        ]
        with self.engine.begin() as conn:
            conn.execute(sa.delete(self.table))
            ids = []
            for row in rows:
                ids.append(conn.execute(sa.insert(self.table).values(row)).inserted_primary_key[0])
        return ids

    def matching(self, where: sa.ColumnElement[bool]) -> set[int]:
        with self.engine.connect() as conn:
            return set(conn.scalars(sa.select(self.table.c.id).where(where)))


@pytest.fixture
def condition_table(engine: Engine) -> Callable[..., ConditionTable]:
    return lambda kinds, name="records": ConditionTable(engine, kinds, name)
