"""Exports: any query of a table, streamed to CSV or XLSX, as the reader may see it.

Rows come from ``RecordService.query`` with the reader's actor, one keyset page of
``PAGE`` records at a time, so hidden fields are absent and masked fields masked exactly
as in every other output, and memory stays flat however many rows match. Each value is
written with its field type's ``export`` (option labels, 是/否 in the reader's language,
local date-times); references are written as the referenced record's title (or the
user's / department's name) — a bare id means nothing in a spreadsheet.

Excel holds 1,048,576 rows a sheet, so at most 1,048,575 records with the header. An XLSX
export of more is refused before anything is written (``ExportTooLarge``, with a
localised message suggesting a narrower filter or CSV); CSV has no limit.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any, Protocol

import sqlalchemy as sa
from openpyxl import Workbook

from form_engine.fields.base import FieldType
from runtime import org
from runtime.records import Actor, PermissionDenied, RecordService
from runtime.transfer.text import TransferError
from schemas.spec import FieldSpec, localize

EXCEL_MAX_ROWS = 1_048_576
"""Rows in one Excel sheet, the header row included."""
PAGE = 1000
REFERENCE_TYPES = frozenset({"relation", "user", "department"})


class ColumnLike(Protocol):
    """What an export needs of a column (the list view's ``Column`` fits)."""

    key: str
    spec: FieldSpec
    type: FieldType

    @property
    def masked(self) -> bool: ...


@dataclass(frozen=True)
class ExportColumn:
    key: str
    label: str
    spec: FieldSpec
    """As shown: a formula, lookup or rollup field as its result field."""
    type: FieldType
    access: str

    @property
    def masked(self) -> bool:
        return self.access == "masked"


class ExportTooLarge(TransferError):
    """More records than one Excel sheet holds."""

    def __init__(self, count: int) -> None:
        super().__init__(
            "excel_row_limit", count=format(count, ","), max=format(EXCEL_MAX_ROWS - 1, ",")
        )


def check_xlsx_size(count: int, limit: int = EXCEL_MAX_ROWS) -> None:
    if count > limit - 1:
        raise ExportTooLarge(count)


def export_columns(
    svc: RecordService,
    actor: Actor,
    table: str,
    locale: str,
    fields: Sequence[str] | None = None,
) -> list[ExportColumn]:
    """The columns of ``fields`` (default: every field the reader may see, in definition
    order; child tables are left out). Hidden fields are never columns."""
    plan = svc.plan(table)
    access = svc.access(actor, plan)
    registry = svc.tables.registry
    columns = []
    for key in fields or list(plan.fields):
        field_plan = plan.fields.get(key)
        if field_plan is None:
            raise TransferError("unknown_field", table=plan.label(), field=key)
        level = access.access(key)
        if (
            level == "hidden"
            or field_plan.is_child_table
            or (fields is None and field_plan.spec.hidden)
        ):
            continue
        spec, field_type = field_plan.spec, field_plan.type
        result_field = getattr(field_type, "result_field", None)
        shown = result_field(spec) if result_field is not None else None
        if shown is not None:
            spec, field_type = shown, registry.get(shown.type)
        columns.append(
            ExportColumn(key, localize(field_plan.spec.label, locale), spec, field_type, level)
        )
    return columns


class Titles:
    """Titles of the records, users and departments a page refers to, loaded in bulk
    (through the record service, so the reader's scope applies to titles too)."""

    def __init__(self, svc: RecordService, actor: Actor, locale: str) -> None:
        self.svc, self.actor, self.locale = svc, actor, locale
        self.titles: dict[tuple[str, int], str] = {}

    def load(self, columns: Iterable[ColumnLike], rows: list[Mapping[str, Any]]) -> None:
        users: set[int] = set()
        departments: set[int] = set()
        for column in columns:
            if column.masked or column.spec.type not in REFERENCE_TYPES:
                continue
            ids = {int(r[column.key]) for r in rows if isinstance(r.get(column.key), int)}
            if column.spec.type == "user":
                users |= ids
            elif column.spec.type == "department":
                departments |= ids
            elif ids:
                self._records(column.spec.config.get("target", ""), ids)
        if not users and not departments:
            return
        with self.svc.engine.connect() as conn:
            for user_id, name in org.display_names(conn, users).items():
                self.titles[("user", user_id)] = name
            if departments:
                query = sa.select(org.DEPARTMENT.c.id, org.DEPARTMENT.c.name).where(
                    org.DEPARTMENT.c.id.in_(sorted(departments))
                )
                for dep_id, name in conn.execute(query):
                    self.titles[("department", int(dep_id))] = name

    def _records(self, target: str, ids: set[int]) -> None:
        app = self.svc.tables.app
        if not app.has_table(target) or not app.table(target).title_field:
            return
        title_key = app.table(target).title_field
        title_field = app.table(target).field(title_key)
        title_type = self.svc.plan(target).fields[title_key].type
        wanted = [i for i in sorted(ids) if (target, i) not in self.titles]
        for first in range(0, len(wanted), 500):
            try:
                page = self.svc.query(
                    self.actor, target,
                    where={"field": "id", "op": "in", "value": wanted[first : first + 500]},
                    fields=[title_key], limit=500, as_json=False,
                )  # fmt: skip
            except PermissionDenied:
                return
            for row in page.rows:
                if row.get(title_key) is not None:
                    text = title_type.export(row[title_key], title_field, locale=self.locale)
                    self.titles[(target, int(row["id"]))] = str(text)

    def title(self, kind: str, record_id: int) -> str | None:
        return self.titles.get((kind, record_id))


def export_cell(column: ColumnLike, row: Mapping[str, Any], titles: Titles, locale: str) -> Any:
    value = row.get(column.key)
    if value is None:
        return None
    if column.masked:
        return str(value)
    kind = column.spec.type
    if kind in REFERENCE_TYPES and isinstance(value, int):
        target = kind if kind != "relation" else column.spec.config.get("target", "")
        title = titles.title(target, value)
        if title is not None:
            return title
    return column.type.export(value, column.spec, locale=locale)


def export_rows(
    svc: RecordService,
    actor: Actor,
    table: str,
    columns: Sequence[ColumnLike],
    *,
    where: Mapping[str, Any] | None = None,
    search: str | None = None,
    order_by: Sequence[tuple[str, str]] = (("id", "asc"),),
    extra_fields: Sequence[str] = (),
    locale: str = "zh-CN",
) -> Iterator[list[Any]]:
    """Every matching record as a list of cells, one keyset page at a time."""
    svc.access(actor, svc.plan(table)).require("export")
    fields = [c.key for c in columns if c.key in svc.plan(table).fields] + list(extra_fields)
    after = None
    while True:
        page = svc.query(
            actor, table, where=where, order_by=list(order_by), fields=fields, limit=PAGE,
            after=after, search=search, as_json=False,
        )  # fmt: skip
        titles = Titles(svc, actor, locale)
        titles.load(columns, page.rows)
        for row in page.rows:
            yield [export_cell(c, row, titles, locale) for c in columns]
        if page.next_cursor is None:
            return
        after = page.next_cursor


def export_csv(header: Sequence[str], rows: Iterable[list[Any]]) -> Iterator[str]:
    """CSV text in chunks, starting with a UTF-8 byte-order mark so Excel reads Chinese."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(header)
    for count, row in enumerate(rows, start=1):
        writer.writerow(["" if v is None else v for v in row])
        if count % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def export_xlsx(
    title: str, header: Sequence[str], rows: Iterable[list[Any]], out: IO[bytes]
) -> None:
    """Write an XLSX workbook to ``out``, row by row (openpyxl write-only)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=sheet_title(title))
    sheet.append(list(header))
    for row in rows:
        sheet.append(row)
    book.save(out)


def sheet_title(title: str) -> str:
    cleaned = "".join(ch for ch in title if ch not in "[]:*?/\\")
    return (cleaned or "Sheet")[:31]
