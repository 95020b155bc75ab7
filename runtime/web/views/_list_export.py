"""Export of the current list view to CSV (streamed) and XLSX (openpyxl write-only).

What the reader sees is what is exported: the view's columns (never hidden fields), the
view's filter, search and sort, masked values masked. Each value is written with its field
type's ``export`` (option labels, yes/no words in the reader's language, local
date-times); references are written as the referenced record's title (or user/department
name), as in the list, since a bare id means nothing in a spreadsheet.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from openpyxl import Workbook

from runtime.records import RecordService
from runtime.records.actor import Actor
from runtime.web.views._list_display import REFERENCE_TYPES, Column, References

EXCEL_MAX_ROWS = 1_048_576
"""Rows in one Excel sheet, the header row included."""
EXPORT_BATCH = 1000


def export_cell(column: Column, row: Mapping[str, Any], refs: References, locale: str) -> Any:
    value = row.get(column.key)
    if value is None:
        return None
    if column.masked:
        return str(value)
    if column.spec.type in REFERENCE_TYPES and isinstance(value, int):
        target = (
            column.spec.type
            if column.spec.type != "relation"
            else column.spec.config.get("target", "")
        )
        title = refs.title(target, value)
        if title is not None:
            return title
    return column.type.export(value, column.spec, locale=locale)


def export_rows(
    svc: RecordService,
    actor: Actor,
    table: str,
    columns: Sequence[Column],
    *,
    where: Mapping[str, Any] | None,
    search: str | None,
    order_by: Sequence[tuple[str, str]],
    extra_fields: Sequence[str],
    locale: str,
) -> Iterator[list[Any]]:
    """Every matching record as a list of cells, one keyset page of the service at a time."""
    fields = [c.key for c in columns if not c.system] + list(extra_fields)
    after = None
    while True:
        page = svc.query(
            actor,
            table,
            where=where,
            order_by=order_by,
            fields=fields,
            limit=EXPORT_BATCH,
            after=after,
            search=search,
            as_json=False,
        )
        refs = References(svc, actor, locale)
        refs.load(columns, page.rows)
        for row in page.rows:
            yield [export_cell(c, row, refs, locale) for c in columns]
        if page.next_cursor is None:
            return
        after = page.next_cursor


def csv_stream(header: Sequence[str], rows: Iterator[list[Any]]) -> Iterator[str]:
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


def xlsx_file(title: str, header: Sequence[str], rows: Iterator[list[Any]]) -> Any:
    """An XLSX workbook in a temporary file (rewound), written row by row."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_sheet_title(title))
    sheet.append(list(header))
    for row in rows:
        sheet.append(row)
    # Handed to send_file, which closes it once the response is sent.
    handle = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115
    book.save(handle)
    handle.seek(0)
    return handle


def _sheet_title(title: str) -> str:
    cleaned = "".join(ch for ch in title if ch not in "[]:*?/\\")
    return (cleaned or "Sheet")[:31]
