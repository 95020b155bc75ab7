"""Who may do what with which rows and fields: roles → table actions, row scope, field
access. Default deny. Every read path adds ``TableAccess.scope("read")`` to its WHERE
clause, so list, detail, count, aggregate (and later export and reports) agree.

A child table (sub-form rows) has no permissions of its own: its actions and row scope are
the parent's, its rows are in scope when their parent is. Field access of child fields
comes from the role's entry for the child table when it has one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from form_engine.conditions import ConditionContext, ConditionError, compile_condition
from runtime.records._plan import AppPlan, TablePlan
from runtime.records.actor import Actor
from runtime.records.errors import PermissionDenied
from schemas.spec import PARENT_COLUMN, TablePermission

_ACCESS_RANK = {"hidden": 0, "masked": 1, "read": 2, "edit": 3}


@dataclass(frozen=True)
class TableAccess:
    """One actor's rights on one table, the union over their roles."""

    plan: TablePlan
    actor: Actor
    unrestricted: bool
    grants: tuple[tuple[frozenset[str], str | Mapping[str, Any]], ...]
    """(actions, row_scope) per role that mentions the table (the parent, for children)."""
    field_access: Mapping[str, str]
    parent_access: TableAccess | None = None

    def can(self, action: str) -> bool:
        return self.unrestricted or any(action in actions for actions, _ in self.grants)

    def require(self, action: str) -> None:
        if not self.can(action):
            raise PermissionDenied.action(action, self.plan.label())

    def access(self, field_key: str) -> str:
        """hidden / masked / read / edit for one field (system columns are read)."""
        if self.unrestricted:
            return "edit"
        return self.field_access.get(field_key, "read")

    def visible(self, field_key: str) -> bool:
        return self.access(field_key) != "hidden"

    def usable_in_queries(self, field_key: str) -> bool:
        """Filtering, sorting or grouping by a hidden or masked field would reveal it."""
        return self.access(field_key) in ("read", "edit")

    def scope(self, action: str, context: ConditionContext) -> sa.ColumnElement[bool]:
        """WHERE clause of the rows the actor may ``action`` (false when none)."""
        if self.unrestricted:
            return sa.true()
        if self.parent_access is not None:
            parent = self.parent_access.plan.table
            inner = sa.select(parent.c.id).where(self.parent_access.scope(action, context))
            return self.plan.table.c[PARENT_COLUMN].in_(inner)
        clauses = [
            _row_scope(self.plan, self.actor, scope, context)
            for actions, scope in self.grants
            if action in actions
        ]
        if not clauses:
            return sa.false()
        if any(c is _ALL for c in clauses):
            return sa.true()
        return sa.or_(*clauses)


_ALL = sa.true()


def table_access(app: AppPlan, plan: TablePlan, actor: Actor) -> TableAccess:
    """The actor's rights on ``plan``'s table."""
    if actor.unrestricted:
        return TableAccess(plan, actor, True, (), {})
    parent_access = None
    if plan.parent:
        parent_access = table_access(app, app[plan.parent], actor)
    permissions: list[TablePermission] = []
    for role in app.app.roles:
        if role.key in actor.roles:
            permission = role.for_table(plan.key)
            if permission is not None:
                permissions.append(permission)
    grants: tuple[tuple[frozenset[str], str | Mapping[str, Any]], ...]
    if parent_access is not None:
        grants = parent_access.grants
    else:
        grants = tuple((p.actions, p.row_scope) for p in permissions)
    field_access: dict[str, str] = {}
    inherited = frozenset().union(*(a for a, _ in grants)) if parent_access else None
    for key in plan.fields:
        best = None
        for permission in permissions or [None]:
            access = _field_access(permission, key, inherited)
            if best is None or _ACCESS_RANK[access] > _ACCESS_RANK[best]:
                best = access
        field_access[key] = best or "read"
    return TableAccess(plan, actor, False, grants, field_access, parent_access)


def _field_access(
    permission: TablePermission | None, key: str, inherited: frozenset[str] | None
) -> str:
    """The role's access to one field: as listed, else ``edit`` when the role may write
    the table (for a child table: the parent), else ``read``."""
    if permission is not None and key in permission.fields:
        return permission.fields[key]
    if inherited is not None:
        actions = inherited
    else:
        actions = permission.actions if permission is not None else frozenset()
    return "edit" if actions & {"update", "create"} else "read"


def _row_scope(
    plan: TablePlan, actor: Actor, scope: str | Mapping[str, Any], context: ConditionContext
) -> sa.ColumnElement[bool]:
    table = plan.table
    if scope == "all":
        return _ALL
    if actor.user_id is None:
        return sa.false()
    if scope == "own":
        return table.c.owner_id == actor.user_id
    users = plan.table.metadata.tables["kairos_user"]
    if scope == "department":
        if actor.department_id is None:
            return table.c.owner_id == actor.user_id
        members = sa.select(users.c.id).where(users.c.department_id == actor.department_id)
        return table.c.owner_id.in_(members)
    if scope == "department_tree":
        if not actor.department_path:
            return table.c.owner_id == actor.user_id
        departments = plan.table.metadata.tables["kairos_department"]
        members = (
            sa.select(users.c.id)
            .join(departments, departments.c.id == users.c.department_id)
            .where(departments.c.path.startswith(actor.department_path, autoescape=True))
        )
        return table.c.owner_id.in_(members)
    if isinstance(scope, Mapping):
        try:
            return compile_condition(
                scope, lambda key: (plan.expression(key), plan.kinds[key]), context=context
            )
        except ConditionError:
            return sa.false()  # a broken scope grants nothing (the builder reports it)
    return sa.false()


def mask(value: Any, field_type: str) -> Any:
    """A masked rendering: phone ``138****5678``, email ``a***@x.com``, others ``****``."""
    if value is None or value == "":
        return value
    text = str(value)
    if field_type == "phone":
        digits = re.sub(r"[\s-]", "", text)
        if len(digits) >= 7:
            return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"
        return "****"
    if field_type == "email" and "@" in text:
        name, domain = text.split("@", 1)
        return f"{name[:1]}***@{domain}"
    return "****"
