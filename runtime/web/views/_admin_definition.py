"""Changing roles means changing the app definition: load the published document, change
its ``roles``, validate it like any definition and publish it as a new version. The record
service of every web process picks the new version up (runtime.web.state).

A form carries the version it was drawn from; saving on top of a newer version (another
administrator published meanwhile) is refused instead of silently undoing their change.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy.engine import Engine

from builder.model import validate_document
from runtime.publish import list_versions, load_published, publish
from schemas.spec import AppSpec


@dataclass(frozen=True)
class Definition:
    spec: AppSpec
    document: dict[str, Any]
    version_no: int


class DefinitionChanged(RuntimeError):
    """The app was published again since the form was opened."""


@dataclass(frozen=True)
class PublishOutcome:
    version_no: int | None
    problems: list[str]
    """Validation problems (localised); when any, nothing was published."""


def current_definition(engine: Engine, app_key: str) -> Definition:
    spec, document = load_published(engine, app_key)
    versions = list_versions(engine, app_key)
    return Definition(spec, document, versions[-1].version_no if versions else 0)


def role_document(definition: Definition, role_key: str) -> dict[str, Any] | None:
    for role in definition.document.get("roles") or ():
        if role.get("key") == role_key:
            return dict(role)
    return None


def change_roles(
    engine: Engine,
    app_key: str,
    based_on: int,
    change: Callable[[list[dict[str, Any]]], None],
    *,
    published_by: int | None,
    locale: str,
) -> PublishOutcome:
    """Apply ``change`` to a copy of the current definition's roles (in place), validate and
    publish. Raises DefinitionChanged when the current version is not ``based_on``."""
    definition = current_definition(engine, app_key)
    if definition.version_no != based_on:
        raise DefinitionChanged(app_key)
    document = copy.deepcopy(definition.document)
    roles = document.setdefault("roles", [])
    change(roles)
    result = validate_document(document)
    if not result.ok or result.spec is None:
        return PublishOutcome(None, [p.render(locale) for p in result.problems])
    published = publish(engine, result.spec, result.document, published_by=published_by)
    if has_app_context():
        current_app.extensions["kairos"].refresh(app_key)  # effective on the next request
    return PublishOutcome(published.version_no, [])
