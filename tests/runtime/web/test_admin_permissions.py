"""The permission matrix model: rows from a role's permissions and permissions back from
the submitted form, keeping what the form does not show (inheritance from "*", condition
row scopes, the actions of child tables)."""

from __future__ import annotations

from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict

from builder.model import load_app
from runtime.web.views._admin_permissions import (
    ALL_TABLES,
    CONDITION,
    PermissionRow,
    apply_matrix,
    permission_rows,
)
from schemas.spec import AppSpec

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "opportunity"
REGION = {"field": "name", "op": "contains", "value": "华东"}


@pytest.fixture(scope="module")
def app() -> AppSpec:
    result = load_app(EXAMPLE)
    assert result.spec is not None, result.problems
    return result.spec


def submitted(rows: list[PermissionRow]) -> MultiDict[str, str]:
    """The form exactly as the page draws it."""
    form: MultiDict[str, str] = MultiDict()
    for row in rows:
        if row.parent_label is None:
            for action in sorted(row.actions):
                form.add(f"actions.{row.table}", action)
            form.add(f"scope.{row.table}", row.scope)
        for field in row.fields:
            form.add(f"field.{row.table}.{field.key}", field.access)
    return form


def test_rows_start_with_all_other_tables_and_put_children_after_their_parent(app) -> None:
    rows = permission_rows(app, {"*": {"actions": ["read"], "row_scope": "all"}})
    keys = [r.table for r in rows]
    assert keys[0] == ALL_TABLES
    assert keys.index("opportunity_line") == keys.index("opportunity") + 1
    line = rows[keys.index("opportunity_line")]
    assert line.parent_label is not None and line.inherited


def test_unchanged_rows_round_trip_and_untouched_tables_keep_following_the_star(app) -> None:
    permissions = {
        "customer": {
            "actions": ["read", "update"],
            "row_scope": "own",
            "fields": {"phone": "masked"},
        },
        "opportunity_line": {"actions": ["read"], "row_scope": "all", "fields": {"cost": "hidden"}},
        "*": {"actions": ["read"], "row_scope": "all"},
    }
    form = submitted(permission_rows(app, permissions))
    result, errors = apply_matrix(app, permissions, form)
    assert errors == {}
    assert result == permissions

    form.setlist("actions.*", ["read", "export"])
    result, _ = apply_matrix(app, permissions, form)
    assert result["*"] == {"actions": ["read", "export"], "row_scope": "all"}
    assert "contact" not in result  # still inherits, now with export
    assert result["customer"]["actions"] == ["read", "update"]


def test_changing_an_inherited_row_gives_the_table_its_own_entry(app) -> None:
    permissions = {"*": {"actions": ["read"], "row_scope": "all"}}
    form = submitted(permission_rows(app, permissions))
    form.setlist("actions.task", ["read", "create"])
    form["scope.task"] = "department"
    form["field.lead.mobile"] = "hidden"
    result, errors = apply_matrix(app, permissions, form)
    assert errors == {}
    assert result["task"] == {"actions": ["read", "create"], "row_scope": "department"}
    assert result["lead"] == {
        "actions": ["read"],
        "row_scope": "all",
        "fields": {"mobile": "hidden"},
    }


def test_a_condition_row_scope_is_kept_and_can_be_replaced(app) -> None:
    permissions = {"customer": {"actions": ["read"], "row_scope": REGION}}
    rows = permission_rows(app, permissions)
    customer = next(r for r in rows if r.table == "customer")
    assert (customer.scope, customer.condition) == (CONDITION, REGION)
    form = submitted(rows)
    result, _ = apply_matrix(app, permissions, form)
    assert result["customer"]["row_scope"] == REGION
    form["scope.customer"] = "own"
    result, _ = apply_matrix(app, permissions, form)
    assert result["customer"]["row_scope"] == "own"


def test_child_tables_keep_their_actions_and_only_change_field_access(app) -> None:
    permissions = {
        "opportunity": {"actions": ["read"], "row_scope": "own"},
        "opportunity_line": {"actions": ["read", "create"], "row_scope": "all"},
    }
    form = submitted(permission_rows(app, permissions))
    form["field.opportunity_line.cost"] = "hidden"
    form.setlist("actions.opportunity_line", ["delete"])  # not drawn for children: ignored
    result, _ = apply_matrix(app, permissions, form)
    assert result["opportunity_line"] == {
        "actions": ["read", "create"],
        "row_scope": "all",
        "fields": {"cost": "hidden"},
    }


def test_a_table_without_any_action_is_left_out_when_nothing_else_applies(app) -> None:
    permissions = {"task": {"actions": ["read"], "row_scope": "own"}}
    form = submitted(permission_rows(app, permissions))
    form.setlist("actions.task", [])
    result, errors = apply_matrix(app, permissions, form)
    assert errors == {} and result == {}
    with_star = {**permissions, "*": {"actions": ["read"], "row_scope": "all"}}
    form = submitted(permission_rows(app, with_star))
    form.setlist("actions.task", [])
    result, _ = apply_matrix(app, with_star, form)
    assert result["task"] == {"actions": [], "row_scope": "own"}  # denied despite "*"
