"""The record service: the single choke point for every record write and read.

See docs/records.md for the API, validation order, permission model and event payloads.
"""

from runtime.records._audit import AuditEntry
from runtime.records._holding import RecordVersion, Reference
from runtime.records._plan import FieldPlan, TablePlan
from runtime.records._preview import Preview
from runtime.records._reads import Page
from runtime.records.actor import CHANNELS, Actor
from runtime.records.errors import (
    PermissionDenied,
    QueryError,
    RecordConflict,
    RecordError,
    RecordNotFound,
    RecordValidationError,
)
from runtime.records.service import BulkResult, BulkUpdateResult, RecordService

__all__ = [
    "CHANNELS",
    "Actor",
    "AuditEntry",
    "BulkResult",
    "BulkUpdateResult",
    "FieldPlan",
    "Page",
    "PermissionDenied",
    "Preview",
    "QueryError",
    "RecordConflict",
    "RecordError",
    "RecordNotFound",
    "RecordService",
    "RecordValidationError",
    "RecordVersion",
    "Reference",
    "TablePlan",
]
