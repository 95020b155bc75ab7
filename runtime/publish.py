"""Publish an app definition: migrate the live database and store an immutable version.

Every publish of a changed definition gets the next version number and keeps the document,
its checksum and the migration plan that was applied. Publishing the definition that is
already current is a no-op returning that version. The schema migration, the version row and
the app's current-version pointer commit in one transaction, so a refused or failed
migration leaves both the data and the version history untouched.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from builder.model.versions import diff, fingerprint
from form_engine.fields.base import FieldTypeRegistry
from runtime.db import read_transaction
from runtime.dedupe import terms as dedupe_terms
from runtime.storage.migrate import (
    MigrationPlan,
    apply_migration,
    migration_transaction,
    plan_migration,
)
from runtime.storage.system import define_system_tables
from runtime.storage.tables import AppTables
from schemas.spec import LOCALES, AppSpec

_SYSTEM = define_system_tables(sa.MetaData())
_APP = _SYSTEM["kairos_app"]
_VERSION = _SYSTEM["kairos_app_version"]
_SYSTEM_METADATA = _APP.metadata


@dataclass(frozen=True)
class PublishResult:
    """``version_no`` is the version now current (for a dry run: the one it would create,
    or the current one when nothing changed); ``applied`` is True when this call migrated
    the database and stored a new version; ``identical`` when the definition is the one
    already published (a new version may need no schema step: a label changed)."""

    version_no: int
    plan: MigrationPlan
    applied: bool
    identical: bool = False


@dataclass(frozen=True)
class PublishedVersion:
    app_key: str
    version_no: int
    checksum: str
    published_at: datetime
    published_by: int | None
    migration_plan: Mapping[str, Any] | None


class VersionNotFound(LookupError):
    def __init__(self, app_key: str, version_no: int | None) -> None:
        which = "any version" if version_no is None else f"version {version_no}"
        super().__init__(f"app {app_key!r} has no published {which}")
        self.app_key = app_key
        self.version_no = version_no


def publish(
    engine: Engine,
    spec: AppSpec,
    document: Mapping[str, Any],
    *,
    registry: FieldTypeRegistry | None = None,
    dry_run: bool = False,
    published_by: int | None = None,
) -> PublishResult:
    """Migrate the database to ``spec`` and store ``document`` as the app's next version.

    ``document`` is the validated, normalised definition ``spec`` was read from. With
    ``dry_run`` nothing is written; the plan (or ``MigrationRefused``) shows what publishing
    would do. Raises ``runtime.storage.migrate.MigrationRefused`` when existing rows cannot
    take the new definition.
    """
    if registry is None:
        from form_engine.fields import default_registry

        registry = default_registry()
    tables = AppTables(spec, registry)
    checksum = fingerprint(document)
    if dry_run:
        with read_transaction(engine) as conn:
            current = _current(conn, spec.key) if _has_versions(conn) else None
            return _plan_only(conn, tables, current, checksum)
    with migration_transaction(engine) as conn:
        _SYSTEM_METADATA.create_all(conn, checkfirst=True)
        conn.execute(sa.select(_APP.c.app_key).where(_APP.c.app_key == spec.key).with_for_update())
        current = _current(conn, spec.key)
        if current is not None and current["checksum"] == checksum:
            return PublishResult(
                current["version_no"], MigrationPlan(spec.key), applied=False, identical=True
            )
        previous = AppSpec.from_dict(current["definition"]) if current is not None else None
        plan = plan_migration(conn, tables, previous)
        apply_migration(conn, plan)
        dedupe_terms.forget_changed(conn, previous, spec)
        version_no = (current["version_no"] if current is not None else 0) + 1
        now = datetime.now(UTC)
        conn.execute(
            _VERSION.insert().values(
                app_key=spec.key,
                version_no=version_no,
                definition=dict(document),
                checksum=checksum,
                published_at=now,
                published_by=published_by,
                migration_plan=_plan_record(plan, previous, spec),
            )
        )
        values = {"current_version": version_no, "published_at": now}
        if current is None:
            conn.execute(_APP.insert().values(app_key=spec.key, **values))
        else:
            conn.execute(_APP.update().where(_APP.c.app_key == spec.key).values(**values))
        return PublishResult(version_no, plan, applied=True)


def _plan_only(
    conn: sa.Connection, tables: AppTables, current: Mapping[str, Any] | None, checksum: str
) -> PublishResult:
    app_key = tables.app.key
    if current is not None and current["checksum"] == checksum:
        return PublishResult(
            current["version_no"], MigrationPlan(app_key), applied=False, identical=True
        )
    previous = AppSpec.from_dict(current["definition"]) if current is not None else None
    plan = plan_migration(conn, tables, previous)
    next_no = (current["version_no"] if current is not None else 0) + 1
    return PublishResult(next_no, plan, applied=False)


def _plan_record(plan: MigrationPlan, previous: AppSpec | None, spec: AppSpec) -> dict[str, Any]:
    """What is kept with the version: the schema steps and the definition's changes."""
    record: dict[str, Any] = plan.as_dict()
    if previous is not None:
        changes = diff(previous, spec)
        record["changes"] = {locale: changes.describe(locale) for locale in LOCALES}
    return record


def _has_versions(conn: sa.Connection) -> bool:
    return sa.inspect(conn).has_table(_VERSION.name)


def _current(conn: sa.Connection, app_key: str) -> Mapping[str, Any] | None:
    query = (
        sa.select(_VERSION.c.version_no, _VERSION.c.checksum, _VERSION.c.definition)
        .where(_VERSION.c.app_key == app_key)
        .order_by(_VERSION.c.version_no.desc())
        .limit(1)
    )
    row = conn.execute(query).mappings().first()
    return dict(row) if row is not None else None


def load_published(
    engine: Engine, app_key: str, version_no: int | None = None
) -> tuple[AppSpec, dict[str, Any]]:
    """The spec and document of ``version_no`` (the current version when None).
    Raises ``VersionNotFound``."""
    query = sa.select(_VERSION.c.definition).where(_VERSION.c.app_key == app_key)
    if version_no is None:
        query = query.order_by(_VERSION.c.version_no.desc()).limit(1)
    else:
        query = query.where(_VERSION.c.version_no == version_no)
    with read_transaction(engine) as conn:
        if not _has_versions(conn):
            raise VersionNotFound(app_key, version_no)
        document = conn.execute(query).scalar()
    if document is None:
        raise VersionNotFound(app_key, version_no)
    return AppSpec.from_dict(document), dict(document)


def list_versions(engine: Engine, app_key: str) -> list[PublishedVersion]:
    """Every published version of the app, oldest first (empty before the first publish)."""
    columns = [c for c in _VERSION.columns if c.name not in ("id", "definition")]
    query = sa.select(*columns).where(_VERSION.c.app_key == app_key).order_by(_VERSION.c.version_no)
    with read_transaction(engine) as conn:
        if not _has_versions(conn):
            return []
        return [PublishedVersion(**row) for row in conn.execute(query).mappings()]
