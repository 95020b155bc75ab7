"""Errors of the record service. Each carries message codes, not sentences, so the UI and
the API render them in the reader's locale (zh-CN or en) from ``form_engine.messages``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from form_engine.messages import FieldError, render
from schemas.spec import DEFAULT_LOCALE, LOCALES, Label

ACTION_LABELS: Mapping[str, Label] = {
    "read": {"zh-CN": "查看", "en": "read"},
    "create": {"zh-CN": "新建", "en": "create"},
    "update": {"zh-CN": "修改", "en": "update"},
    "delete": {"zh-CN": "删除", "en": "delete"},
    "restore": {"zh-CN": "恢复", "en": "restore"},
    "import": {"zh-CN": "导入", "en": "import"},
    "export": {"zh-CN": "导出", "en": "export"},
    "share": {"zh-CN": "共享", "en": "share"},
}
USAGE_LABELS: Mapping[str, Label] = {
    "filter": {"zh-CN": "筛选", "en": "filter"},
    "sort": {"zh-CN": "排序", "en": "sort"},
    "group": {"zh-CN": "分组", "en": "group"},
    "aggregate": {"zh-CN": "统计", "en": "aggregate"},
    "search": {"zh-CN": "搜索", "en": "search"},
}


class RecordError(Exception):
    """Base of every record-service error; ``code`` and ``params`` render the message."""

    code = "invalid"

    def __init__(self, code: str | None = None, **params: Any) -> None:
        self.code = code or self.code
        self.params = params
        super().__init__(self.message("en"))

    def message(self, locale: str = DEFAULT_LOCALE) -> str:
        return render(self.code, self.params, locale)

    def as_dict(self, locale: str = DEFAULT_LOCALE) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message(locale),
            "messages": {loc: self.message(loc) for loc in LOCALES},
        }


class RecordNotFound(RecordError):
    """No such live record, or the actor may not see it (deliberately indistinguishable)."""

    code = "record_not_found"

    def __init__(self, table: Label, record_id: Any) -> None:
        super().__init__(table=table, id=record_id)


class PermissionDenied(RecordError):
    """The actor's roles do not allow the action, or a query uses a hidden field."""

    code = "permission_denied"

    @classmethod
    def action(cls, action: str, table: Label) -> PermissionDenied:
        return cls("permission_denied", action=ACTION_LABELS.get(action, action), table=table)

    @classmethod
    def field(cls, usage: str, label: Label) -> PermissionDenied:
        return cls("permission_denied_field", usage=USAGE_LABELS.get(usage, usage), label=label)


class RecordConflict(RecordError):
    """Someone else saved the record since the caller read it (optimistic concurrency)."""

    code = "record_conflict"

    def __init__(
        self,
        *,
        current_version: int,
        updated_by: int | None,
        updated_by_name: str | None,
        updated_at: datetime,
    ) -> None:
        self.current_version = current_version
        self.updated_by = updated_by
        self.updated_by_name = updated_by_name
        self.updated_at = updated_at
        who: Label | str = updated_by_name or {"zh-CN": "系统", "en": "the system"}
        super().__init__(
            current=current_version, user=who, at=updated_at.strftime("%Y-%m-%d %H:%M UTC")
        )

    def as_dict(self, locale: str = DEFAULT_LOCALE) -> dict[str, Any]:
        return {
            **super().as_dict(locale),
            "row_version": self.current_version,
            "updated_by": self.updated_by,
            "updated_by_name": self.updated_by_name,
            "updated_at": self.updated_at.isoformat(),
        }


class QueryError(RecordError):
    """A where/order/fields/cursor argument cannot be used (bad field, bad condition)."""

    code = "invalid_query"


class RecordValidationError(RecordError):
    """Every problem with the submitted values at once, per field."""

    code = "invalid"

    def __init__(self, errors: Iterable[FieldError]) -> None:
        self.errors = list(errors)
        RecordError.__init__(self, "invalid", label="record", detail=len(self.errors))

    def message(self, locale: str = DEFAULT_LOCALE) -> str:
        return "; ".join(e.message(locale) for e in self.errors)

    def by_field(self, locale: str = DEFAULT_LOCALE) -> dict[str | None, list[str]]:
        """``{field_key: [message, ...]}``; record-level problems sit under ``None``."""
        out: dict[str | None, list[str]] = {}
        for error in self.errors:
            out.setdefault(error.field, []).append(error.message(locale))
        return out

    def codes(self) -> dict[str | None, list[str]]:
        out: dict[str | None, list[str]] = {}
        for error in self.errors:
            out.setdefault(error.field, []).append(error.code)
        return out

    def as_dict(self, locale: str = DEFAULT_LOCALE) -> dict[str, Any]:
        return {
            "code": "validation",
            "message": self.message(locale),
            "errors": [e.as_dict(locale) for e in self.errors],
        }
