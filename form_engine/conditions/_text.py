"""Case-insensitive text matching with one definition for Python, SQL and the browser.

Only the ASCII letters A–Z fold to a–z. Full Unicode case folding differs between Python,
SQLite (whose ``lower`` is ASCII-only) and PostgreSQL (whose ``lower`` follows the server
locale), so a wider rule could not give the same answer everywhere. Chinese has no case, so
zh-CN text is unaffected.
"""

from __future__ import annotations

import string

_ASCII_FOLD = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
LIKE_ESCAPE = "/"


def fold(text: str) -> str:
    """``text`` with A–Z lowered and everything else unchanged."""
    return text.translate(_ASCII_FOLD)


def like_match(op: str, haystack: str, needle: str) -> bool:
    """contains / starts_with / ends_with on already folded text."""
    if op == "contains":
        return needle in haystack
    if op == "starts_with":
        return haystack.startswith(needle)
    if op == "ends_with":
        return haystack.endswith(needle)
    raise ValueError(f"{op!r} is not a text match operator")


def like_pattern(op: str, needle: str) -> str:
    """A LIKE pattern (escape character ``/``) matching like :func:`like_match`."""
    escaped = (
        needle.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
        .replace("%", LIKE_ESCAPE + "%")
        .replace("_", LIKE_ESCAPE + "_")
    )
    return {
        "contains": f"%{escaped}%",
        "starts_with": f"{escaped}%",
        "ends_with": f"%{escaped}",
    }[op]
