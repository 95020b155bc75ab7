"""Fixtures for definition tests: a small valid CRM app, in folder and single-file form."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from builder.model import validate_document

FIXTURES = Path(__file__).parent / "fixtures"
CRM_FOLDER = FIXTURES / "crm"
CRM_SINGLE = FIXTURES / "crm_single.json"

_CRM = json.loads(CRM_SINGLE.read_text("utf-8"))


@pytest.fixture
def crm() -> dict[str, Any]:
    """A fresh, valid single-file app document to break in a test."""
    return copy.deepcopy(_CRM)


def table(doc: dict[str, Any], key: str) -> dict[str, Any]:
    return next(t for t in doc["tables"] if t["key"] == key)


def field(doc: dict[str, Any], table_key: str, field_key: str) -> dict[str, Any]:
    return next(f for f in table(doc, table_key)["fields"] if f["key"] == field_key)


def problems(doc: dict[str, Any]) -> list[str]:
    """Every problem of ``doc`` as the English one-line text."""
    return [str(p) for p in validate_document(doc).problems]


@pytest.fixture
def check() -> Callable[[dict[str, Any]], list[str]]:
    return problems
