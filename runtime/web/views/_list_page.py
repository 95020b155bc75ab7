"""What every list endpoint works out first (the columns the reader may see and the page
state), the links a page needs, and reading the requested page through the record service:
a stale cursor falls back to the first page, a refused filter is dropped, each with a
localised problem to show.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app, request, url_for

from runtime.records import PermissionDenied, QueryError
from runtime.web.context import actor, service, table_spec
from runtime.web.i18n import current_locale
from runtime.web.i18n import gettext as _
from runtime.web.views._list_display import Column, available_columns
from runtime.web.views._list_filters import query_problem
from runtime.web.views._list_state import ListState, parse_state


@dataclass(frozen=True)
class ListContext:
    """What every endpoint of the list works out first from the request."""

    table: str
    columns: dict[str, Column]
    state: ListState

    @property
    def shown(self) -> list[Column]:
        return [self.columns[k] for k in self.state.columns]

    def extra_fields(self) -> list[str]:
        """Fields a shown value needs besides its own (a money field's currency field)."""
        extra = []
        for column in self.shown:
            currency = column.spec.config.get("currency_field")
            if currency and currency in self.columns and currency not in self.state.columns:
                extra.append(currency)
        return extra

    def url(self, **args: str) -> str:
        return url_for("records.list_view", table=self.table, **args)


def list_context(table: str, args: Any = None) -> ListContext:
    table_spec(table)  # 404 when unknown or not readable
    columns = available_columns(service(), actor(), table, current_locale())
    sortable = {k for k, c in columns.items() if c.sortable}
    state = parse_state(
        request.args if args is None else args, table_spec(table), list(columns), sortable
    )
    return ListContext(table, columns, state)


def record_url(table: str, record_id: int) -> str | None:
    """The record's detail page, else its edit form, else nothing (while others build them)."""
    for endpoint, kwargs in (
        ("detail.show", {"table": table, "record_id": record_id}),
        ("forms.edit_record", {"table": table, "record_id": record_id}),
    ):
        if endpoint in current_app.view_functions:
            return url_for(endpoint, **kwargs)
    return None


def record_links(table: str) -> Callable[[int], str | None]:
    """``record_url`` for every row of a page, with the URL built once, not once per row."""
    marker = 987654321
    found = record_url(table, marker)
    if found is None:
        return lambda _record_id: None
    head, _marker, tail = found.rpartition(str(marker))
    return lambda record_id: f"{head}{record_id}{tail}"


def picker_search(table: str) -> Callable[[str], str | None]:
    """The forms area's relation-picker search URL of a field (while it exists)."""
    if "forms.search" not in current_app.view_functions:
        return lambda _key: None
    return lambda key: url_for("forms.search", table=table, field=key)


def _query(ctx: ListContext, where: Any, after: str | None) -> Any:
    return service().query(
        actor(),
        ctx.table,
        where=where,
        order_by=ctx.state.sort,
        fields=[c.key for c in ctx.shown if not c.system] + ctx.extra_fields(),
        limit=ctx.state.size,
        after=after,
        search=ctx.state.search or None,
        as_json=False,
    )


def first_page(ctx: ListContext, locale: str) -> tuple[Any, Any, list[str]]:
    """The requested page with the filter actually applied and the problems to show: a
    stale or garbled ``after`` cursor falls back to the first page, a filter the service
    refuses is dropped (each with its own localised message)."""
    problems = []
    where, after = ctx.state.filter, ctx.state.after or None
    if ctx.state.filter_invalid:
        problems.append(_("The filter is not valid and was not applied."))
    while True:
        try:
            return _query(ctx, where, after), where, problems
        except QueryError as error:
            if error.code == "invalid_cursor" and after is not None:
                problems.append(_("The page position is not valid; showing the first page."))
                after = None
                continue
            if where is None:
                raise
            problems.append(query_problem(error, where, ctx.columns, locale))
        except PermissionDenied as error:
            if where is None:
                raise
            problems.append(
                _("The filter could not be applied: %(reason)s", reason=error.message(locale))
            )
        where, after = None, None
