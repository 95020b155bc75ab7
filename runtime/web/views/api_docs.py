"""The OpenAPI document and interactive API docs; the blueprint lives in runtime.api.docs."""

from runtime.api.docs import blueprint

__all__ = ["blueprint"]
