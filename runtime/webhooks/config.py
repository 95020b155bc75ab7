"""Webhook subscriptions as administrators configure them, and the target allowlist.

Validation returns problem codes (``WebhookInvalid.problems``: field → code) that the admin
page turns into localised messages, so this package stays free of web concerns.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from form_engine.conditions import ConditionProblem, check_condition
from form_engine.kinds import Kind
from runtime.db import read_transaction, write_transaction
from runtime.jobs._tables import utcnow
from runtime.webhooks._tables import ATTEMPT, DELIVERY, SETTING, WEBHOOK
from runtime.webhooks.targets import TargetRefused, check_target, parse_allowlist

EVENTS = ("created", "updated", "deleted", "restored")
DEFAULT_MAX_ATTEMPTS = 6
ALLOWLIST_KEY = "allowed_hosts"


@dataclass(frozen=True)
class UnknownOption:
    """A condition compares a select field with an option key the field does not have
    (``path`` points at the value, as condition problems' paths do)."""

    path: str
    field: str
    value: str


class WebhookInvalid(ValueError):
    """The submitted webhook has problems: ``problems`` maps field → code, ``details``
    field → extra text (e.g. the condition checker's localised messages), and
    ``condition_problems`` the condition's problems themselves (ConditionProblem or
    UnknownOption, each with its path), for a page that names the fields they concern."""

    def __init__(
        self,
        problems: dict[str, str],
        details: dict[str, list[str]] | None = None,
        condition_problems: list[ConditionProblem | UnknownOption] | None = None,
    ):
        super().__init__(", ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = problems
        self.details = details or {}
        self.condition_problems = condition_problems or []


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def allowlist(conn: sa.Connection) -> list[str]:
    value = conn.execute(sa.select(SETTING.c.value).where(SETTING.c.key == ALLOWLIST_KEY)).scalar()
    return parse_allowlist(value or "")


def save_allowlist(engine: sa.Engine, text: str) -> list[str]:
    """Store the allowlist (raises ValueError on a malformed network); returns the entries."""
    entries = parse_allowlist(text)
    with write_transaction(engine) as conn:
        conn.execute(SETTING.delete().where(SETTING.c.key == ALLOWLIST_KEY))
        conn.execute(SETTING.insert(), {"key": ALLOWLIST_KEY, "value": "\n".join(entries)})
    return entries


def check_webhook(
    values: Mapping[str, Any],
    tables: Mapping[str, Mapping[str, Kind]],
    allowed: list[str],
    locale: str,
    options: Mapping[str, Mapping[str, Collection[str]]] | None = None,
) -> dict[str, Any]:
    """The cleaned values of a webhook form; raises WebhookInvalid. ``tables`` maps each
    table key to its field kinds (for checking the condition); ``options`` (optional)
    maps a table's select fields to their option keys, which the condition must use."""
    problems: dict[str, str] = {}
    details: dict[str, list[str]] = {}
    condition_problems: list[ConditionProblem | UnknownOption] = []
    name = str(values.get("name") or "").strip()
    if not name or len(name) > 100:
        problems["name"] = "name"
    table = str(values.get("table_key") or "")
    if table not in tables:
        problems["table_key"] = "table"
    events = [e for e in EVENTS if e in (values.get("events") or ())]
    if not events:
        problems["events"] = "events"
    url = str(values.get("url") or "").strip()
    try:
        check_target(url, allowed)
    except TargetRefused as refused:
        problems["url"] = refused.code
    if len(url) > 2000:
        problems["url"] = "scheme"
    condition = values.get("condition")
    if condition is not None and table in tables:
        found: list[ConditionProblem | UnknownOption] = list(
            check_condition(condition, tables[table])
        )
        if not found and options and table in options:
            found = list(unknown_options(condition, options[table]))
        if found:
            problems["condition"] = "condition"
            details["condition"] = [_message(p, locale) for p in found]
            condition_problems = found
    try:
        max_attempts = int(values.get("max_attempts") or DEFAULT_MAX_ATTEMPTS)
    except (TypeError, ValueError):
        max_attempts = 0
    if not 1 <= max_attempts <= 20:
        problems["max_attempts"] = "max_attempts"
    if problems:
        raise WebhookInvalid(problems, details, condition_problems)
    return {
        "name": name,
        "table_key": table,
        "events": events,
        "url": url,
        "condition": condition,
        "active": bool(values.get("active")),
        "max_attempts": max_attempts,
    }


def unknown_options(
    condition: Any, options: Mapping[str, Collection[str]], path: str = ""
) -> Iterator[UnknownOption]:
    """Every literal option key of a (type-checked) condition that its select field does
    not have. Field references and ``$…`` values are left to the condition checker."""
    if not isinstance(condition, Mapping):
        return
    for group in ("all", "any"):
        if isinstance(condition.get(group), list):
            for index, child in enumerate(condition[group]):
                yield from unknown_options(child, options, f"{_join(path, group)}[{index}]")
    if "not" in condition:
        yield from unknown_options(condition["not"], options, _join(path, "not"))
    field = condition.get("field")
    if not isinstance(field, str) or field not in options or "value" not in condition:
        return
    value = condition["value"]
    listed = isinstance(value, list)
    for index, item in enumerate(value if listed else [value]):
        if isinstance(item, str) and not item.startswith("$") and item not in options[field]:
            at = f"{_join(path, 'value')}[{index}]" if listed else _join(path, "value")
            yield UnknownOption(at, field, item)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _message(problem: ConditionProblem | UnknownOption, locale: str) -> str:
    if isinstance(problem, UnknownOption):
        return f"{problem.field}: {problem.value!r} is not an option of this field"
    return str(problem.localized_message(locale))


def create_webhook(
    engine: sa.Engine, app_key: str, cleaned: Mapping[str, Any], *, user_id: int | None
) -> int:
    now = utcnow()
    with write_transaction(engine) as conn:
        return int(
            conn.execute(
                WEBHOOK.insert().returning(WEBHOOK.c.id),
                {
                    **cleaned,
                    "app_key": app_key,
                    "secret": new_secret(),
                    "created_at": now,
                    "created_by": user_id,
                    "updated_at": now,
                },
            ).scalar_one()
        )


def update_webhook(engine: sa.Engine, webhook_id: int, cleaned: Mapping[str, Any]) -> None:
    with write_transaction(engine) as conn:
        conn.execute(
            WEBHOOK.update()
            .where(WEBHOOK.c.id == webhook_id)
            .values(**cleaned, updated_at=utcnow())
        )


def rotate_secret(engine: sa.Engine, webhook_id: int) -> str:
    secret = new_secret()
    with write_transaction(engine) as conn:
        conn.execute(
            WEBHOOK.update()
            .where(WEBHOOK.c.id == webhook_id)
            .values(secret=secret, updated_at=utcnow())
        )
    return secret


def delete_webhook(engine: sa.Engine, webhook_id: int) -> None:
    """Remove the webhook with its deliveries and their log."""
    with write_transaction(engine) as conn:
        deliveries = sa.select(DELIVERY.c.id).where(DELIVERY.c.webhook_id == webhook_id)
        conn.execute(ATTEMPT.delete().where(ATTEMPT.c.delivery_id.in_(deliveries)))
        conn.execute(DELIVERY.delete().where(DELIVERY.c.webhook_id == webhook_id))
        conn.execute(WEBHOOK.delete().where(WEBHOOK.c.id == webhook_id))


def get_webhook(engine: sa.Engine, webhook_id: int, app_key: str) -> dict[str, Any] | None:
    with read_transaction(engine) as conn:
        row = (
            conn.execute(
                sa.select(WEBHOOK).where(WEBHOOK.c.id == webhook_id, WEBHOOK.c.app_key == app_key)
            )
            .mappings()
            .first()
        )
    return dict(row) if row else None


def list_webhooks(engine: sa.Engine, app_key: str) -> list[dict[str, Any]]:
    with read_transaction(engine) as conn:
        rows = conn.execute(
            sa.select(WEBHOOK).where(WEBHOOK.c.app_key == app_key).order_by(WEBHOOK.c.id)
        ).mappings()
        return [dict(r) for r in rows]
