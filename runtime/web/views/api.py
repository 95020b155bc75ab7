"""Mounts the REST API (``runtime.api``, everything under ``/api/v1``) in the web app."""

from __future__ import annotations

from runtime.api import blueprint

__all__ = ["blueprint"]
