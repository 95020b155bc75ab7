"""Saved list views: a name for a combination of columns, sort, filter and search.

A view is personal (only its owner sees it) or shared (everyone who may read the table
sees it). Only the owner or an administrator may change or delete a view. The spec is the
list's query-string state (see ``_list_state.ListState.saved_spec``), so applying a view is
opening the list with those parameters.
"""

from __future__ import annotations

import json
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from form_engine.fields.sqltypes import UTCDateTime
from runtime.db import write_transaction
from runtime.records import Actor
from runtime.storage.system import ID_TYPE
from runtime.web.storage import UI_METADATA

SAVED_VIEW = sa.Table(
    "kairos_ui_saved_view",
    UI_METADATA,
    sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True),
    sa.Column("owner_id", ID_TYPE, sa.ForeignKey("kairos_user.id"), nullable=False),
    sa.Column("app_key", sa.String(20), nullable=False),
    sa.Column("table_key", sa.String(64), nullable=False),
    sa.Column("name", sa.String(80), nullable=False),
    sa.Column("shared", sa.Boolean, nullable=False, default=False),
    sa.Column("spec", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.Index("ix_kairos_ui_saved_view_table", "app_key", "table_key"),
)

NAME_MAX = 80

_ENSURED: weakref.WeakSet[sa.Engine] = weakref.WeakSet()


def ensure_table(engine: sa.Engine) -> None:
    """Create the table when missing. ``create_app`` creates UI tables before it imports
    the feature modules, so the first app of a process may not know this one yet."""
    if engine not in _ENSURED:
        SAVED_VIEW.create(engine, checkfirst=True)
        _ENSURED.add(engine)


@dataclass(frozen=True)
class SavedView:
    id: int
    owner_id: int
    owner_name: str
    name: str
    shared: bool
    spec: dict[str, str]

    def editable_by(self, actor: Actor) -> bool:
        """The owner or an administrator may rename, re-share, overwrite or delete."""
        return actor.unrestricted or actor.user_id == self.owner_id


class ViewNotFound(LookupError):
    """No such view for this table, or the user may not see it."""


class ViewForbidden(PermissionError):
    """The user sees the view but is neither its owner nor an administrator."""


def _view(row: Any) -> SavedView:
    try:
        spec = json.loads(row.spec)
    except ValueError:
        spec = {}
    return SavedView(
        id=int(row.id),
        owner_id=int(row.owner_id),
        owner_name=row.display_name or "",
        name=row.name,
        shared=bool(row.shared),
        spec={str(k): str(v) for k, v in spec.items()} if isinstance(spec, dict) else {},
    )


def _select(app_key: str, table: str) -> sa.Select[Any]:
    users = UI_METADATA.tables["kairos_user"]
    return (
        sa.select(SAVED_VIEW, users.c.display_name)
        .join(users, users.c.id == SAVED_VIEW.c.owner_id)
        .where(SAVED_VIEW.c.app_key == app_key, SAVED_VIEW.c.table_key == table)
    )


def visible_views(engine: sa.Engine, app_key: str, table: str, actor: Actor) -> list[SavedView]:
    """The user's own views, then the views others shared, each by name. The caller has
    already checked that the user may read the table."""
    ensure_table(engine)
    statement = _select(app_key, table).where(
        sa.or_(SAVED_VIEW.c.owner_id == actor.user_id, SAVED_VIEW.c.shared.is_(True))
    )
    with engine.connect() as conn:
        views = [_view(row) for row in conn.execute(statement)]
    return sorted(views, key=lambda v: (v.owner_id != actor.user_id, v.name.casefold(), v.id))


def get_view(engine: sa.Engine, app_key: str, table: str, view_id: int, actor: Actor) -> SavedView:
    ensure_table(engine)
    statement = _select(app_key, table).where(SAVED_VIEW.c.id == view_id)
    with engine.connect() as conn:
        row = conn.execute(statement).first()
    if row is None:
        raise ViewNotFound(view_id)
    view = _view(row)
    if not view.shared and view.owner_id != actor.user_id and not actor.unrestricted:
        raise ViewNotFound(view_id)
    return view


def create_view(
    engine: sa.Engine,
    app_key: str,
    table: str,
    actor: Actor,
    *,
    name: str,
    shared: bool,
    spec: dict[str, str],
) -> int:
    ensure_table(engine)
    now = datetime.now(UTC)
    with write_transaction(engine) as conn:
        return int(
            conn.execute(
                SAVED_VIEW.insert()
                .values(
                    owner_id=actor.user_id,
                    app_key=app_key,
                    table_key=table,
                    name=name,
                    shared=shared,
                    spec=json.dumps(spec, ensure_ascii=False, sort_keys=True),
                    created_at=now,
                    updated_at=now,
                )
                .returning(SAVED_VIEW.c.id)
            ).scalar_one()
        )


def update_view(
    engine: sa.Engine,
    app_key: str,
    table: str,
    view_id: int,
    actor: Actor,
    *,
    name: str | None = None,
    shared: bool | None = None,
    spec: dict[str, str] | None = None,
) -> SavedView:
    view = get_view(engine, app_key, table, view_id, actor)
    if not view.editable_by(actor):
        raise ViewForbidden(view_id)
    values: dict[str, Any] = {"updated_at": datetime.now(UTC)}
    if name is not None:
        values["name"] = name
    if shared is not None:
        values["shared"] = shared
    if spec is not None:
        values["spec"] = json.dumps(spec, ensure_ascii=False, sort_keys=True)
    with write_transaction(engine) as conn:
        conn.execute(SAVED_VIEW.update().where(SAVED_VIEW.c.id == view_id).values(**values))
    return get_view(engine, app_key, table, view_id, actor)


def delete_view(engine: sa.Engine, app_key: str, table: str, view_id: int, actor: Actor) -> None:
    view = get_view(engine, app_key, table, view_id, actor)
    if not view.editable_by(actor):
        raise ViewForbidden(view_id)
    with write_transaction(engine) as conn:
        conn.execute(SAVED_VIEW.delete().where(SAVED_VIEW.c.id == view_id))
