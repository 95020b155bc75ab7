"""Upgrade old app definitions to the current ``schema_version``.

A chain of pure ``dict -> dict`` steps, one per version: the step registered for version *n*
turns an app document of version *n* into one of version *n + 1*. Each step receives a whole
app document (tables inlined); a lone table file is wrapped in an app document so the same
step serves both. Every step is tested against a frozen fixture of the old format.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

CURRENT_VERSION = 1
"""The ``schema_version`` this code writes and the meta-schemas describe."""

Migration = Callable[[dict[str, Any]], dict[str, Any]]
_CHAIN: dict[int, Migration] = {}


class SchemaVersionError(ValueError):
    """A document's ``schema_version`` is missing, not a number, or newer than we know."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def migration(from_version: int) -> Callable[[Migration], Migration]:
    """Register a step upgrading documents of ``from_version`` to ``from_version + 1``."""

    def register(step: Migration) -> Migration:
        if from_version in _CHAIN:
            raise RuntimeError(f"two migrations registered for schema_version {from_version}")
        _CHAIN[from_version] = step
        return step

    return register


def document_version(doc: Mapping[str, Any]) -> int:
    """The document's ``schema_version``, checked to be one we can upgrade from."""
    if "schema_version" not in doc:
        raise SchemaVersionError("version_missing")
    version = doc["schema_version"]
    if isinstance(version, bool) or not isinstance(version, int):
        raise SchemaVersionError("version_invalid", value=repr(version))
    if version > CURRENT_VERSION:
        raise SchemaVersionError("version_future", value=version, current=CURRENT_VERSION)
    if version < min(_CHAIN, default=CURRENT_VERSION):
        raise SchemaVersionError("version_invalid", value=repr(version))
    return version


def upgrade_app(doc: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``doc`` upgraded to CURRENT_VERSION; ``doc`` itself is left untouched."""
    version = document_version(doc)
    upgraded = copy.deepcopy(dict(doc))
    while version < CURRENT_VERSION:
        upgraded = _CHAIN[version](upgraded)
        version += 1
        upgraded["schema_version"] = version
    return upgraded


def upgrade_table(
    doc: Mapping[str, Any], settings: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Upgrade one table file; ``settings`` are the app's (some steps need the locale)."""
    version = document_version(doc)
    wrapped = {"schema_version": version, "settings": dict(settings or {}), "tables": [doc]}
    table: dict[str, Any] = upgrade_app(wrapped)["tables"][0]
    table["schema_version"] = CURRENT_VERSION
    return table


# --- version 0 → 1 --------------------------------------------------------------------------
# Version 0 described fields the way Frappe does: ``fieldtype`` instead of ``type``, Frappe
# type names, and one overloaded ``options`` string whose meaning depends on the type (select
# options one per line as ``key`` or ``key=Label``; the target table of a link; the child
# table of a table field).

_V0_TYPE_NAMES = {
    "select": "single_select",
    "link": "relation",
    "table": "child_table",
    "check": "checkbox",
}


@migration(0)
def _v0_frappe_style_fields(doc: dict[str, Any]) -> dict[str, Any]:
    locale = (doc.get("settings") or {}).get("default_locale") or "zh-CN"
    for table in doc.get("tables") or ():
        if not isinstance(table, dict):
            continue
        table.pop("schema_version", None)
        table["fields"] = [
            _v0_field(f, locale) if isinstance(f, dict) else f for f in table.get("fields") or ()
        ]
    return doc


def _v0_field(field: dict[str, Any], locale: str) -> dict[str, Any]:
    out = dict(field)
    if "fieldtype" in out:
        out["type"] = out.pop("fieldtype")
    out["type"] = _V0_TYPE_NAMES.get(out.get("type"), out.get("type"))
    if "options" not in out:
        return out
    options = out.pop("options")
    config = dict(out.get("config") or {})
    kind = out["type"]
    if kind in ("single_select", "multi_select") and isinstance(options, str):
        config["options"] = [
            _v0_option(line, locale) for line in options.splitlines() if line.strip()
        ]
    elif kind == "relation":
        config["target"] = options
    elif kind == "child_table":
        config["table"] = options
    else:
        config["options"] = options
    out["config"] = config
    return out


def _v0_option(line: str, locale: str) -> dict[str, Any]:
    key, _, label = line.strip().partition("=")
    return {"key": key.strip(), "label": {locale: (label or key).strip()}}
