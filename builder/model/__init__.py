"""Parse, upgrade and validate app definitions; compare published versions.

Public API::

    load_app(path) -> LoadResult(spec, problems, document)
    validate_document(document) -> LoadResult          # in-memory single-file document
    load_definition(path) -> RawApp                     # read + upgrade, no validation
    diff(old_spec, new_spec) -> DefinitionDiff          # .describe(locale)
    export_schemas(directory)                           # meta-schemas incl. field configs
"""

from __future__ import annotations

from pathlib import Path

from builder.model.loader import RawApp, load_definition
from builder.model.migrations import CURRENT_VERSION, SchemaVersionError, upgrade_app
from builder.model.problems import DefinitionProblem
from builder.model.shape import export_schemas as _export_schemas
from builder.model.validate import LoadResult, load_app, validate_document, validate_raw
from builder.model.versions import (
    Change,
    DefinitionDiff,
    FieldChange,
    Rename,
    TableDiff,
    diff,
    fingerprint,
)
from form_engine.fields import default_registry


def export_schemas(directory: str | Path) -> list[Path]:
    """Write every meta-schema, the field schema completed from the field-type registry."""
    return _export_schemas(directory, default_registry())


__all__ = [
    "CURRENT_VERSION",
    "Change",
    "DefinitionDiff",
    "DefinitionProblem",
    "FieldChange",
    "LoadResult",
    "RawApp",
    "Rename",
    "SchemaVersionError",
    "TableDiff",
    "diff",
    "export_schemas",
    "fingerprint",
    "load_app",
    "load_definition",
    "upgrade_app",
    "validate_document",
    "validate_raw",
]
