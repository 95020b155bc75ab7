"""Duplicate detection and merge (docs/duplicates.md).

- ``runtime.dedupe.check``: the check the record service runs on every create and update
  (``block`` → error, ``warn`` → ``Draft.warnings``);
- ``runtime.dedupe.scan``: ``scan_duplicates`` over a whole table, also the ``dedupe.scan``
  background job;
- ``runtime.dedupe.merge``: ``merge`` 2–5 records into one and ``undo_merge``.

This package imports nothing at load time: the record service imports ``check`` while it
is itself being imported, and ``merge`` needs the finished service.
"""
