"""Field types: one small class per type, registered by name.

``default_registry()`` is where the rest of Kairos finds them. It loads the built-ins and
every plugin through the same hook, the ``kairos.field_types`` entry-point group: each entry
point names a callable returning a list of ``FieldType`` subclasses. Duplicate names fail
(``DuplicateFieldType``) and the registry is closed once loaded.

Forms: widget and WTForms factories arrive with the UI issue, as a ``form_field()`` method
and a ``widget`` attribute on each field-type class (next to ``parse``/``validate``, which
those forms will call), so every type keeps its whole behaviour in its own module.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from importlib.metadata import EntryPoint, entry_points

from form_engine.fields import _builtin
from form_engine.fields.base import DuplicateFieldType, FieldType, FieldTypeRegistry, is_blank

ENTRY_POINT_GROUP = "kairos.field_types"
BUILTIN_ENTRY_POINT = "form_engine.fields._builtin:field_types"
"""Value of the built-in entry point; loaded directly, so skipped among entry points."""

__all__ = [
    "BUILTIN_ENTRY_POINT",
    "ENTRY_POINT_GROUP",
    "DuplicateFieldType",
    "FieldType",
    "FieldTypeRegistry",
    "default_registry",
    "is_blank",
    "load_field_types",
]


def load_field_types(
    registry: FieldTypeRegistry, plugins: Iterable[EntryPoint] | None = None
) -> None:
    """Register the built-ins, then the types of every ``kairos.field_types`` entry point
    (``plugins`` defaults to the installed ones)."""
    registry.register_all(_builtin.field_types())
    if plugins is None:
        plugins = entry_points(group=ENTRY_POINT_GROUP)
    for plugin in plugins:
        if plugin.value.replace(" ", "") == BUILTIN_ENTRY_POINT:
            continue
        types = plugin.load()()
        if not isinstance(types, list | tuple) or not all(
            isinstance(t, type) and issubclass(t, FieldType) for t in types
        ):
            raise TypeError(
                f"entry point {plugin.name!r} ({plugin.value}) in {ENTRY_POINT_GROUP} must "
                "return a list of FieldType subclasses"
            )
        registry.register_all(types)


@functools.cache
def default_registry() -> FieldTypeRegistry:
    """The registry of every installed field type, loaded once and then closed."""
    registry = FieldTypeRegistry()
    load_field_types(registry)
    registry.close()
    return registry
