"""Imports: a sheet's rows become records, through the record service only.

``plan_import`` reads the top of the file, finds the header row and matches columns to
fields (``runtime.transfer.mapping``); ``run_import`` streams the rest in chunks of
``CHUNK`` records — memory stays flat in the number of rows — and writes each chunk with
the mode's service calls (``_writer``), as ``actor.via("import")`` and only with the
table's ``import`` right. ``preview_import`` runs the same path on the first rows inside a
transaction that is rolled back. See docs/import-export.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from runtime.records import Actor, RecordService
from runtime.transfer import _writer
from runtime.transfer._records import Group, Grouper, resolve_references
from runtime.transfer.errorfile import ErrorFile
from runtime.transfer.mapping import (
    HEADER_SCAN_ROWS,
    Header,
    Matcher,
    Target,
    apply_overrides,
    detect_header,
    import_targets,
)
from runtime.transfer.reading import Source
from runtime.transfer.references import References
from runtime.transfer.text import TransferError

CHUNK = 4000
"""Records per chunk: each chunk is one ``bulk_create`` (the service batches by 2,000; the
batches of one call share the duplicate candidates they have made)."""
MODES = ("insert", "update", "upsert")
KEPT_PROBLEMS = 200
"""Failed rows kept in the result for display; all of them go to the error file."""

Progress = Callable[[int, int | None, str | None], None]


@dataclass(frozen=True)
class ImportOptions:
    mode: str = "insert"
    key: tuple[str, ...] = ()
    """Fields that find the record to update (``("id",)`` or unique fields)."""
    all_or_nothing: bool = True
    """One transaction: any bad row and nothing is written. False: skip bad rows."""
    dry_run: bool = False
    mapping: Mapping[str, str | None] = field(default_factory=dict)
    """Overrides of the automatic match: header text or column number → field key/None."""
    locale: str = "zh-CN"


@dataclass
class ImportPlan:
    """The file as understood: the detected header and the column → field match."""

    table: str
    source: Source
    header: Header
    targets: dict[str, Target]

    def columns(self, locale: str) -> list[dict[str, Any]]:
        """Per column: number, header text, matched field key and its label."""
        return [
            {
                "index": col,
                "header": text,
                "field": self.header.matched.get(col),
                "label": (
                    self.targets[self.header.matched[col]].title(locale)
                    if col in self.header.matched
                    else None
                ),
            }
            for col, text in enumerate(self.header.texts)
        ]

    def data_rows(self) -> Iterator[tuple[int, list[Any]]]:
        """(sheet line number, 1-based) and cells of every row below the header."""
        first = self.header.row + 1
        for index, row in enumerate(self.source.rows()):
            if index >= first:
                yield index + 1, row


@dataclass
class RowProblem:
    lines: list[int]
    cells: dict[str, Any]
    errors: list[tuple[str | None, str]]


@dataclass
class PossibleDuplicate:
    """A created record that a ``warn`` duplicate rule flagged: its sheet lines, its title
    and, per rule, the message (in the import's language) and the matching records the
    importing user may read (``id``, ``title``, ``score``)."""

    lines: list[int]
    title: str | None
    warnings: list[dict[str, Any]]


@dataclass
class ImportResult:
    total: int = 0
    created: int = 0
    updated: int = 0
    failed: int = 0
    written: bool = False
    problems: list[RowProblem] = field(default_factory=list)
    error_file: bytes | None = None
    possible_duplicates: int = 0
    """Created records flagged by a ``warn`` duplicate rule (they were imported)."""
    duplicates: list[PossibleDuplicate] = field(default_factory=list)
    """The first KEPT_PROBLEMS of them, for display."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "created": self.created,
            "updated": self.updated,
            "failed": self.failed,
            "written": self.written,
            "problems": [
                {"lines": p.lines, "errors": [[f, m] for f, m in p.errors]} for p in self.problems
            ],
            "possible_duplicates": self.possible_duplicates,
            "duplicates": [
                {"lines": d.lines, "title": d.title, "warnings": d.warnings}
                for d in self.duplicates
            ],
        }


def plan_import(
    svc: RecordService,
    actor: Actor,
    table: str,
    source: Source,
    overrides: Mapping[str, str | None] | None = None,
) -> ImportPlan:
    """Detect the header and match columns; ``overrides`` as in ``ImportOptions.mapping``."""
    svc.access(actor, svc.plan(table)).require("import")
    targets = import_targets(svc, actor, table)
    top = list(islice(source.rows(), HEADER_SCAN_ROWS))
    header = detect_header(top, Matcher(targets), source.merged)
    if header is None:
        raise TransferError("empty_file")
    for choice in (overrides or {}).values():
        if choice and choice not in targets:
            raise TransferError("unknown_field", table=svc.plan(table).label(), field=choice)
    header = apply_overrides(header, overrides or {}, targets)
    if not header.matched:
        raise TransferError("no_columns_matched", table=svc.plan(table).label())
    return ImportPlan(table, source, header, targets)


