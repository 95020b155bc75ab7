"""Webhook fixtures: the sample app with the job and webhook tables, a local HTTP receiver
that answers with scripted statuses, and helpers that run the dispatcher like a worker."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import sqlalchemy as sa

from runtime.apps import open_app, user_id_by_name
from runtime.db import write_transaction
from runtime.jobs import dispatch_outbox, ensure_job_tables
from runtime.jobs._tables import OUTBOX, utcnow
from runtime.org import load_actor
from runtime.records import Actor, RecordService
from runtime.webhooks import create_webhook, deliver_due, ensure_webhook_tables
from tests.runtime.web import conftest as web_fixtures

# The web tests' fixtures (sample app, signed-in client, live server, browser page) are
# needed here too; re-export every one so this keeps working as they evolve.
globals().update(
    {
        name: value
        for name, value in vars(web_fixtures).items()
        if type(value).__name__ == "FixtureFunctionDefinition"
    }
)

APP = "opportunity"


class Receiver:
    """Records every request; answers with the next scripted status (200 once empty)."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.statuses: list[int] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    receiver.requests.append(
                        {"path": self.path, "headers": dict(self.headers), "body": body}
                    )
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                answer = json.dumps({"ok": status < 300, "收到": True}, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def documents(self) -> list[dict[str, Any]]:
        return [json.loads(r["body"]) for r in self.requests]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    found.thread.start()
    yield found
    found.server.shutdown()
    found.server.server_close()


@pytest.fixture
def hooks_engine(sample: str, engine: sa.Engine) -> sa.Engine:
    """The sample app with the webhook tables; the quickstart's events already handled."""
    ensure_job_tables(engine)
    ensure_webhook_tables(engine)
    with write_transaction(engine) as conn:
        conn.execute(OUTBOX.update().values(processed_at=utcnow()))
    return engine


@pytest.fixture
def service(hooks_engine: sa.Engine) -> RecordService:
    return open_app(hooks_engine, APP)


@pytest.fixture
def admin(hooks_engine: sa.Engine) -> Actor:
    with hooks_engine.connect() as conn:
        user = user_id_by_name(conn, "admin")
        assert user is not None
        return load_actor(conn, user, APP)


def make_webhook(engine: sa.Engine, url: str, **values: Any) -> int:
    cleaned = {
        "name": "ERP 同步",
        "table_key": "customer",
        "events": ["created", "updated", "deleted", "restored"],
        "url": url,
        "condition": None,
        "active": True,
        "max_attempts": 6,
        **values,
    }
    return create_webhook(engine, APP, cleaned, user_id=None)


def run_workers(engine: sa.Engine, now: datetime | None = None) -> int:
    """What a worker round does: fan out the due events, then send the due deliveries."""
    while dispatch_outbox(engine):
        pass
    return deliver_due(engine, now=now, limit=100)
