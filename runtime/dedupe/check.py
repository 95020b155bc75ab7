"""The duplicate check of a record being saved (called by ``runtime.records._prepare``).

For each duplicate rule of the table whose fields the save touches:

- ``block``: a FieldError on the rule's first field naming the existing record(s) — title
  and id of those the actor may read; when none of them is readable, only that a
  duplicate exists (the save is refused either way: like a unique constraint, the data
  must stay clean whoever types it);
- ``warn``: a warning ``{rule, label, message, matches: [{id, title, score}], hidden}``
  that does not stop the save; records the actor cannot read are only counted in
  ``hidden`` ("a possible duplicate exists that you cannot see"), never listed;
- ``report``: nothing on save, only the duplicate scan shows it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from form_engine.conditions import ConditionContext
from form_engine.messages import FIELD_MESSAGES, FieldError
from runtime.dedupe._match import Match, find_matches
from runtime.records._permissions import TableAccess
from runtime.records._plan import TablePlan
from schemas.spec import LOCALES, DuplicateRuleSpec

SHOWN_MATCHES = 3
"""Records named in one message; a warning's ``matches`` lists up to CANDIDATE_LIMIT."""


def check_duplicates(
    conn: sa.Connection,
    plan: TablePlan,
    access: TableAccess,
    values: Mapping[str, Any],
    changed: set[str],
    record_id: int | None,
    context: ConditionContext,
    errors: list[FieldError],
) -> list[dict[str, Any]]:
    """Append ``block`` errors to ``errors``; return the ``warn`` warnings."""
    warnings: list[dict[str, Any]] = []
    failed = {e.field for e in errors}
    scope = access.scope("read", context)
    title_readable = bool(plan.spec.title_field) and access.visible(plan.spec.title_field or "")
    for rule in plan.spec.duplicate_rules:
        keys = [f.field for f in rule.fields]
        if rule.action == "report" or not (set(keys) & changed) or set(keys) & failed:
            continue
        exclude = () if record_id is None else (record_id,)
        found = find_matches(conn, plan, rule, values, exclude=exclude, visible=scope)
        if not found:
            continue
        rule_outcome(plan, rule, found, title_readable, errors, warnings)
    return warnings


def rule_outcome(
    plan: TablePlan,
    rule: DuplicateRuleSpec,
    found: Sequence[Match],
    title_readable: bool,
    errors: list[FieldError],
    warnings: list[dict[str, Any]],
) -> None:
    """What the matches ``found`` under ``rule`` mean for the record: a ``block`` error
    appended to ``errors`` or a ``warn`` warning appended to ``warnings`` (shared by the
    single-record and the batch check, so both say exactly the same)."""
    shown = [m for m in found if m.visible]
    if not title_readable:
        shown = [Match(m.id, None, m.score, True) for m in shown]
    params = {"rule": rule.label, "table": plan.label(), "records": _records(shown)}
    if rule.action == "block":
        code = "duplicate_blocked" if shown else "duplicate_blocked_hidden"
        errors.append(FieldError(rule.fields[0].field, code, params))
    else:
        warnings.append(_warning(rule, shown, len(found) - len(shown), params))


def _records(matches: Sequence[Match]) -> dict[str, str]:
    """``“杭州阿里巴巴”（#12）、…`` in every locale."""
    texts = {}
    for locale in LOCALES:
        parts = [_record(m, locale) for m in matches[:SHOWN_MATCHES]]
        more = len(matches) - SHOWN_MATCHES
        if more > 0:
            parts.append(f"+{more}")
        texts[locale] = ("、" if locale == "zh-CN" else ", ").join(parts)
    return texts


def _record(match: Match, locale: str) -> str:
    if match.id is None:  # an earlier row of the same batch: no id yet
        return FIELD_MESSAGES.render(
            "duplicate_record_in_batch", {"title": match.title or ""}, locale
        )
    title = match.title or f"#{match.id}"
    return FIELD_MESSAGES.render("duplicate_record", {"title": title, "id": match.id}, locale)


def _warning(
    rule: DuplicateRuleSpec, shown: Sequence[Match], hidden: int, params: Mapping[str, Any]
) -> dict[str, Any]:
    messages = {}
    for locale in LOCALES:
        lines = []
        if shown:
            lines.append(FIELD_MESSAGES.render("duplicate_warning", params, locale))
        if hidden:
            lines.append(
                FIELD_MESSAGES.render(
                    "duplicate_warning_hidden", {**params, "count": hidden}, locale
                )
            )
        messages[locale] = " ".join(lines)
    return {
        "rule": rule.key,
        "label": dict(rule.label),
        "field": rule.fields[0].field,
        "action": rule.action,
        "matches": [m.as_dict() for m in shown],
        "hidden": hidden,
        "messages": messages,
    }
