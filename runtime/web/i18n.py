"""zh-CN and en: the locale of each request and localised labels in templates.

UI strings are English msgids translated by gettext catalogs (Flask-Babel); labels from app
definitions are ``{"zh-CN": …, "en": …}`` dicts picked with ``t()``. The ``.po`` catalogs
are compiled to ``.mo`` on start-up when they changed, so no build step is needed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, g, request, session
from flask_babel import gettext, lazy_gettext, ngettext

from schemas.spec import DEFAULT_LOCALE, LOCALES, localize

TRANSLATIONS = Path(__file__).with_name("translations")
BABEL_NAMES = {"zh-CN": "zh_Hans_CN", "en": "en"}
"""Babel locale per Kairos locale; the catalog folder is `zh`, which Babel falls back to."""

_ = gettext
"""The conventional short name, for modules that translate many strings."""

__all__ = ["_", "gettext", "lazy_gettext", "ngettext"]


def current_locale() -> str:
    """The user's choice (account setting or session), else the browser's, else zh-CN."""
    user = getattr(g, "user", None)
    if user is not None and user.get("locale") in LOCALES:
        return str(user["locale"])
    chosen = session.get("locale")
    if chosen in LOCALES:
        return str(chosen)
    best = request.accept_languages.best_match(["zh-CN", "zh", "en"]) if request else None
    if best == "en":
        return "en"
    return DEFAULT_LOCALE


def babel_locale() -> str:
    return BABEL_NAMES[current_locale()]


def t(label: Any) -> str:
    """A definition label in the current locale."""
    return localize(label, current_locale())


def compile_translations() -> None:
    """Merge each locale's ``*.po`` files (one per feature area) into ``messages.mo`` when
    any of them is newer than it."""
    for folder in TRANSLATIONS.glob("*/LC_MESSAGES"):
        sources = sorted(folder.glob("*.po"))
        mo_path = folder / "messages.mo"
        newest = max((p.stat().st_mtime for p in sources), default=0)
        if not sources or (mo_path.exists() and mo_path.stat().st_mtime >= newest):
            continue
        merged = None
        for po_path in sources:
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file)
            if merged is None:
                merged = catalog
            else:
                for message in catalog:
                    if message.id:
                        merged[message.id] = message
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, merged)


def install(app: Flask) -> None:
    app.jinja_env.globals.update(t=t, current_locale=current_locale, LOCALES=LOCALES)
