"""Export of the current list view to CSV (streamed) and XLSX — delegated to the export
engine ``runtime.transfer.export``, which the command line and jobs use too.

What the reader sees is what is exported: the view's columns (never hidden fields), the
view's filter, search and sort, masked values masked; option labels, yes/no words and
local date-times in the reader's language; references as the referenced record's title.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from runtime.records import RecordService
from runtime.records.actor import Actor
from runtime.transfer import export as engine
from runtime.web.views._list_display import Column

EXCEL_MAX_ROWS = engine.EXCEL_MAX_ROWS
"""Rows in one Excel sheet, the header row included (the list view checks it first)."""


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
    return engine.export_rows(
        svc, actor, table, columns, where=where, search=search, order_by=order_by,
        extra_fields=extra_fields, locale=locale,
    )  # fmt: skip


def csv_stream(header: Sequence[str], rows: Iterator[list[Any]]) -> Iterator[str]:
    """CSV text in chunks, starting with a UTF-8 byte-order mark so Excel reads Chinese."""
    return engine.export_csv(header, rows)


def xlsx_file(title: str, header: Sequence[str], rows: Iterator[list[Any]]) -> Any:
    """An XLSX workbook in a temporary file (rewound), written row by row."""
    # Handed to send_file, which closes it once the response is sent.
    handle = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115
    engine.export_xlsx(title, header, rows, handle)
    handle.seek(0)
    return handle
