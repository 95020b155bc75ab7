"""Checks of form layouts: every placed field exists and is placed at most once, and tab and
section keys are unique within the form."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from builder.model._check_keys import unknown_field
from builder.model.context import AppContext, TableInfo, items, strings
from builder.model.problems import Finding, Path, format_path


def check_forms(ctx: AppContext) -> Iterator[Finding]:
    for table in ctx.tables.values():
        form = table.doc.get("form")
        if isinstance(form, Mapping):
            yield from _form(table, form, (*table.path, "form"))


def _form(table: TableInfo, form: Mapping[str, object], path: Path) -> Iterator[Finding]:
    placed: dict[str, Path] = {}
    tab_keys: dict[str, Path] = {}
    for ti, tab in items(form, "tabs"):
        if not isinstance(tab, Mapping):
            continue
        tab_path = (*path, "tabs", ti)
        yield from _unique_key(tab, tab_path, tab_keys, "tab")
        section_keys: dict[str, Path] = {}
        for si, section in items(tab, "sections"):
            if not isinstance(section, Mapping):
                continue
            section_path = (*tab_path, "sections", si)
            yield from _unique_key(section, section_path, section_keys, "section")
            for fi, key in strings(section.get("fields")):
                field_path = (*section_path, "fields", fi)
                if key in placed:
                    yield Finding(
                        field_path, "placed_twice", {"name": key, "first": format_path(placed[key])}
                    )
                    continue
                placed[key] = field_path
                yield from unknown_field(table, key, field_path)


def _unique_key(
    item: Mapping[str, object], path: Path, seen: dict[str, Path], what: str
) -> Iterator[Finding]:
    key = item.get("key")
    if not isinstance(key, str):
        return
    if key in seen:
        yield Finding(
            (*path, "key"), "duplicate", {"what": what, "key": key, "first": format_path(seen[key])}
        )
    else:
        seen[key] = (*path, "key")
