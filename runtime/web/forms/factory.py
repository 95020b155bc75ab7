"""WTForms form classes built at runtime from a table's definition.

One class per table and published version (cached by the table's plan, which the record
service rebuilds on publish). Every editable field is a text field carrying the raw form
string — the record service and the field types parse and validate — multi-selects keep
their list. WTForms gives CSRF protection and the re-rendering of what the user typed.
Composite widgets (child rows, address, location, files) post several inputs; see
``values.submitted_values``.
"""

from __future__ import annotations

import threading
from typing import Any

from flask_wtf import FlaskForm
from wtforms import Field, HiddenField, SelectMultipleField, StringField

from runtime.records import TablePlan

LIST_TYPES = frozenset({"multi_select"})
COMPOSITE_TYPES = frozenset({"child_table", "address", "location"})

_cache: dict[int, tuple[TablePlan, type[FlaskForm]]] = {}
_lock = threading.Lock()


class ListField(SelectMultipleField):
    """A multi-select's option keys; the service checks them against the options."""

    def pre_validate(self, form: Any) -> None:  # options are the record service's business
        return None


def form_class(plan: TablePlan) -> type[FlaskForm]:
    """The FlaskForm subclass for ``plan``'s table (built once per published version)."""
    with _lock:
        cached = _cache.get(id(plan))
        if cached is not None and cached[0] is plan:
            return cached[1]
        attributes: dict[str, Field | Any] = {}
        for key, field in plan.fields.items():
            if field.computed or field.spec.type in COMPOSITE_TYPES:
                continue
            if field.spec.type in LIST_TYPES:
                attributes[key] = ListField(key, choices=[], coerce=str)
            else:
                attributes[key] = StringField(key)
        attributes["row_version"] = HiddenField("row_version")
        cls = type(f"{plan.key.title().replace('_', '')}Form", (FlaskForm,), attributes)
        _cache[id(plan)] = (plan, cls)
        return cls


def build_form(plan: TablePlan, initial: dict[str, Any] | None = None) -> FlaskForm:
    """A bound form: the request's form data on POST, else ``initial`` values."""
    return form_class(plan)(data=initial or {})
