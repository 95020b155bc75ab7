"""Database engines for SQLite (embedded default) and PostgreSQL (scale-out)."""

from __future__ import annotations

import json
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

WRITE_OPTION = "kairos_write"

_ENGINES: weakref.WeakSet[Engine] = weakref.WeakSet()
"""Every engine Kairos created, so a process (or a test) can close all pools on exit."""


def dispose_all() -> None:
    """Close the connection pools of every engine created through ``create_engine``."""
    for engine in list(_ENGINES):
        engine.dispose()


@contextmanager
def write_transaction(engine: Engine) -> Iterator[sa.Connection]:
    """One write transaction: committed when the block ends, rolled back on any error."""
    with engine.connect().execution_options(**{WRITE_OPTION: True}) as conn, conn.begin():
        yield conn


@contextmanager
def read_transaction(engine: Engine) -> Iterator[sa.Connection]:
    """A read-only unit of work (one consistent snapshot where the backend gives one)."""
    with engine.connect() as conn, conn.begin():
        yield conn


def dump_json(value: Any) -> str:
    """How JSON columns are written: UTF-8 text as is and no spaces. Audit entries and
    outbox events hold a whole record each; escaped as ``\\uXXXX``, a Chinese name takes
    twice the bytes (the audit entries of 100k imported customers: 49 MiB, not 39)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def create_engine(url: str, *, schema: str | None = None, **kwargs: Any) -> Engine:
    """Create an engine configured the way Kairos needs it on each backend.

    SQLite: foreign keys on, WAL journal so readers do not block the writer, and a busy
    timeout so concurrent writers wait instead of failing. PostgreSQL: optional ``schema``
    becomes the search path (tests isolate themselves in a schema each).
    """
    kwargs.setdefault("json_serializer", dump_json)
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, **kwargs)
        _ENGINES.add(engine)

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # pysqlite's own transaction handling defers BEGIN; we want SQLAlchemy to
            # issue it so SELECT ... then UPDATE in one transaction is really atomic.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            # 32 MiB of page cache per connection (SQLite's default is 2 MiB): an import
            # writes rows, audit entries, events and search terms into B-trees far larger
            # than that; bench/imports.py spent ~7 % less CPU with it.
            cur.execute("PRAGMA cache_size=-32768")
            cur.close()

        @sa.event.listens_for(engine, "begin")
        def _sqlite_begin(conn: sa.Connection) -> None:
            # Write transactions take the write lock up front (IMMEDIATE): two writers can
            # never both read a counter or row_version and then both write it. Reads stay
            # deferred so they never wait for the lock.
            if conn.get_execution_options().get(WRITE_OPTION):
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                conn.exec_driver_sql("BEGIN")

        return engine

    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    connect_args = dict(kwargs.pop("connect_args", {}))
    if schema:
        connect_args["options"] = f"-csearch_path={schema}"
    engine = sa.create_engine(url, connect_args=connect_args, **kwargs)
    _ENGINES.add(engine)
    return engine


def is_sqlite(engine: Engine | sa.Connection) -> bool:
    return engine.dialect.name == "sqlite"


def is_postgres(engine: Engine | sa.Connection) -> bool:
    return engine.dialect.name == "postgresql"
