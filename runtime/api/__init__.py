"""The REST API (``/api/v1``) of the published app, over ``RecordService``.

``blueprint`` carries every route (importing this package registers them); tokens live in
``runtime.api.tokens``; query parameters are parsed by ``runtime.api.params``. See
docs/api.md and docs/dev/data-contracts.md ("REST API").
"""

from runtime.api import bulk, merge, meta, records
from runtime.api.blueprint import V1, blueprint

__all__ = ["V1", "blueprint", "bulk", "merge", "meta", "records"]
