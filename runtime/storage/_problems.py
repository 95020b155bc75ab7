"""Why a migration was refused: the rows (or tables) that stand in the way.

A refused publish changes nothing. The analyst gets every offending row — up to a cap, plus
the total — with the field, the stored value and a localised reason, so the data can be
fixed (or the definition changed) before publishing again.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from form_engine.messages import FieldError
from schemas.spec import DEFAULT_LOCALE

PROBLEM_CAP = 50
"""Rows listed in a refusal; the total count is always reported."""

_HEADLINE = {
    "zh-CN": "发布被拒绝：{count} 处数据无法迁移，数据库未作任何修改",
    "en": "Publishing refused: {count} problem(s) prevent the migration; nothing was changed",
}
_ROW = {
    "zh-CN": "表“{table}” 记录 {record} 字段“{field}”（值 {value!r}）：{reason}",
    "en": 'table "{table}" record {record} field "{field}" (value {value!r}): {reason}',
}
_MORE = {"zh-CN": "……另有 {count} 处未列出", "en": "… and {count} more not listed"}


class RowProblem(NamedTuple):
    """One stored value the new definition cannot take (``record_id`` None: the whole
    table or column is the problem)."""

    table: str
    record_id: int | None
    field: str | None
    value: Any
    error: FieldError

    def reason(self, locale: str = DEFAULT_LOCALE) -> str:
        return self.error.message(locale)

    def describe(self, locale: str = DEFAULT_LOCALE) -> str:
        template = _ROW.get(locale, _ROW["en"])
        return template.format(
            table=self.table,
            record=self.record_id if self.record_id is not None else "—",
            field=self.field or "—",
            value=self.value,
            reason=self.reason(locale),
        )


class ProblemList:
    """Collects problems, keeping the first ``cap`` and counting all of them."""

    def __init__(self, cap: int = PROBLEM_CAP) -> None:
        self.cap = cap
        self.kept: list[RowProblem] = []
        self.total = 0

    def add(self, problem: RowProblem) -> None:
        self.total += 1
        if len(self.kept) < self.cap:
            self.kept.append(problem)

    def raise_if_any(self) -> None:
        if self.total:
            raise MigrationRefused(self.kept, self.total)


class MigrationRefused(Exception):
    """The definition cannot be published over the current data; nothing was changed."""

    def __init__(self, problems: list[RowProblem], total: int | None = None) -> None:
        self.problems = list(problems)
        self.total = len(self.problems) if total is None else total
        super().__init__(self.message("en"))

    def message(self, locale: str = DEFAULT_LOCALE) -> str:
        lines = [_HEADLINE.get(locale, _HEADLINE["en"]).format(count=self.total)]
        lines += [f"- {p.describe(locale)}" for p in self.problems]
        if self.total > len(self.problems):
            more = _MORE.get(locale, _MORE["en"])
            lines.append(more.format(count=self.total - len(self.problems)))
        return "\n".join(lines)
