"""Checks of duplicate rules (``duplicate_rules`` of a table, docs/duplicates.md): rule keys
are unique, every field exists and is stored, the match method suits the field, and a
threshold is given only where a similarity is scored, within 50–100."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from builder.model._check_keys import unknown_field
from builder.model.context import AppContext, FieldInfo, TableInfo, items
from builder.model.problems import Finding, Path, allowed_list, format_path
from form_engine.kinds import Kind
from schemas.spec import FUZZY_MATCHES

THRESHOLD_RANGE = (50, 100)
"""Below 50 % similarity almost any two names "match"; the rule would only be noise."""

TEXT_MATCHES = frozenset({"normalized", "fuzzy", "company_name"})
MATCH_FIELD_TYPES: Mapping[str, frozenset[str]] = {
    "phone": frozenset({"phone", "text"}),
    "email_domain": frozenset({"email", "text"}),
}
"""Matches that only make sense on these field types."""
EXACT_KINDS = frozenset(
    {
        Kind.TEXT,
        Kind.NUMBER,
        Kind.DECIMAL,
        Kind.DATE,
        Kind.DATETIME,
        Kind.TIME,
        Kind.DURATION,
        Kind.BOOL,
        Kind.CHOICE,
        Kind.REF,
    }
)
"""Kinds whose stored values compare with SQL ``=``."""


def check_duplicates(ctx: AppContext) -> Iterator[Finding]:
    for table in ctx.tables.values():
        first: dict[str, Path] = {}
        for i, rule in items(table.doc, "duplicate_rules"):
            if not isinstance(rule, Mapping):
                continue
            path = (*table.path, "duplicate_rules", i)
            key = rule.get("key")
            if isinstance(key, str):
                if key in first:
                    yield Finding(
                        (*path, "key"),
                        "duplicate",
                        {"what": "duplicate rule", "key": key, "first": format_path(first[key])},
                    )
                else:
                    first[key] = (*path, "key")
            if table.parent:
                yield Finding(path, "duplicate_rule_child", {"table": table.key})
            yield from _rule_fields(ctx, table, rule, path)


def _rule_fields(
    ctx: AppContext, table: TableInfo, rule: Mapping[str, object], path: Path
) -> Iterator[Finding]:
    seen: dict[str, Path] = {}
    for j, entry in items(rule, "fields"):
        if not isinstance(entry, Mapping) or not isinstance(entry.get("field"), str):
            continue
        entry_path = (*path, "fields", j)
        key = entry["field"]
        if key in seen:
            yield Finding(
                (*entry_path, "field"),
                "duplicate",
                {"what": "field", "key": key, "first": format_path(seen[key])},
            )
            continue
        seen[key] = (*entry_path, "field")
        info = table.fields.get(key)
        if info is None:
            yield from unknown_field(table, key, (*entry_path, "field"))
            continue
        match = entry.get("match", "exact")
        if isinstance(match, str):
            yield from _match_suits(ctx, table, info, match, (*entry_path, "match"))
            yield from _threshold(entry, match, (*entry_path, "threshold"))


def _match_suits(
    ctx: AppContext, table: TableInfo, info: FieldInfo, match: str, path: Path
) -> Iterator[Finding]:
    field_type = ctx.field_type(info)
    if field_type is None:
        return  # the field's type is wrong: reported elsewhere
    if not getattr(field_type, "stored", True) or info.type in ("child_table", "rollup"):
        yield Finding(path, "duplicate_field_not_stored", {"name": info.key, "type": info.type})
        return
    kind = ctx.kind_of(table, info.key)
    if match in MATCH_FIELD_TYPES:
        allowed = MATCH_FIELD_TYPES[match]
        if info.type not in allowed:
            yield Finding(
                path,
                "duplicate_match_type",
                {"match": match, "name": info.key, "type": info.type},
                allowed=allowed_list(sorted(allowed)),
            )
    elif match in TEXT_MATCHES:
        if kind != Kind.TEXT:
            yield Finding(
                path,
                "duplicate_match_type",
                {"match": match, "name": info.key, "type": info.type},
                allowed="text, long_text, email, phone, url",
            )
    elif match == "exact" and kind not in EXACT_KINDS:
        yield Finding(
            path,
            "duplicate_match_type",
            {"match": match, "name": info.key, "type": info.type},
        )


def _threshold(entry: Mapping[str, object], match: str, path: Path) -> Iterator[Finding]:
    if "threshold" not in entry:
        return
    value = entry["threshold"]
    if match not in FUZZY_MATCHES:
        yield Finding(path, "duplicate_threshold_unused", {"match": match})
    elif isinstance(value, int) and not isinstance(value, bool):
        low, high = THRESHOLD_RANGE
        if not low <= value <= high:
            yield Finding(
                path, "duplicate_threshold_range", {"value": value, "min": low, "max": high}
            )
