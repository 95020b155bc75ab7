"""What a form page shows: tabs → sections → columns of fields, from the table's ``form``
definition (docs/definitions.md "form"), or one section of every field when there is none.

Each field carries what its widget needs: label, help, widget, whether the user may edit
it (field access, ``readonly``, computed types), its conditions for the browser and its
kind. Hidden fields are left out; fields the layout forgets are appended to the last
section so nothing editable is lost.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from runtime.records import TablePlan
from runtime.web.forms.widgets import Widget, widget_for
from schemas.spec import FieldSpec

SYSTEM_HIDDEN = frozenset({"created_at", "created_by", "updated_at", "updated_by"})


@dataclass
class FormField:
    key: str
    type: str
    label: Any
    help: Any
    placeholder: Any
    widget: Widget
    editable: bool
    required: bool
    config: Mapping[str, Any]
    visible_when: Any = None
    required_when: Any = None
    readonly_when: Any = None
    shows: str = ""
    """The type the value is shown as: a formula's result type, a lookup's or rollup's
    source field type (so a looked-up stage type shows its label, a rollup of money its
    currency)."""
    choices: dict[str, Any] = field(default_factory=dict)
    """Option key → label for values shown from a single / multi select."""
    quick_create: bool = False
    """Whether a relation picker offers "+ New" (the user may create the target records,
    and the form is not itself a quick-create form: one level only)."""


@dataclass
class FormSection:
    key: str
    label: Any
    columns: int
    fields: list[FormField]
    visible_when: Any = None


@dataclass
class FormTab:
    key: str
    label: Any
    sections: list[FormSection] = field(default_factory=list)
    visible_when: Any = None


def form_fields(
    plan: TablePlan, access: Mapping[str, str], creating: bool, app: Any = None
) -> dict[str, FormField]:
    """Every field the user may see, in definition order, with its widget. ``app`` (the
    published app's plans) lets computed fields show their source field's format."""
    out: dict[str, FormField] = {}
    for key, fp in plan.fields.items():
        spec = fp.spec
        level = access.get(key, "edit")
        if level == "hidden" or spec.hidden:
            continue
        if creating and spec.type in SYSTEM_HIDDEN:
            continue
        editable = level == "edit" and not fp.computed and not spec.readonly
        out[key] = FormField(
            key=key,
            type=spec.type,
            label=spec.label,
            help=spec.help,
            placeholder=spec.placeholder,
            widget=widget_for(spec.type, editable=editable),
            editable=editable,
            required=spec.required and editable,
            config=spec.config,
            visible_when=spec.visible_when,
            required_when=spec.required_when if editable else None,
            readonly_when=spec.readonly_when if editable else None,
        )
        source = _shown_spec(app, plan, key) if app is not None else spec
        out[key].shows = source.type
        if source.type in ("single_select", "multi_select"):
            out[key].choices = {o["key"]: o.get("label") for o in source.config.get("options", [])}
    return out


def _shown_spec(app: Any, plan: TablePlan, key: str, depth: int = 0) -> FieldSpec:
    """The spec whose type and options show field ``key`` of ``plan``: the field itself,
    or for computed fields what they compute from (followed up to 5 steps)."""
    spec = plan.fields[key].spec
    config = spec.config
    try:
        if depth > 5:
            return spec
        if spec.type == "formula":
            return replace(spec, type=str(config.get("result_type") or "number"))
        if spec.type == "lookup":
            target = app[plan.fields[config["relation"]].spec.config["target"]]
            return _shown_spec(app, target, config["field"], depth + 1)
        if spec.type == "rollup":
            if config.get("aggregate") == "count" or not config.get("field"):
                return replace(spec, type="number", config={})
            source = app[plan.children[config["child"]]] if config.get("child") else None
            source = source or app[config["table"]]
            return _shown_spec(app, source, config["field"], depth + 1)
    except KeyError:
        return spec
    return spec


def form_layout(plan: TablePlan, fields: dict[str, FormField]) -> list[FormTab]:
    """Tabs of sections for ``fields`` following the table's ``form`` definition."""
    definition = plan.spec.form or {}
    placed: set[str] = set()
    tabs: list[FormTab] = []
    for tab_doc in definition.get("tabs") or []:
        tab = FormTab(
            tab_doc.get("key", f"tab{len(tabs)}"),
            tab_doc.get("label"),
            visible_when=tab_doc.get("visible_when"),
        )
        for section_doc in tab_doc.get("sections") or []:
            members = [fields[k] for k in section_doc.get("fields", []) if k in fields]
            placed.update(f.key for f in members)
            if members:
                tab.sections.append(
                    FormSection(
                        section_doc.get("key", f"s{len(tab.sections)}"),
                        section_doc.get("label"),
                        int(section_doc.get("columns") or 1),
                        members,
                        section_doc.get("visible_when"),
                    )
                )
        if tab.sections:
            tabs.append(tab)
    rest = [f for k, f in fields.items() if k not in placed]
    if rest:
        if not tabs:
            tabs.append(FormTab("main", plan.spec.label))
        columns = 1 if any(f.type == "child_table" for f in rest) else 2
        tabs[-1].sections.append(FormSection("other", None, columns, rest))
    return tabs
