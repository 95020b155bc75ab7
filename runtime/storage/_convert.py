"""Data checks a migration runs before it changes anything: converting a column's values to
a field's new type, and finding rows that would break a new unique index.

Both are used twice: while planning (so a dry run shows the refusal) and again inside the
migration transaction, on the rows as they are at that moment, which is authoritative.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from form_engine.fields.base import FieldType
from form_engine.kinds import Kind
from form_engine.messages import FieldError, ParseError
from runtime.storage._problems import ProblemList, RowProblem
from schemas.spec import FieldSpec


@dataclass(frozen=True)
class Conversion:
    """How to turn the stored values of one field into values of its new type.

    ``source`` are the live columns holding the data (read with ``source_types``);
    ``old_field``/``old_type`` describe them when the previous version is known.
    """

    table: str
    table_key: str
    source: tuple[str, ...]
    source_types: tuple[sa.types.TypeEngine[Any], ...]
    new_field: FieldSpec
    new_type: FieldType
    new_columns: tuple[sa.Column[Any], ...]
    old_field: FieldSpec | None = None
    old_type: FieldType | None = None

    def old_value(self, row: sa.Row[Any]) -> Any:
        values = [row[i + 1] for i in range(len(self.source))]
        if self.old_field is not None and self.old_type is not None:
            names = [c.name for c in self.old_type.columns(self.old_field)]
            if len(names) == len(values):
                return self.old_type.from_db(dict(zip(names, values, strict=True)), self.old_field)
        return values[0] if len(values) == 1 else dict(zip(self.source, values, strict=True))

    def candidates(self, value: Any) -> list[Any]:
        """Forms of ``value`` to offer the new type's ``parse``, most faithful first."""
        forms = [value]
        if self.old_type is not None and self.old_field is not None:
            forms.append(self.old_type.to_json(value, self.old_field))
        if isinstance(value, dict | list):
            forms.append(json.dumps(value, ensure_ascii=False, default=str))
        elif not isinstance(value, str):
            forms.append(str(value))
        return forms

    def convert(self, value: Any) -> tuple[Any, FieldError | None]:
        """The new value, or the reason it cannot be converted.

        A list of choices becoming a single choice: no choice is empty, one choice is that
        choice, several cannot be told apart and refuse the row."""
        field, field_type = self.new_field, self.new_type
        if isinstance(value, list | tuple) and field_type.kind_of(field) is Kind.CHOICE:
            if len(value) > 1:
                params = {"label": field.label, "count": len(value)}
                return None, FieldError(field.key, "migration_many_choices", params)
            if not value:
                return None, None
            value = value[0]
        first_error: ParseError | None = None
        for form in self.candidates(value):
            try:
                parsed = field_type.parse(form, field)
            except ParseError as exc:
                first_error = first_error or exc
                continue
            if parsed is None:
                return None, None
            errors = list(field_type.validate(parsed, field))
            return parsed, (errors[0] if errors else None)
        assert first_error is not None
        return None, first_error.to_field_error(field.key, field.label)

    def converted_rows(
        self, conn: sa.Connection, problems: ProblemList
    ) -> dict[int, dict[str, Any]]:
        """Column values of the new type for every row (live or deleted) with a value;
        rows that do not convert go to ``problems``."""
        columns = [sa.column(n, t) for n, t in zip(self.source, self.source_types, strict=True)]
        table = sa.table(self.table, sa.column("id"), *columns)
        query = sa.select(table.c.id, *columns).order_by(table.c.id)
        results: dict[int, dict[str, Any]] = {}
        for row in conn.execute(query):
            value = self.old_value(row)
            if value is None:
                continue
            new, error = self.convert(value)
            if error is not None:
                problems.add(RowProblem(self.table_key, row[0], self.new_field.key, value, error))
            elif new is not None:
                results[row[0]] = self.new_type.to_db(new, self.new_field)
        return results

    def fill(self, conn: sa.Connection, targets: Sequence[str]) -> None:
        """Write the converted values into columns ``targets`` (parallel to
        ``new_columns``); refuses if any row no longer converts."""
        problems = ProblemList()
        rows = self.converted_rows(conn, problems)
        problems.raise_if_any()
        if not rows:
            return
        typed = [sa.column(t, c.type) for t, c in zip(targets, self.new_columns, strict=True)]
        table = sa.table(self.table, sa.column("id"), *typed)
        params = {
            t: sa.bindparam(f"v{i}", type_=c.type)
            for i, (t, c) in enumerate(zip(targets, self.new_columns, strict=True))
        }
        statement = sa.update(table).where(table.c.id == sa.bindparam("rid")).values(params)
        conn.execute(
            statement,
            [
                {
                    "rid": rid,
                    **{f"v{i}": values.get(c.name) for i, c in enumerate(self.new_columns)},
                }
                for rid, values in rows.items()
            ],
        )


@dataclass(frozen=True)
class UniqueCheck:
    """Live rows (not in the recycle bin) that share values a new unique index forbids."""

    table: str
    table_key: str
    columns: tuple[str, ...]
    fields: tuple[FieldSpec, ...]

    def error(self, values: tuple[Any, ...]) -> FieldError:
        if len(self.fields) == 1:
            field = self.fields[0]
            return FieldError(field.key, "unique", {"label": field.label, "value": values[0]})
        labels = "、".join(f.title() for f in self.fields)
        return FieldError(None, "unique_together", {"labels": labels})

    def collect(self, conn: sa.Connection, problems: ProblemList) -> None:
        cols = [sa.column(c) for c in self.columns]
        table = sa.table(self.table, sa.column("id"), sa.column("deleted_at"), *cols)
        live = [table.c.deleted_at.is_(None), *(c.is_not(None) for c in cols)]
        groups = (
            sa.select(*cols).where(*live).group_by(*cols).having(sa.func.count() > 1).subquery()
        )
        joined = sa.and_(*(table.c[c.name] == groups.c[c.name] for c in cols))
        query = (
            sa.select(table.c.id, *cols)
            .join_from(table, groups, joined)
            .where(table.c.deleted_at.is_(None))
            .order_by(*cols, table.c.id)
        )
        field_name = ",".join(f.key for f in self.fields)
        for row in conn.execute(query):
            values = tuple(row[1:])
            shown = values[0] if len(values) == 1 else list(values)
            problems.add(RowProblem(self.table_key, row[0], field_name, shown, self.error(values)))
