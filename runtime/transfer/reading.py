"""Spreadsheet sources for imports: CSV (encoding and delimiter detected) and XLSX.

A source yields rows as lists of raw cell values, one at a time, so an import can work in
chunks and keep its memory flat however long the file is. XLSX is read with
python-calamine (Rust, fast; empty cells come back as ``""``, numbers as ``float``, dates
as ``date``/``datetime``); CSV cells are strings. Nothing is parsed here: every value
later goes through its field type's ``parse`` in the record service.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import python_calamine

from runtime.transfer.text import TransferError

CSV_ENCODINGS = ("utf-8-sig", "gb18030")
"""Tried in order: UTF-8 (a byte-order mark is dropped), then GB18030 — the superset of
GBK/GB2312 that Chinese Excel writes CSV in. GB18030 decodes almost any bytes, so it
comes last."""
SNIFF_BYTES = 64 * 1024
DELIMITERS = ",;\t|"
XLSX_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


@dataclass
class Source:
    """A file to import: its kind, the sheets it has and the chosen sheet."""

    path: Path
    kind: str
    """``csv`` or ``xlsx``."""
    sheets: list[str] = field(default_factory=list)
    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    """Merged cell ranges of the chosen sheet ((row, col), (row, col)), 0-based."""
    height: int | None = None
    """Rows of the chosen sheet (XLSX), for progress."""

    def estimated_rows(self, skip: int) -> int | None:
        """About how many rows follow the first ``skip`` (for a progress bar): the sheet's
        height, or the line count of a CSV (counted in blocks, not loaded)."""
        if self.kind == "xlsx":
            return None if self.height is None else max(self.height - skip, 0)
        lines = 0
        with self.path.open("rb") as handle:
            while block := handle.read(1 << 20):
                lines += block.count(b"\n")
        return max(lines - skip, 0)

    def rows(self) -> Iterator[list[Any]]:
        """Every row of the chosen sheet, in order, streamed."""
        if self.kind == "csv":
            yield from _csv_rows(self.path, self.encoding or "utf-8", self.delimiter or ",")
            return
        book = python_calamine.CalamineWorkbook.from_path(str(self.path))
        try:
            sheet = book.get_sheet_by_name(self.sheet or self.sheets[0])
            yield from sheet.iter_rows()
        finally:
            book.close()


def open_source(path: str | Path, *, sheet: str | None = None, name: str | None = None) -> Source:
    """Open ``path`` (its kind from ``name`` or the path's suffix). An unknown ``sheet`` or
    an unreadable file is a TransferError with a localised message."""
    path = Path(path)
    suffix = Path(name or path.name).suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        encoding = detect_encoding(path)
        return Source(path, "csv", [], None, encoding, sniff_delimiter(path, encoding))
    if suffix not in XLSX_SUFFIXES:
        raise TransferError("unsupported_file", name=name or path.name)
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several error types for broken files
        raise TransferError("unreadable_file", name=name or path.name, detail=str(exc)) from None
    try:
        sheets = [m.name for m in book.sheets_metadata if str(m.typ).endswith("WorkSheet")] or list(
            book.sheet_names
        )
        chosen = sheet or sheets[0]
        if chosen not in sheets:
            raise TransferError("unknown_sheet", sheet=chosen, sheets="、".join(sheets))
        chosen_sheet = book.get_sheet_by_name(chosen)
        merged = chosen_sheet.merged_cell_ranges or []
        height = chosen_sheet.total_height
    finally:
        book.close()
    return Source(path, "xlsx", sheets, chosen, merged=list(merged), height=height)


def detect_encoding(path: Path) -> str:
    """``utf-8-sig`` when the start of the file is valid UTF-8, else ``gb18030``."""
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    for encoding in CSV_ENCODINGS:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            decoder.decode(head, final=False)  # a cut multi-byte character is fine
        except UnicodeDecodeError:
            continue
        return encoding
    raise TransferError("unknown_encoding", name=path.name)


def sniff_delimiter(path: Path, encoding: str) -> str:
    """The delimiter of the first lines: the candidate (comma, semicolon, tab, bar) found
    the same number of times on every line, the most frequent such one; comma if none.
    (``csv.Sniffer`` alone is fooled by ``¥1,234.50`` in a semicolon file.)"""
    with path.open(encoding=encoding, errors="replace", newline="") as handle:
        lines = [line for line in handle.read(SNIFF_BYTES // 4).splitlines()[:20] if line]
    if len(lines) > 1:
        lines = lines[:-1]  # the last line read may be cut short
    best, best_count = ",", 0
    for delimiter in DELIMITERS:
        counts = {_count_outside_quotes(line, delimiter) for line in lines}
        if len(counts) == 1 and (found := counts.pop()) > best_count:
            best, best_count = delimiter, found
    return best


def _count_outside_quotes(line: str, delimiter: str) -> int:
    quoted, found = False, 0
    for char in line:
        if char == '"':
            quoted = not quoted
        elif char == delimiter and not quoted:
            found += 1
    return found


def _csv_rows(path: Path, encoding: str, delimiter: str) -> Iterator[list[Any]]:
    with path.open(encoding=encoding, errors="strict", newline="") as handle:
        try:
            yield from csv.reader(handle, delimiter=delimiter)
        except UnicodeDecodeError:
            raise TransferError("unknown_encoding", name=path.name) from None
