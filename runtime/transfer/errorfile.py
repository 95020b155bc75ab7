"""The error file of an import: the rows that failed, as they were in the sheet, with an
extra "错误" / "Errors" column saying why — fix them there and import the file again.

Written with openpyxl's write-only workbook, row by row, so a run with many bad rows
keeps its memory flat.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook

from runtime.transfer.text import text


class ErrorFile:
    """Failed rows under the original header, plus the source row number and the errors."""

    def __init__(self, header: Sequence[Any], locale: str) -> None:
        self.header = list(header)
        self.locale = locale
        self.book: Workbook | None = None
        self.sheet: Any = None
        self.count = 0

    def add(
        self, lines: Sequence[int], rows: Sequence[Sequence[Any]], messages: Sequence[str]
    ) -> None:
        """One failed record: its sheet rows (several for a record with child rows)."""
        if self.book is None:  # the workbook is started by the first failure only
            self.book = Workbook(write_only=True)
            self.sheet = self.book.create_sheet(title=text("errors_column", self.locale))
            self.sheet.append(
                [
                    *_cells(self.header, len(self.header)),
                    text("row_column", self.locale),
                    text("errors_column", self.locale),
                ]
            )
        self.count += 1
        joined = "；".join(dict.fromkeys(messages))
        width = len(self.header)
        for index, (line, row) in enumerate(zip(lines, rows, strict=True)):
            self.sheet.append([*_cells(row, width), line, joined if index == 0 else None])

    def to_bytes(self) -> bytes | None:
        if self.book is None:
            return None
        buffer = io.BytesIO()
        self.book.save(buffer)
        return buffer.getvalue()


def _cells(row: Sequence[Any], width: int) -> list[Any]:
    cells = [None if c == "" else c for c in row[:width]]
    return cells + [None] * (width - len(cells))
