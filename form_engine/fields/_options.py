"""Options of single and multi select: config schema, lookup by key or label, checks."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from form_engine.fields._config_messages import ConfigProblem
from form_engine.fields._numbers import normalize_text
from form_engine.messages import ParseError
from schemas.spec import DEFAULT_LOCALE, LOCALES, FieldSpec, localize

OPTION_KEY_PATTERN = "^[A-Za-z0-9_-]{1,64}$"

LABEL_SCHEMA: dict[str, Any] = {
    "description": 'Text people see: a string or {"zh-CN": …, "en": …}.',
    "anyOf": [
        {"type": "string", "minLength": 1},
        {
            "type": "object",
            "properties": {locale: {"type": "string"} for locale in LOCALES},
            "additionalProperties": {"type": "string"},
            "minProperties": 1,
        },
    ],
}

OPTIONS_SCHEMA: dict[str, Any] = {
    "type": "array",
    "minItems": 1,
    "description": "The choices, in display order.",
    "items": {
        "type": "object",
        "additionalProperties": False,
        "required": ["key", "label"],
        "properties": {
            "key": {
                "type": "string",
                "pattern": OPTION_KEY_PATTERN,
                "description": "Permanent value stored in records.",
            },
            "label": LABEL_SCHEMA,
            "color": {"type": "string", "description": "Tag colour, e.g. #1677ff or blue."},
        },
    },
}


def options(field: FieldSpec) -> list[Mapping[str, Any]]:
    return list(field.config.get("options") or ())


def _labels(option: Mapping[str, Any]) -> list[str]:
    label = option.get("label")
    if isinstance(label, str):
        return [label]
    return list((label or {}).values())


def _folded(text: str) -> str:
    return normalize_text(text).casefold()


def resolve_option(raw: Any, field: FieldSpec) -> str:
    """The option key ``raw`` names: the key itself, or a key/label in any locale compared
    case-insensitively after trimming and full-width folding."""
    if not isinstance(raw, str | int) or isinstance(raw, bool):
        raise ParseError("not_an_option", value=raw, allowed=allowed_labels(field))
    text = str(raw)
    keys, folded = _lookup(field)
    found = keys.get(text)
    if found is None:
        found = folded.get(_folded(text))
    if found is None:
        raise ParseError("not_an_option", value=text.strip(), allowed=allowed_labels(field))
    return found


_LOOKUPS: dict[int, tuple[FieldSpec, dict[str, str], dict[str, str]]] = {}
"""id(field) → (field, key → key, folded key or label → key); the spec is kept to check
identity (an import resolves the same few options for every row)."""


def _lookup(field: FieldSpec) -> tuple[dict[str, str], dict[str, str]]:
    """The tables ``resolve_option`` reads; the first option naming a text wins, as in
    the option order."""
    cached = _LOOKUPS.get(id(field))
    if cached is not None and cached[0] is field:
        return cached[1], cached[2]
    keys: dict[str, str] = {}
    folded: dict[str, str] = {}
    for option in options(field):
        key = str(option["key"])
        keys.setdefault(option["key"], key)
        folded.setdefault(_folded(option["key"]), key)
        for text in _labels(option):
            folded.setdefault(_folded(text), key)
    if len(_LOOKUPS) > 4096:  # specs of republished apps: start afresh
        _LOOKUPS.clear()
    _LOOKUPS[id(field)] = (field, keys, folded)
    return keys, folded


def option_label(key: str, field: FieldSpec, locale: str = DEFAULT_LOCALE) -> str:
    for option in options(field):
        if option["key"] == key:
            return localize(option.get("label"), locale) or key
    return key


_LIST_SEPARATORS = {"zh-CN": "、", "en": ", "}


def allowed_labels(field: FieldSpec) -> dict[str, str]:
    """The option labels listed for an error message, in every locale (``赢单、输单`` /
    ``Won, Lost``), so an English message does not show the zh-CN labels."""
    return {
        locale: _LIST_SEPARATORS[locale].join(
            option_label(option["key"], field, locale) for option in options(field)
        )
        for locale in LOCALES
    }


def check_options(field: FieldSpec) -> Iterator[str]:
    """Duplicate keys, and labels that two options share (label input would be ambiguous)."""
    seen_keys: set[str] = set()
    seen_labels: dict[str, str] = {}
    choices = options(field)
    if not choices:
        yield ConfigProblem("no_options")
    for option in choices:
        key = option.get("key")
        if key in seen_keys:
            yield ConfigProblem("duplicate_option", key=key)
        seen_keys.add(key)
        for text in {_folded(t) for t in _labels(option)}:
            other = seen_labels.get(text)
            if other is not None and other != key:
                yield ConfigProblem("shared_label", first=other, second=key, label=text)
            seen_labels[text] = key
