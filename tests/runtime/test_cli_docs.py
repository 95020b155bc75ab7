"""Every command of the CLI is documented in docs/cli.md (and nothing documented is gone)."""

from __future__ import annotations

import re
from pathlib import Path

import click

from runtime.cli import main

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def _commands(group: click.Group, prefix: str = "kairos") -> list[str]:
    names = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        if isinstance(command, click.Group):
            names.extend(_commands(command, path))
        else:
            names.append(path)
    return names


def test_every_command_has_a_section_in_the_cli_guide() -> None:
    headings = re.findall(r"^## `([^`]+)`", DOC.read_text(encoding="utf-8"), re.MULTILINE)
    commands = _commands(main)

    def names(heading: str, command: str) -> bool:
        return heading == command or heading.startswith(command + " ")

    assert [c for c in commands if not any(names(h, c) for h in headings)] == []
    assert [h for h in headings if not any(names(h, c) for c in commands)] == []
