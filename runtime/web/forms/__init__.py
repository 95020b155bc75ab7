"""Record forms built at runtime from the app definition: the WTForms form factory, the
widget registry, the layout, form-data conversion, live recompute and file uploads."""

from runtime.web.forms.factory import build_form, form_class
from runtime.web.forms.layout import FormField, FormSection, FormTab, form_fields, form_layout
from runtime.web.forms.widgets import Widget, register_widget, widget_for

__all__ = [
    "FormField",
    "FormSection",
    "FormTab",
    "Widget",
    "build_form",
    "form_class",
    "form_fields",
    "form_layout",
    "register_widget",
    "widget_for",
]
