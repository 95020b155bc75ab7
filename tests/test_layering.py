"""The import rules of DESIGN.md §2, checked on the source: engines never reach up."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
KAIROS_PACKAGES = (
    "schemas",
    "form_engine",
    "builder",
    "flow_engine",
    "report_engine",
    "runtime",
    "examples",
)

# package (dotted prefix) -> Kairos packages it may import
ALLOWED: dict[str, set[str]] = {
    "schemas": set(),
    "form_engine": {"schemas"},
    "builder.model": {"schemas", "form_engine"},
    "flow_engine": {"schemas", "form_engine", "builder.model"},
    "report_engine": {"schemas", "form_engine", "builder.model"},
    "runtime": {"schemas", "form_engine", "builder.model", "flow_engine", "report_engine"},
    "builder.designer": {
        "schemas",
        "form_engine",
        "builder.model",
        "flow_engine",
        "report_engine",
        "runtime",
    },
    "examples": {"schemas", "form_engine", "builder.model", "runtime"},
}
FORBIDDEN_THIRD_PARTY = {
    "schemas": {"flask", "sqlalchemy"},
    "form_engine": {"flask"},
    "builder.model": {"flask"},
    "flow_engine": {"flask"},
    "report_engine": {"flask"},
}


def _owner(module: str) -> str | None:
    for prefix in sorted(ALLOWED, key=len, reverse=True):
        if module == prefix or module.startswith(prefix + "."):
            return prefix
    return None


def _imports(path: Path, package: list[str] | None = None) -> list[str]:
    """Absolute module names imported by ``path`` (a module of ``package``, by default
    where it lies under ROOT), relative imports resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    if package is None:
        package = list(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                found.append(node.module or "")
            else:
                base = package[: len(package) - (node.level - 1)]
                found.append(".".join([*base, *([node.module] if node.module else [])]))
    return found


def _source_files() -> list[tuple[str, Path]]:
    files = []
    for package in KAIROS_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            files.append((module, path))
    return files


def violations_of(module: str, imported: list[str]) -> list[str]:
    owner = _owner(module)
    if owner is None:
        return []
    problems = []
    for name in imported:
        target = _owner(name)
        if target is not None and target != owner and target not in ALLOWED[owner]:
            problems.append(f"{module} imports {name} ({owner} may not import {target})")
        top = name.split(".")[0]
        if top in FORBIDDEN_THIRD_PARTY.get(owner, set()):
            problems.append(f"{module} imports {name} ({owner} must not depend on {top})")
    return problems


@pytest.mark.parametrize(("module", "path"), _source_files(), ids=lambda v: str(v))
def test_module_respects_layering(module: str, path: Path) -> None:
    assert violations_of(module, _imports(path)) == []


def test_the_checker_catches_an_engine_importing_runtime() -> None:
    assert violations_of("form_engine.fields.money", ["runtime.records"]) == [
        "form_engine.fields.money imports runtime.records (form_engine may not import runtime)"
    ]
    assert violations_of("flow_engine.graph", ["flask"]) == [
        "flow_engine.graph imports flask (flow_engine must not depend on flask)"
    ]
    assert violations_of("runtime.cli", ["builder.model.loader"]) == []


def test_relative_imports_are_resolved_before_checking(tmp_path: Path) -> None:
    module = tmp_path / "money.py"
    module.write_text("from .base import FieldType\nfrom ...runtime import records\n")
    imported = _imports(module, ["form_engine", "fields"])
    assert imported == ["form_engine.fields.base", "runtime"]
    assert violations_of("form_engine.fields.money", imported) == [
        "form_engine.fields.money imports runtime (form_engine may not import runtime)"
    ]


def test_every_package_has_a_readme_saying_what_it_may_import() -> None:
    for package in (
        "schemas",
        "form_engine",
        "builder",
        "flow_engine",
        "report_engine",
        "runtime",
        "examples",
        "bench",
        "tests",
    ):
        text = (ROOT / package / "README.md").read_text(encoding="utf-8")
        assert "May import" in text, package
