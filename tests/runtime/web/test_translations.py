"""Every UI string of the web app has a zh-CN translation."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

WEB = Path(__file__).resolve().parents[3] / "runtime" / "web"
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "lazy_gettext": None, "_l": None, "ngettext": (1, 2)}


def test_every_msgid_in_templates_and_code_is_translated_to_chinese() -> None:
    translated = set()
    for po_path in (WEB / "translations" / "zh" / "LC_MESSAGES").glob("*.po"):
        with po_path.open("rb") as po:
            translated |= {m.id for m in read_po(po) if m.id and m.string}
    used = set()
    for _filename, _line, message, _comments, _context in extract_from_dir(
        WEB, method_map=METHODS, keywords=KEYWORDS
    ):
        used.add(message if isinstance(message, str) else message[0])
    assert sorted(used - translated) == []
