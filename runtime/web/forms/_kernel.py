"""The record kernel's private pieces the form needs, imported in this one place.

Live recompute runs a draft through the service's own ``prepare`` (parse, defaults,
lookups, child rollups, formulas) and loads an edited record's child rows with
``load_children``; the form factory and layout read the compiled ``TablePlan``. None of
these are part of ``runtime.records``' public API yet: a public
``RecordService.preview(actor, table, values, record_id=None)`` (and a public plan type)
should replace them, after which this module goes away.
"""

from __future__ import annotations

from runtime.records._children import load_children
from runtime.records._plan import TablePlan
from runtime.records._prepare import prepare

__all__ = ["TablePlan", "load_children", "prepare"]
