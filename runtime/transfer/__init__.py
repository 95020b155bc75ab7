"""Import and export of records (issue #4): spreadsheets in, spreadsheets out.

Everything goes through ``RecordService`` with ``actor.via("import")``; exports obey field
access exactly as ``RecordService.query`` output does. See docs/import-export.md.
"""

from runtime.transfer.export import ExportTooLarge, export_csv, export_rows, export_xlsx
from runtime.transfer.importer import (
    ImportOptions,
    ImportPlan,
    ImportResult,
    PossibleDuplicate,
    plan_import,
    preview_import,
    run_import,
)
from runtime.transfer.reading import Source, open_source
from runtime.transfer.text import TransferError

__all__ = [
    "ExportTooLarge",
    "ImportOptions",
    "ImportPlan",
    "ImportResult",
    "PossibleDuplicate",
    "Source",
    "TransferError",
    "export_csv",
    "export_rows",
    "export_xlsx",
    "open_source",
    "plan_import",
    "preview_import",
    "run_import",
]
