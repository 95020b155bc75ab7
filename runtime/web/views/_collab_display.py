"""Display values of records for the detail page, related lists, history and timeline.

A value is shown the way a person reads it: option labels with their colour, money as
``¥1,234.50``, a relation as the related record's title linking to its detail page, a user
by display name. Values the actor may only see masked arrive masked from the record
service and are shown as they are; hidden fields never arrive.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import current_app, url_for

from form_engine.messages import ParseError
from runtime import org
from runtime.db import read_transaction
from runtime.records import Actor, RecordService
from runtime.records.errors import PermissionDenied, QueryError
from runtime.web.i18n import gettext as _
from runtime.web.navigation import can_read
from schemas.spec import FieldSpec, TableSpec, localize

CURRENCY_SYMBOLS = {"CNY": "¥", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "HKD": "HK$"}
REFERENCE_TYPES = ("relation", "user", "created_by", "updated_by")


@dataclass(frozen=True)
class Shown:
    """One value as displayed: text, optional badge colour and optional link."""

    text: str | None
    color: str | None = None
    href: str | None = None
    multiline: bool = False
    files: tuple[tuple[str, str | None, bool], ...] = ()
    """Attachments, images, signatures: (name, download link, is an image) each."""


EMPTY = Shown(None)


def money_text(value: Any, currency: str | None = "CNY", precision: int = 2) -> str:
    """``¥1,234.50`` (the currency's symbol, else its code)."""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    code = currency or "CNY"
    symbol = CURRENCY_SYMBOLS.get(code, f"{code} ")
    return f"{symbol}{amount:,.{precision}f}"


class Displayer:
    """Turns JSON-form record values into ``Shown`` values for one actor and locale,
    fetching related titles and user names once per batch."""

    def __init__(self, service: RecordService, actor: Actor, locale: str) -> None:
        self.service = service
        self.actor = actor
        self.locale = locale
        self.app = service.tables.app
        self._titles: dict[tuple[str, int], str] = {}
        self._users: dict[int, str] = {}

    # --- batching --------------------------------------------------------------------
    def prepare(self, table: TableSpec, records: Iterable[Mapping[str, Any]]) -> None:
        """Fetch the titles and user names the given records refer to."""
        wanted: dict[str, set[int]] = {}
        users: set[int] = set()
        for record in records:
            users.update(record.get(k) for k in ("owner_id", "created_by", "updated_by"))
            for spec in table.fields:
                value = record.get(spec.key)
                if not isinstance(value, int) or isinstance(value, bool):
                    continue
                if spec.type == "relation":
                    wanted.setdefault(spec.config["target"], set()).add(value)
                elif spec.type in ("user", "created_by", "updated_by"):
                    users.add(value)
        self.load_users(users)
        for target, ids in wanted.items():
            self.load_titles(target, ids)

    def load_users(self, ids: Iterable[int | None]) -> None:
        missing = {i for i in ids if isinstance(i, int) and i not in self._users}
        if missing:
            with read_transaction(self.service.engine) as conn:
                self._users.update(org.display_names(conn, missing))

    def load_titles(self, table: str, ids: Iterable[int], depth: int = 1) -> None:
        missing = sorted({i for i in ids if (table, i) not in self._titles})
        if not missing or not self.app.has_table(table):
            return
        if not can_read(self.service, self.actor, table):
            return
        spec = self.app.table(table)
        title = spec.title_field
        fields = [title] if title else []
        try:
            rows = self.service.query(
                self.actor,
                table,
                where={"field": "id", "op": "in", "value": missing},
                fields=fields,
                limit=len(missing),
            ).rows
        except (PermissionDenied, QueryError):
            return
        if title and spec.field(title).type == "relation" and depth > 0:
            self.load_titles(
                spec.field(title).config["target"],
                [r[title] for r in rows if r.get(title)],
                depth - 1,
            )
        for row in rows:
            self._titles[(table, row["id"])] = self.title_of(spec, row)

    # --- single values ---------------------------------------------------------------
    def user_name(self, user_id: int | None) -> str | None:
        if user_id is None:
            return None
        self.load_users([user_id])
        return self._users.get(user_id, f"#{user_id}")

    def title_of(self, table: TableSpec, record: Mapping[str, Any]) -> str:
        """The record's title: its title field shown as text, else ``Table #id``."""
        key = table.title_field
        if key and record.get(key) not in (None, ""):
            shown = self.value(table, table.field(key), record)
            if shown.text:
                return shown.text
        return f"{localize(table.label, self.locale)} #{record.get('id')}"

    def record_link(self, table: str, record_id: int) -> Shown:
        title = self._titles.get((table, record_id))
        if title is None:  # outside the actor's scope (or gone): say so, never link
            return Shown(_("(not visible to you)"))
        return Shown(title, href=url_for("detail.show", table=table, record_id=record_id))

    def value(self, table: TableSpec, spec: FieldSpec, record: Mapping[str, Any]) -> Shown:
        """``spec``'s value in ``record`` (JSON form), as displayed."""
        return self.raw(table, spec, record.get(spec.key), record)

    def raw(
        self, table: TableSpec, spec: FieldSpec, value: Any, record: Mapping[str, Any]
    ) -> Shown:
        if value is None or value == "" or value == []:
            return EMPTY
        if isinstance(value, str) and "*" in value and spec.type not in ("text", "long_text"):
            return Shown(value)  # masked by the record service
        kind_spec = self._effective(table, spec)
        kind = kind_spec.type
        if spec.type == "relation":
            return self.record_link(spec.config["target"], int(value))
        if kind in ("user", "created_by", "updated_by") and isinstance(value, int):
            return Shown(self.user_name(value))
        if kind in ("single_select", "multi_select"):
            return self._options(kind_spec, value)
        if kind == "money":
            currency = kind_spec.config.get("currency")
            if spec.config.get("currency_field"):
                currency = record.get(spec.config["currency_field"]) or currency
            precision = int(kind_spec.config.get("precision", 2))
            return Shown(money_text(value, currency or self._app_currency(), precision))
        if kind == "percent":
            return Shown(f"{value}%")
        if kind == "checkbox":
            return Shown("✓" if value else "✗")
        if kind in ("attachment", "image", "signature") and isinstance(value, list | dict):
            return _files(self._export(kind_spec, value), value)
        if kind in ("long_text", "rich_text"):
            return Shown(self._export(kind_spec, value), multiline=True)
        return Shown(self._export(kind_spec, value))

    # --- helpers ---------------------------------------------------------------------
    def _options(self, spec: FieldSpec, value: Any) -> Shown:
        options = {o["key"]: o for o in spec.config.get("options", ())}
        keys = value if isinstance(value, list) else [value]
        found = [options.get(k) for k in keys]
        labels = [
            localize(o["label"], self.locale) if o else str(k)
            for o, k in zip(found, keys, strict=True)
        ]
        color = found[0].get("color") if len(found) == 1 and found[0] else None
        return Shown(
            "、".join(labels) if self.locale == "zh-CN" else ", ".join(labels), color or "secondary"
        )

    def _effective(self, table: TableSpec, spec: FieldSpec, depth: int = 3) -> FieldSpec:
        """The spec whose type decides the display: a lookup shows like the field it
        copies, a formula like its result type, a rollup like the field it sums."""
        config = spec.config
        if depth == 0:
            return spec
        if spec.type == "lookup" and table.has_field(config.get("relation", "")):
            target = self.app.table(table.field(config["relation"]).config["target"])
            if target.has_field(config.get("field", "")):
                return self._effective(target, target.field(config["field"]), depth - 1)
        if spec.type == "formula" and config.get("result_type"):
            return FieldSpec(spec.key, config["result_type"], spec.label, config=dict(config))
        if spec.type == "rollup" and config.get("aggregate") != "count" and config.get("field"):
            source = self._rollup_source(table, config)
            if source is not None and source.has_field(config["field"]):
                return self._effective(source, source.field(config["field"]), depth - 1)
        return spec

    def _rollup_source(self, table: TableSpec, config: Mapping[str, Any]) -> TableSpec | None:
        if config.get("child") and table.has_field(config["child"]):
            child = table.field(config["child"]).config.get("table")
            return self.app.table(child) if child and self.app.has_table(child) else None
        if config.get("table") and self.app.has_table(config["table"]):
            return self.app.table(config["table"])
        return None

    def _export(self, spec: FieldSpec, value: Any) -> str:
        try:
            field_type = _registry().get(spec.type)
            parsed = field_type.parse(value, spec) if isinstance(value, str) else value
            shown = field_type.export(parsed, spec, locale=self.locale)
        except (ParseError, ValueError, TypeError):  # never fail on an odd stored value
            shown = value
        return str(shown) if shown is not None else ""

    def _app_currency(self) -> str:
        return str(self.app.settings.get("currency", "CNY"))


def _registry() -> Any:
    from form_engine.fields import default_registry

    return default_registry()


def _files(text: str, value: list[Any] | dict[str, Any]) -> Shown:
    """File descriptors (``{"name", "file_id", "content_type"}``) as download links; the
    download route checks read access again, so a link never widens what one may see."""
    links = []
    for item in value if isinstance(value, list) else [value]:
        if not isinstance(item, dict):
            continue
        file_id = str(item.get("file_id") or "")
        href = (
            url_for("forms.file_content", file_id=int(file_id))
            if file_id.isdigit() and "forms.file_content" in current_app.view_functions
            else None
        )
        image = str(item.get("content_type") or "").startswith("image/")
        links.append((str(item.get("name") or file_id), href, image))
    return Shown(text, files=tuple(links))
