"""Validate an app definition: shape (JSON meta-schemas) and meaning (semantic checks).

Every problem is reported at once. Each check is a small function yielding Findings against
the assembled document; this driver runs them all, maps each path to the file it came from,
and builds the immutable AppSpec only when nothing is wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from builder.model._check_duplicates import check_duplicates
from builder.model._check_forms import check_forms
from builder.model._check_keys import check_keys
from builder.model._check_logic import check_logic
from builder.model._check_references import check_references
from builder.model._check_roles import check_roles
from builder.model._resolve import resolve_derived_types
from builder.model.context import AppContext, FieldTypeLookup
from builder.model.loader import RawApp, load_definition
from builder.model.migrations import SchemaVersionError, upgrade_app
from builder.model.problems import DefinitionProblem, Finding, make_problem
from builder.model.shape import app_validator, shape_findings
from form_engine.fields import default_registry
from schemas.spec import AppSpec

Check = Callable[[AppContext], Iterator[Finding]]
SEMANTIC_CHECKS: tuple[Check, ...] = (
    check_keys,
    check_references,
    check_forms,
    check_roles,
    check_logic,
    check_duplicates,
)
"""Every semantic check, in reporting order."""


@dataclass(frozen=True)
class LoadResult:
    """The outcome of loading a definition: ``spec`` is set only when ``problems`` is empty.

    ``document`` is the assembled, upgraded app document (tables inlined).
    """

    spec: AppSpec | None
    problems: list[DefinitionProblem]
    document: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def load_app(path: str | Path, field_types: FieldTypeLookup | None = None) -> LoadResult:
    """Load, upgrade and validate the definition at ``path`` (folder or single JSON file)."""
    return validate_raw(load_definition(path), field_types)


def validate_document(
    document: Mapping[str, Any],
    field_types: FieldTypeLookup | None = None,
    *,
    file: str = "app.json",
) -> LoadResult:
    """Validate an in-memory single-file app document (e.g. from the designer)."""
    raw = RawApp(Path(file), file, {})
    try:
        raw.document = upgrade_app(document)
    except SchemaVersionError as exc:
        raw.problems.append(make_problem(file, ("schema_version",), exc.code, exc.params))
    else:
        raw.table_files = [None] * len(raw.document.get("tables") or ())
    return validate_raw(raw, field_types)


def validate_raw(raw: RawApp, field_types: FieldTypeLookup | None = None) -> LoadResult:
    """Validate a RawApp read by the loader; the read problems come first."""
    if not raw.document:
        return LoadResult(None, list(raw.problems), raw.document)
    registry = field_types if field_types is not None else default_registry()
    findings = list(shape_findings(_validator(registry), raw.document))
    ctx = AppContext(raw.document, registry, [f.path for f in findings])
    for check in SEMANTIC_CHECKS:
        findings.extend(check(ctx))
    problems = [*raw.problems, *_ordered(raw, findings)]
    if problems:
        return LoadResult(None, problems, raw.document)
    document = resolve_derived_types(raw.document)
    return LoadResult(AppSpec.from_dict(document), problems, document)


@lru_cache(maxsize=8)
def _validator(field_types: FieldTypeLookup) -> Draft202012Validator:
    return app_validator(field_types)


def _ordered(raw: RawApp, findings: Iterable[Finding]) -> list[DefinitionProblem]:
    """Problems grouped by file (app file first, then tables in load order)."""
    files = [raw.main_file, *(f for f in raw.table_files if f)]
    problems = [_to_problem(raw, f) for f in findings]
    return sorted(problems, key=lambda p: files.index(p.file) if p.file in files else len(files))


def _to_problem(raw: RawApp, finding: Finding) -> DefinitionProblem:
    file, path = raw.locate(finding.path)
    return make_problem(
        file,
        path,
        finding.code,
        finding.params,
        allowed=finding.allowed,
        suggestion=finding.suggestion,
    )
