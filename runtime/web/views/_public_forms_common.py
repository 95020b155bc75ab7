"""What the public-form pages and their admin pages share: the blueprint and the field
types a visitor can fill in without signing in."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app

blueprint = Blueprint("public_forms", __name__)

PUBLIC_TYPES = frozenset(
    {
        "text",
        "long_text",
        "email",
        "phone",
        "url",
        "number",
        "percent",
        "money",
        "date",
        "datetime",
        "time",
        "duration",
        "single_select",
        "multi_select",
        "checkbox",
        "rating",
    }
)
"""Types whose widget works for an anonymous visitor. Relation pickers search records,
uploads store files and addresses load region lists: all signed-in endpoints, and a
visitor must not browse the app's records, so those types cannot be on a public form
(they can still get a fixed value)."""


def state() -> Any:
    return current_app.extensions["kairos"]
