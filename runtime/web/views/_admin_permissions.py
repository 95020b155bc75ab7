"""The permission matrix of one role: from the role's ``permissions`` in the app definition
to rows of checkboxes and selects, and from the submitted form back to ``permissions``.

Rows are the ``"*"`` entry (every table not listed) and then each table, child tables right
after their parent. A table without its own entry shows the ``"*"`` entry and keeps
following it when saved unchanged, so editing one table does not freeze the others. Child
tables take actions and row scope from their parent (runtime.records._permissions): only
their field access is editable. A row scope that is a condition is kept as it is; the page
shows it in words.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from werkzeug.datastructures import MultiDict

from runtime.web.i18n import gettext as _
from schemas.spec import FIELD_ACCESS, ROW_SCOPES, TABLE_ACTIONS, AppSpec, Label, localize

ALL_TABLES = "*"
CONDITION = "condition"
"""Select value of a row scope that is a condition (kept unchanged on save)."""


@dataclass(frozen=True)
class FieldRow:
    key: str
    label: Label
    access: str
    """One of FIELD_ACCESS, or "" for the default (edit when the role may update, else read)."""


@dataclass(frozen=True)
class PermissionRow:
    table: str
    label: Label | None
    parent_label: Label | None
    """Set for child tables: their actions and row scope are their parent's."""
    inherited: bool
    actions: frozenset[str]
    scope: str
    condition: Mapping[str, Any] | None
    fields: tuple[FieldRow, ...]


def _ordered_tables(app: AppSpec) -> list[str]:
    children: dict[str, list[str]] = {}
    for table in app.tables:
        if table.parent:
            children.setdefault(table.parent, []).append(table.key)
    order: list[str] = []
    for table in app.tables:
        if not table.parent:
            order.append(table.key)
            order.extend(children.get(table.key, []))
    return order


def _scope_of(entry: Mapping[str, Any] | None) -> tuple[str, Mapping[str, Any] | None]:
    scope = (entry or {}).get("row_scope", "all")
    if isinstance(scope, Mapping):
        return CONDITION, scope
    return str(scope), None


def permission_rows(app: AppSpec, permissions: Mapping[str, Any]) -> list[PermissionRow]:
    """The matrix rows for a role whose definition has ``permissions``."""
    star = permissions.get(ALL_TABLES)
    scope, condition = _scope_of(star)
    rows = [
        PermissionRow(
            ALL_TABLES,
            None,
            None,
            False,
            frozenset((star or {}).get("actions", ())),
            scope,
            condition,
            (),
        )
    ]
    for key in _ordered_tables(app):
        table = app.table(key)
        own = permissions.get(key)
        entry = own if own is not None else star
        scope, condition = _scope_of(entry)
        field_access = (own or {}).get("fields") or {}
        rows.append(
            PermissionRow(
                table=key,
                label=table.label,
                parent_label=app.table(table.parent).label if table.parent else None,
                inherited=own is None,
                actions=frozenset((entry or {}).get("actions", ())),
                scope=scope,
                condition=condition,
                fields=tuple(
                    FieldRow(f.key, f.label, field_access.get(f.key, "")) for f in table.fields
                ),
            )
        )
    return rows


