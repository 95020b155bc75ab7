"""The state of one list page, kept in the query string so every view is a link.

Parameters: ``cols`` (field keys, comma-separated, in order), ``sort`` (``key`` or
``-key`` for descending, comma-separated), ``q`` (quick search), ``filter`` (a condition
of the condition language, as JSON), ``size`` (page size), ``after`` (the keyset cursor of
this page), ``prev`` (the cursors of the pages before, ``.``-separated, so "previous" is a
link too; the first page's cursor is empty) and ``view`` (the saved view this state started
from, kept while the state is changed so the page can say the view was changed). ``use``
applies a saved view: the list redirects to the view's parameters.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from schemas.spec import TableSpec

PAGE_SIZES = (20, 50, 100, 200)
DEFAULT_PAGE_SIZE = 50
DEFAULT_COLUMNS = 7
"""The title field plus the first six visible fields."""
SAVED_KEYS = ("cols", "sort", "q", "filter", "size")
"""The parameters a saved view keeps (not the page it was on)."""
SYSTEM_COLUMNS = ("owner_id", "created_by", "created_at", "updated_by", "updated_at")
"""System columns people may show, sort and filter by."""
NOT_DEFAULT_TYPES = frozenset(
    {"long_text", "rich_text", "child_table", "json", "attachment", "image", "signature"}
)
"""Types left out of the default columns (too wide for a table cell)."""


@dataclass(frozen=True)
class ListState:
    columns: tuple[str, ...]
    sort: tuple[tuple[str, str], ...]
    search: str = ""
    filter: Mapping[str, Any] | None = None
    filter_text: str = ""
    filter_invalid: bool = False
    size: int = DEFAULT_PAGE_SIZE
    after: str = ""
    trail: tuple[str, ...] = ()
    view: int | None = None
    explicit: frozenset[str] = field(default_factory=frozenset)
    """The state parameters the request gave (the rest are defaults)."""

    @property
    def page_number(self) -> int:
        return len(self.trail) + 1

    def args(self, **changes: Any) -> dict[str, str]:
        """Query-string parameters of this state (defaults left out), with ``changes``
        applied; changing what is shown starts again on the first page."""
        state = replace(self, **changes) if changes else self
        if changes.keys() - {"after", "trail"}:
            state = replace(state, after="", trail=())
        out: dict[str, str] = {}
        if "cols" in state.explicit or "columns" in changes:
            out["cols"] = ",".join(state.columns)
        if "sort" in state.explicit or "sort" in changes:
            out["sort"] = sort_text(state.sort)
        if state.search:
            out["q"] = state.search
        if state.filter_text:
            out["filter"] = state.filter_text
        if state.size != DEFAULT_PAGE_SIZE:
            out["size"] = str(state.size)
        if state.after:
            out["after"] = state.after
        if state.trail:
            out["prev"] = ".".join(state.trail)
        if state.view is not None:
            out["view"] = str(state.view)
        return out

    def saved_spec(self) -> dict[str, str]:
        """What a saved view keeps of this state."""
        args = self.args(after="", trail=())
        return {k: v for k, v in args.items() if k in SAVED_KEYS}

    def next_args(self, cursor: str) -> dict[str, str]:
        return self.args(after=cursor, trail=(*self.trail, self.after))

    def previous_args(self) -> dict[str, str] | None:
        if not self.trail:
            return None
        return self.args(after=self.trail[-1], trail=self.trail[:-1])

    def sort_args(self, key: str) -> dict[str, str]:
        """Clicking a header: ascending, then descending, then ascending again."""
        current = dict(self.sort)
        direction = "desc" if current.get(key) == "asc" and self.sort[0][0] == key else "asc"
        return self.args(sort=((key, direction),))

    def sorted_by(self, key: str) -> str | None:
        return self.sort[0][1] if self.sort and self.sort[0][0] == key else None


def sort_text(sort: tuple[tuple[str, str], ...]) -> str:
    return ",".join(("-" if d == "desc" else "") + k for k, d in sort)


def parse_sort(text: str, sortable: set[str]) -> tuple[tuple[str, str], ...]:
    out = []
    for part in text.split(","):
        part = part.strip()
        key = part.lstrip("-")
        if key in sortable and key not in dict(out):
            out.append((key, "desc" if part.startswith("-") else "asc"))
    return tuple(out)


def default_columns(spec: TableSpec, available: list[str]) -> tuple[str, ...]:
    """The title field first, then the first visible fields that fit a cell. Lookups
    repeat what their relation already shows, so they come only when nothing else does."""
    fields = {f.key: f for f in spec.fields}
    chosen = [spec.title_field] if spec.title_field in available else []
    candidates = [k for k in available if k in fields and fields[k].type not in NOT_DEFAULT_TYPES]
    ranked = [k for k in candidates if fields[k].type != "lookup"] + [
        k for k in candidates if fields[k].type == "lookup"
    ]
    for key in ranked:
        if len(chosen) >= DEFAULT_COLUMNS:
            break
        if key not in chosen:
            chosen.append(key)
    return tuple(chosen)


def parse_state(
    args: Mapping[str, str],
    spec: TableSpec,
    available: list[str],
    sortable: set[str],
) -> ListState:
    """The list state from the query string; unknown or forbidden keys are dropped, so a
    shared link never shows a field the reader may not see."""
    explicit = frozenset(k for k in ("cols", "sort") if args.get(k))
    columns: tuple[str, ...] = ()
    if args.get("cols"):
        wanted = [c.strip() for c in args["cols"].split(",")]
        columns = tuple(dict.fromkeys(c for c in wanted if c in available))
    if not columns:
        columns = default_columns(spec, available)
        explicit -= {"cols"}
    sort = parse_sort(args.get("sort", ""), sortable)
    if not sort:
        sort = tuple((k, d) for k, d in spec.default_sort if k in sortable) or (
            ("updated_at", "desc"),
        )
        explicit -= {"sort"}
    filter_text = (args.get("filter") or "").strip()
    condition, invalid = None, False
    if filter_text:
        try:
            condition = json.loads(filter_text)
        except ValueError:
            invalid = True
        if not isinstance(condition, dict) or not condition:
            condition, invalid = None, True
    try:
        size = int(args.get("size", DEFAULT_PAGE_SIZE))
    except ValueError:
        size = DEFAULT_PAGE_SIZE
    if size not in PAGE_SIZES:
        size = DEFAULT_PAGE_SIZE
    trail = tuple(args.get("prev", "").split(".")) if args.get("prev") is not None else ()
    try:
        view = int(args["view"]) if args.get("view") else None
    except ValueError:
        view = None
    return ListState(
        columns=columns,
        sort=sort,
        search=(args.get("q") or "").strip()[:200],
        filter=condition,
        filter_text=filter_text if not invalid else "",
        filter_invalid=invalid,
        size=size,
        after=args.get("after", ""),
        trail=trail,
        view=view,
        explicit=explicit,
    )
