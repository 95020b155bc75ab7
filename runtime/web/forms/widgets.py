"""Which widget shows which field type: a Jinja macro in templates/forms/widgets.html and,
optionally, the name of a JS initialiser in static/js/forms.js.

A new field type plugs in with ``register_widget("my_type", Widget("my_macro", "myInit"))``;
a type without an entry gets the plain text input (``DEFAULT_WIDGET``), which works for
any type whose ``parse`` accepts text.
"""

from __future__ import annotations

from dataclasses import dataclass

COMPUTED_TYPES = frozenset(
    {
        "formula",
        "lookup",
        "rollup",
        "auto_number",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
    }
)


@dataclass(frozen=True)
class Widget:
    """``macro``: the macro name in forms/widgets.html; ``init``: a ``data-widget`` value
    forms.js knows how to initialise (None: plain HTML is enough)."""

    macro: str
    init: str | None = None


DEFAULT_WIDGET = Widget("text_input")
READONLY_WIDGET = Widget("readonly_value")

_WIDGETS: dict[str, Widget] = {
    "text": Widget("text_input"),
    "email": Widget("text_input"),
    "phone": Widget("text_input"),
    "url": Widget("text_input"),
    "long_text": Widget("textarea"),
    "json": Widget("json_input", "json"),
    "number": Widget("number_input"),
    "percent": Widget("number_input"),
    "duration": Widget("text_input"),
    "money": Widget("money_input"),
    "date": Widget("date_input", "date"),
    "datetime": Widget("date_input", "datetime"),
    "time": Widget("date_input", "time"),
    "single_select": Widget("select_input", "select"),
    "multi_select": Widget("select_input", "select"),
    "checkbox": Widget("checkbox_input"),
    "rating": Widget("rating_input", "rating"),
    "rich_text": Widget("rich_text_input", "richtext"),
    "relation": Widget("relation_input", "relation"),
    "user": Widget("relation_input", "relation"),
    "department": Widget("relation_input", "relation"),
    "child_table": Widget("child_table_input", "rows"),
    "attachment": Widget("files_input", "files"),
    "image": Widget("files_input", "files"),
    "signature": Widget("signature_input", "signature"),
    "address": Widget("address_input", "address"),
    "location": Widget("location_input"),
}


def register_widget(field_type: str, widget: Widget) -> None:
    """Give ``field_type`` its own widget (plugins call this at import time)."""
    _WIDGETS[field_type] = widget


def widget_for(field_type: str, *, editable: bool = True) -> Widget:
    """The widget that edits ``field_type``, or the read-only display when the user may
    not edit it or the type is computed."""
    if not editable or field_type in COMPUTED_TYPES:
        return READONLY_WIDGET
    return _WIDGETS.get(field_type, DEFAULT_WIDGET)