def apply_matrix(
    app: AppSpec, permissions: Mapping[str, Any], form: MultiDict[str, str]
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The role's new ``permissions`` from the submitted matrix, and errors per table key
    (``"*"`` included). Form names: ``actions.<table>`` (repeated), ``scope.<table>``,
    ``field.<table>.<field>``."""
    errors: dict[str, list[str]] = {}
    result: dict[str, Any] = {}
    old_star = permissions.get(ALL_TABLES)
    star = _table_entry(ALL_TABLES, old_star, form, errors)
    for key in _ordered_tables(app):
        table = app.table(key)
        old = permissions.get(key)
        fields = _field_access(key, [f.key for f in table.fields], form, errors)
        if table.parent:
            entry = {k: v for k, v in (old or {}).items() if k != "fields"}
            if fields:
                entry["fields"] = fields
            if entry:
                result[key] = entry
            continue
        entry = _table_entry(key, old if old is not None else old_star, form, errors)
        if entry is None:
            continue
        if fields:
            entry["fields"] = fields
        if old is None and not fields and _same(entry, old_star):
            continue  # still follows "*"
        if not entry["actions"] and not fields and not (star and star["actions"]):
            continue  # nothing allowed either way
        result[key] = entry
    if star is not None and star["actions"]:
        result[ALL_TABLES] = star
    return result, errors


def _same(entry: Mapping[str, Any], other: Mapping[str, Any] | None) -> bool:
    if other is None:
        return not entry["actions"]
    return set(entry["actions"]) == set(other.get("actions", ())) and entry[
        "row_scope"
    ] == other.get("row_scope", "all")


def _table_entry(
    key: str,
    shown: Mapping[str, Any] | None,
    form: MultiDict[str, str],
    errors: dict[str, list[str]],
) -> dict[str, Any] | None:
    """Actions and row scope of one row (``shown``: the entry the row was drawn from)."""
    chosen = form.getlist(f"actions.{key}")
    unknown = [a for a in chosen if a not in TABLE_ACTIONS]
    if unknown:
        errors.setdefault(key, []).append(
            _("Unknown action: %(actions)s", actions=", ".join(unknown))
        )
        return None
    actions = [a for a in TABLE_ACTIONS if a in chosen]
    if actions and "read" not in actions:
        errors.setdefault(key, []).append(_("The other actions need “Read” too."))
        return None
    scope: Any = form.get(f"scope.{key}", "all")
    if scope == CONDITION:
        kept = (shown or {}).get("row_scope")
        if not isinstance(kept, Mapping):
            errors.setdefault(key, []).append(_("Choose a row scope."))
            return None
        scope = kept
    elif scope not in ROW_SCOPES:
        errors.setdefault(key, []).append(_("Choose a row scope."))
        return None
    return {"actions": actions, "row_scope": scope}


def _field_access(
    table: str, field_keys: list[str], form: MultiDict[str, str], errors: dict[str, list[str]]
) -> dict[str, str]:
    access: dict[str, str] = {}
    for key in field_keys:
        value = form.get(f"field.{table}.{key}", "")
        if not value:
            continue
        if value not in FIELD_ACCESS:
            errors.setdefault(table, []).append(_("Unknown field access: %(value)s", value=value))
            continue
        access[key] = value
    return access


_OPERATOR_WORDS = {
    "eq": "=",
    "ne": "≠",
    "gt": ">",
    "gte": "≥",
    "lt": "<",
    "lte": "≤",
    "in": "∈",
    "not_in": "∉",
}


def describe_condition(condition: Any, app: AppSpec, table: str | None, locale: str) -> str:
    """A row-scope condition in words, e.g. ``区域 = east 且 负责人 = 当前用户``."""
    if not isinstance(condition, Mapping):
        return str(condition)
    for group, joiner in (("all", _(" and ")), ("any", _(" or "))):
        if group in condition:
            parts = [describe_condition(c, app, table, locale) for c in condition[group]]
            return "(" + joiner.join(parts) + ")" if len(parts) > 1 else "".join(parts)
    if "not" in condition:
        return _(
            "not %(condition)s", condition=describe_condition(condition["not"], app, table, locale)
        )
    name = str(condition.get("field", ""))
    if table is not None and app.has_table(table):
        for spec in app.table(table).fields:
            if spec.key == name:
                name = localize(spec.label, locale)
    op = str(condition.get("op", ""))
    value = condition.get("value")
    if value == "$user":
        value = _("the current user")
    elif isinstance(value, Mapping) and "field" in value:
        value = value["field"]
    elif isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    words = _OPERATOR_WORDS.get(op, op.replace("_", " "))
    return f"{name} {words} {value}" if value is not None else f"{name} {words}"
