"""Read an app definition from disk into one app document, remembering where each part came
from so that problems can name the file and the JSON path inside it.

Two layouts hold the same content: a folder (``app.json`` plus ``tables/<key>.json``) or a
single JSON file with the tables inlined under ``"tables"``. Both are upgraded to the current
``schema_version`` (:mod:`builder.model.migrations`) and assembled into the single-file shape.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from builder.model.migrations import SchemaVersionError, upgrade_app, upgrade_table
from builder.model.problems import DefinitionProblem, make_problem
from builder.model.problems import Path as JsonPath

APP_FILE = "app.json"
TABLES_DIR = "tables"


@dataclass
class RawApp:
    """An app document as read from disk (upgraded, not yet validated).

    ``table_files[i]`` is the file of ``document["tables"][i]`` relative to the definition
    root, or None when the table is inline in ``main_file``.
    """

    root: Path
    main_file: str
    document: dict[str, Any]
    table_files: list[str | None] = field(default_factory=list)
    problems: list[DefinitionProblem] = field(default_factory=list)

    def locate(self, path: Sequence[str | int]) -> tuple[str, JsonPath]:
        """Map a path in the assembled document to (file, path inside that file)."""
        if len(path) >= 2 and path[0] == "tables" and isinstance(path[1], int):
            index = path[1]
            if index < len(self.table_files) and self.table_files[index] is not None:
                return self.table_files[index] or "", tuple(path[2:])
        return self.main_file, tuple(path)


def load_definition(path: str | Path) -> RawApp:
    """Read the definition at ``path`` (a folder or a ``.json`` file).

    Unreadable JSON and unsupported ``schema_version`` values are returned as problems on
    the RawApp (with file:line:col for syntax errors); the affected document is left out.
    """
    root = Path(path)
    if root.is_dir() and (root / APP_FILE).is_file():
        return _load_folder(root)
    if root.is_file():
        return _load_single_file(root)
    raw = RawApp(root, root.name, {})
    raw.problems.append(make_problem(root.name, (), "not_found"))
    return raw


def _load_single_file(file: Path) -> RawApp:
    raw = RawApp(file, file.name, {})
    doc = _read_json(file, file.name, raw.problems)
    if doc is None:
        return raw
    upgraded = _upgrade(doc, file.name, raw.problems, upgrade_app)
    if upgraded is not None:
        raw.document = upgraded
        raw.table_files = [None] * len(upgraded.get("tables") or ())
    return raw


def _load_folder(root: Path) -> RawApp:
    raw = RawApp(root, APP_FILE, {})
    doc = _read_json(root / APP_FILE, APP_FILE, raw.problems)
    if doc is None:
        return raw
    app = _upgrade(doc, APP_FILE, raw.problems, upgrade_app)
    if app is None:
        return raw
    tables = app.get("tables")
    if tables is not None and not isinstance(tables, list):
        raw.document = app  # the shape check reports the wrong type
        return raw
    tables = list(tables or ())
    raw.table_files = [None] * len(tables)
    settings = app.get("settings") if isinstance(app.get("settings"), dict) else {}
    for table_file in sorted((root / TABLES_DIR).glob("*.json")):
        name = f"{TABLES_DIR}/{table_file.name}"
        table = _read_json(table_file, name, raw.problems)
        if table is None:
            continue
        if "schema_version" not in table:
            # Reported, then read as the app's version so its contents are still checked.
            raw.problems.append(make_problem(name, ("schema_version",), "version_missing"))
            table = {**table, "schema_version": doc.get("schema_version")}
        upgraded = _upgrade(table, name, raw.problems, partial(upgrade_table, settings=settings))
        if upgraded is not None:
            key = upgraded.get("key")
            if isinstance(key, str) and key != table_file.stem:
                raw.problems.append(
                    make_problem(
                        name, ("key",), "file_key_mismatch", {"key": key}, allowed=f"{key}.json"
                    )
                )
            tables.append(upgraded)
            raw.table_files.append(name)
    app["tables"] = tables
    raw.document = app
    return raw


def _read_json(file: Path, name: str, problems: list[DefinitionProblem]) -> dict[str, Any] | None:
    try:
        doc = json.loads(file.read_text("utf-8"))
    except json.JSONDecodeError as exc:
        problems.append(
            make_problem(
                name, (), "json_syntax", {"detail": exc.msg}, line=exc.lineno, column=exc.colno
            )
        )
        return None
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(make_problem(name, (), "json_syntax", {"detail": str(exc)}))
        return None
    if not isinstance(doc, dict):
        problems.append(make_problem(name, (), "not_an_object"))
        return None
    return doc


def _upgrade(
    doc: dict[str, Any],
    name: str,
    problems: list[DefinitionProblem],
    upgrade: Callable[[dict[str, Any]], dict[str, Any]],
) -> dict[str, Any] | None:
    try:
        return upgrade(doc)
    except SchemaVersionError as exc:
        problems.append(make_problem(name, ("schema_version",), exc.code, exc.params))
        return None