def run_import(
    svc: RecordService,
    actor: Actor,
    plan: ImportPlan,
    options: ImportOptions,
    *,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    limit: int | None = None,
) -> ImportResult:
    """Import every data row of ``plan`` (the first ``limit`` records when given)."""
    actor = actor.via("import")
    svc.access(actor, svc.plan(plan.table)).require("import")
    writer = _writer.Writer.for_options(svc, actor, plan, options)
    errors = ErrorFile(plan.header.texts, options.locale)
    result = ImportResult()
    total = plan.source.estimated_rows(plan.header.row + 1)
    single = options.all_or_nothing or options.dry_run
    if single:
        with svc.unit_of_work() as unit:
            _run_chunks(writer, plan, options, result, errors, progress, cancelled, total, limit)
            result.written = not options.dry_run and result.failed == 0 and result.total > 0
            if not result.written:
                unit.discard()
        if not result.written and not options.dry_run:
            result.created = result.updated = 0  # rolled back: the counts say what was kept
    else:
        _run_chunks(writer, plan, options, result, errors, progress, cancelled, total, limit)
        result.written = result.created + result.updated > 0
    result.error_file = errors.to_bytes()
    return result


def _run_chunks(
    writer: _writer.Writer,
    plan: ImportPlan,
    options: ImportOptions,
    result: ImportResult,
    errors: ErrorFile,
    progress: Progress | None,
    cancelled: Callable[[], bool] | None,
    total: int | None,
    limit: int | None,
) -> None:
    grouper = Grouper(plan.header, plan.targets, writer.group_key)
    references = References(writer.svc, writer.actor)
    relations = _relation_targets(writer.svc, plan)
    title_key = writer.svc.plan(plan.table).spec.title_field
    groups = grouper.groups(plan.data_rows())
    if limit is not None:
        groups = islice(groups, limit)
    lines_done = 0
    while chunk := list(islice(groups, CHUNK)):
        if cancelled is not None and cancelled():
            break
        references.svc = writer.svc
        resolve_references(chunk, plan.targets, relations, references, options.locale)
        outcome = writer.write(chunk)
        result.total += len(chunk)
        result.created += outcome.created
        result.updated += outcome.updated
        for group, problems in outcome.failed:
            result.failed += 1
            messages = [m for _, m in problems]
            errors.add(group.lines, group.rows, messages)
            if len(result.problems) < KEPT_PROBLEMS:
                result.problems.append(RowProblem(group.lines, _cells(plan, group), problems))
        for group, warnings in outcome.warned:
            result.possible_duplicates += 1
            if len(result.duplicates) < KEPT_PROBLEMS:
                result.duplicates.append(
                    _possible_duplicate(title_key, group, warnings, options.locale)
                )
        lines_done = chunk[-1].lines[-1] - plan.header.row - 1
        if progress is not None:
            progress(lines_done, total, None)


def _possible_duplicate(
    title_key: str | None, group: Group, warnings: list[dict[str, Any]], locale: str
) -> PossibleDuplicate:
    title = group.values.get(title_key) if title_key else None
    return PossibleDuplicate(
        lines=list(group.lines),
        title=None if title is None else str(title),
        warnings=[
            {
                "rule": w["rule"],
                "message": w["messages"].get(locale) or next(iter(w["messages"].values())),
                "matches": w["matches"],
                "hidden": w["hidden"],
            }
            for w in warnings
        ],
    )


def _cells(plan: ImportPlan, group: Group) -> dict[str, Any]:
    row = group.rows[0]
    return {k: row[c] if c < len(row) else None for c, k in plan.header.matched.items()}


def _relation_targets(svc: RecordService, plan: ImportPlan) -> dict[str, str]:
    """Target key (``customer``, ``lines.product``) → related table key."""
    table_plan = svc.plan(plan.table)
    out = {}
    for key, target in plan.targets.items():
        owner = svc.plan(table_plan.children[target.child]) if target.child else table_plan
        related = owner.relation_targets.get(target.field)
        if related is not None and owner.fields[target.field].spec.type == "relation":
            out[key] = related
    return out


def preview_import(
    svc: RecordService, actor: Actor, plan: ImportPlan, options: ImportOptions, rows: int = 20
) -> list[dict[str, Any]]:
    """The first ``rows`` records as they would be imported, nothing written: per record
    its sheet lines, raw cells, stored values (JSON form) and errors per field."""
    actor = actor.via("import")
    svc.access(actor, svc.plan(plan.table)).require("import")
    writer = _writer.Writer.for_options(svc, actor, plan, options)
    out: list[dict[str, Any]] = []
    with svc.unit_of_work(commit=False):
        writer.keep_values = True
        chunk = list(islice(Grouper(plan.header, plan.targets, writer.group_key).groups(
            plan.data_rows()), rows))  # fmt: skip
        references = References(svc, actor)
        relations = _relation_targets(svc, plan)
        resolve_references(chunk, plan.targets, relations, references, options.locale)
        outcome = writer.write(chunk)
        failed = {id(g): p for g, p in outcome.failed}
        for group in chunk:
            errors: dict[str, list[str]] = {}
            for key, message in failed.get(id(group), []):
                errors.setdefault(key or "", []).append(message)
            out.append(
                {
                    "lines": group.lines,
                    "cells": _cells(plan, group),
                    "values": outcome.values.get(id(group), {}),
                    "errors": errors,
                }
            )
    return out
