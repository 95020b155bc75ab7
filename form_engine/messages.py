"""User-facing messages of the form engine, in every supported locale.

Errors carry a message *code* and parameters, never a finished sentence, so the same error
renders in zh-CN for one user and en for another. ``CATALOG`` holds the field and record
messages; :class:`MessageCatalog` is the one renderer every other catalog (formulas,
conditions, field configs, app definitions) goes through, and :class:`CatalogMessage` the
one shape of a coded problem.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self

from schemas.spec import DEFAULT_LOCALE, LOCALES

CATALOG: dict[str, dict[str, str]] = {
    "required": {"zh-CN": "{label}为必填项", "en": "{label} is required"},
    "unique": {
        "zh-CN": "{label}“{value}”已存在，不能重复",
        "en": '{label} "{value}" already exists; it must be unique',
    },
    "unique_together": {
        "zh-CN": "{labels} 的组合已存在，不能重复",
        "en": "The combination of {labels} already exists; it must be unique",
    },
    "invalid": {"zh-CN": "{label}的值无效：{detail}", "en": "{label} is invalid: {detail}"},
    "not_a_number": {
        "zh-CN": "{label}应为数字，收到“{value}”",
        "en": '{label} must be a number, got "{value}"',
    },
    "not_an_integer": {
        "zh-CN": "{label}应为整数，收到“{value}”",
        "en": '{label} must be a whole number, got "{value}"',
    },
    "not_a_date": {
        "zh-CN": "{label}应为日期（如 2026-03-01），收到“{value}”",
        "en": '{label} must be a date such as 2026-03-01, got "{value}"',
    },
    "not_a_datetime": {
        "zh-CN": "{label}应为日期时间（如 2026-03-01 14:30），收到“{value}”",
        "en": '{label} must be a date and time such as 2026-03-01 14:30, got "{value}"',
    },
    "not_a_time": {
        "zh-CN": "{label}应为时间（如 14:30），收到“{value}”",
        "en": '{label} must be a time such as 14:30, got "{value}"',
    },
    "not_a_duration": {
        "zh-CN": "{label}应为时长（如 1:30 或 90 分钟），收到“{value}”",
        "en": '{label} must be a duration such as 1:30 or 90 minutes, got "{value}"',
    },
    "not_a_boolean": {
        "zh-CN": "{label}应为是/否，收到“{value}”",
        "en": '{label} must be yes or no, got "{value}"',
    },
    "min_value": {"zh-CN": "{label}不能小于 {min}", "en": "{label} must be at least {min}"},
    "max_value": {"zh-CN": "{label}不能大于 {max}", "en": "{label} must be at most {max}"},
    "min_length": {
        "zh-CN": "{label}至少需要 {min} 个字符",
        "en": "{label} must have at least {min} characters",
    },
    "max_length": {
        "zh-CN": "{label}最多 {max} 个字符",
        "en": "{label} must have at most {max} characters",
    },
    "pattern": {
        "zh-CN": "{label}格式不正确：{hint}",
        "en": "{label} has the wrong format: {hint}",
    },
    "precision": {
        "zh-CN": "{label}最多保留 {precision} 位小数",
        "en": "{label} allows at most {precision} decimal places",
    },
    "not_an_option": {
        "zh-CN": "{label}的选项“{value}”不存在，可选：{allowed}",
        "en": '{label} has no option "{value}"; allowed: {allowed}',
    },
    "too_many_options": {
        "zh-CN": "{label}最多可选 {max} 项",
        "en": "{label} allows at most {max} choices",
    },
    "not_an_email": {
        "zh-CN": "{label}不是有效的邮箱地址：“{value}”",
        "en": '{label} is not a valid email address: "{value}"',
    },
    "not_a_phone": {
        "zh-CN": "{label}不是有效的电话号码：“{value}”",
        "en": '{label} is not a valid phone number: "{value}"',
    },
    "not_a_url": {
        "zh-CN": "{label}不是有效的网址（需以 http:// 或 https:// 开头）：“{value}”",
        "en": '{label} is not a valid URL (must start with http:// or https://): "{value}"',
    },
    "not_found_reference": {
        "zh-CN": "{label}引用的记录（{value}）不存在或已删除",
        "en": "{label} refers to a record ({value}) that does not exist or was deleted",
    },
    "read_only": {
        "zh-CN": "{label}是只读字段，不能修改",
        "en": "{label} is read-only and cannot be changed",
    },
    "computed": {
        "zh-CN": "{label}由系统计算，不能手工填写",
        "en": "{label} is computed by the system and cannot be set",
    },
    "unknown_field": {
        "zh-CN": "表“{table}”没有字段“{value}”",
        "en": 'Table "{table}" has no field "{value}"',
    },
    "no_permission_field": {
        "zh-CN": "你没有修改{label}的权限",
        "en": "You are not allowed to change {label}",
    },
    "rule": {"zh-CN": "{message}", "en": "{message}"},
    "not_a_list": {
        "zh-CN": "{label}应为列表，收到“{value}”",
        "en": '{label} must be a list, got "{value}"',
    },
    "not_an_object": {
        "zh-CN": "{label}格式不正确：{detail}",
        "en": "{label} has the wrong shape: {detail}",
    },
    "rating_range": {
        "zh-CN": "{label}应为 0 到 {max} 之间的整数",
        "en": "{label} must be a whole number from 0 to {max}",
    },
    "file_too_large": {
        "zh-CN": "{label}的文件“{name}”超过 {max_mb} MB 上限",
        "en": '{label}: file "{name}" is larger than the {max_mb} MB limit',
    },
    "file_type": {
        "zh-CN": "{label}不接受“{name}”的文件类型，允许：{allowed}",
        "en": '{label} does not accept the type of "{name}"; allowed: {allowed}',
    },
    "too_many_files": {
        "zh-CN": "{label}最多 {max} 个文件",
        "en": "{label} allows at most {max} files",
    },
    "child_row": {
        "zh-CN": "{label}第 {row} 行：{detail}",
        "en": "{label} row {row}: {detail}",
    },
    "formula_invalid": {
        "zh-CN": "{label}的公式有误：{detail}",
        "en": "The formula of {label} is invalid: {detail}",
    },
    # --- field types (form_engine.fields) ---
    "not_a_reference": {
        "zh-CN": "{label}应为记录编号（正整数），收到“{value}”",
        "en": '{label} must be a record id (a positive whole number), got "{value}"',
    },
    "unsafe_html": {
        "zh-CN": "{label}包含不允许的 HTML 内容",
        "en": "{label} contains HTML that is not allowed",
    },
    "not_json": {
        "zh-CN": "{label}应为有效的 JSON：{detail}",
        "en": "{label} must be valid JSON: {detail}",
    },
    "json_schema": {
        "zh-CN": "{label}不符合要求的结构（{path}）：{detail}",
        "en": "{label} does not match the required structure ({path}): {detail}",
    },
    "location_range": {
        "zh-CN": "{label}的坐标超出范围：纬度应在 -90 到 90 之间，经度应在 -180 到 180 之间",
        "en": "{label} is out of range: latitude must be -90 to 90, longitude -180 to 180",
    },
    "not_a_location": {
        "zh-CN": "{label}应为坐标（如 22.54,113.95），收到“{value}”",
        "en": '{label} must be coordinates such as 22.54,113.95, got "{value}"',
    },
    "address_incomplete": {
        "zh-CN": "{label}需要填写{part}",
        "en": "{label} needs the {part}",
    },
    "not_a_signature": {
        "zh-CN": "{label}应为 PNG 格式的签名图片",
        "en": "{label} must be a PNG signature image",
    },
    "signature_too_large": {
        "zh-CN": "{label}的签名图片超过 {max_kb} KB 上限",
        "en": "{label}: the signature image is larger than the {max_kb} KB limit",
    },
    "not_a_file": {
        "zh-CN": "{label}的第 {index} 个文件格式不正确：{detail}",
        "en": "{label}: file {index} has the wrong shape: {detail}",
    },
    "number_too_large": {
        "zh-CN": "{label}的数值过大（绝对值须小于 {limit}）",
        "en": "{label} is too large (its absolute value must be below {limit})",
    },
    # --- record service (runtime.records) ---
    "record_not_found": {
        "zh-CN": "{table}中没有编号为 {id} 的记录（可能已删除，或你无权查看）",
        "en": "{table} has no record {id} (it may have been deleted, or you may not see it)",
    },
    "permission_denied": {
        "zh-CN": "你没有{action}{table}的权限",
        "en": "You are not allowed to {action} {table}",
    },
    "permission_denied_field": {
        "zh-CN": "你没有按{label}{usage}的权限",
        "en": "You are not allowed to {usage} by {label}",
    },
    "record_conflict": {
        "zh-CN": "该记录已被{user}于 {at} 修改（版本 {current}），请刷新后重试",
        "en": "This record was changed by {user} at {at} (version {current}); reload and try again",
    },
    "invalid_query": {
        "zh-CN": "查询条件无效：{detail}",
        "en": "The query is invalid: {detail}",
    },
    "invalid_cursor": {
        "zh-CN": "分页位置无效或已过期，请从第一页重新开始",
        "en": "The page cursor is invalid or stale; start again from the first page",
    },
    "preserve_ids_admin_only": {
        "zh-CN": "只有管理员或系统可以指定记录编号",
        "en": "Only administrators or the system may set record ids",
    },
    "upsert_key_missing": {
        "zh-CN": "按{labels}更新或新建时，必须提供这些字段的值",
        "en": "Updating or creating by {labels} needs a value for each of them",
    },
    "duplicate_id": {
        "zh-CN": "编号为 {value} 的记录已存在",
        "en": "A record with id {value} already exists",
    },
    "still_referenced": {
        "zh-CN": "{table}中仍有 {count} 条记录引用此记录，不能删除",
        "en": "{count} record(s) of {table} still refer to this record; it cannot be deleted",
    },
    "not_deleted": {
        "zh-CN": "该记录不在回收站中",
        "en": "This record is not in the recycle bin",
    },
    "child_row_not_found": {
        "zh-CN": "{label}中没有编号为 {value} 的行",
        "en": "{label} has no row {value}",
    },
    # --- schema migrations (runtime.storage.migrate) ---
    "migration_column_required": {
        "zh-CN": "不能给已有数据的表新增必填的系统列 {column}",
        "en": "The required system column {column} cannot be added to an existing table",
    },
    "migration_rename_cycle": {
        "zh-CN": "改名互相交换（{renames}），请分两次发布",
        "en": "The renames swap names ({renames}); publish them in two steps",
    },
    "migration_foreign_key": {
        "zh-CN": "引用了{table}中不存在的记录",
        "en": "Refers to a record of {table} that does not exist",
    },
    "migration_many_choices": {
        "zh-CN": "{label}选了 {count} 个选项，改为单选后只能保留一个，请先修改这条记录",
        "en": "{label} has {count} choices; a single-choice field keeps one, so edit this "
        "record first",
    },
    # --- record service: hostile input and delete cascades (runtime.records) ---
    "still_referenced_hidden": {
        "zh-CN": "仍有其他记录引用此记录，不能删除",
        "en": "Other records still refer to this record; it cannot be deleted",
    },
    "result_too_large": {
        "zh-CN": "{label}的计算结果过大（绝对值须小于 {limit}），请检查参与计算的数值",
        "en": "The result of {label} is too large (its absolute value must be below {limit}); "
        "check the values it is computed from",
    },
    "text_nul": {
        "zh-CN": "{label}不能包含空字符（\\0）",
        "en": "{label} must not contain a NUL character (\\0)",
    },
    "not_a_record": {
        "zh-CN": "记录必须是“字段 → 值”的对象，收到 {value}",
        "en": "A record must be an object of field → value, got {value}",
    },
    "not_a_record_list": {
        "zh-CN": "批量新建需要记录列表，收到 {value}",
        "en": "Creating records in bulk needs a list of records, got {value}",
    },
    "not_a_row_version": {
        "zh-CN": "版本号应为整数，收到“{value}”",
        "en": 'The row version must be a whole number, got "{value}"',
    },
    # --- duplicate detection and merge (docs/duplicates.md) ---------------------------
    "duplicate_blocked": {
        "zh-CN": "{rule}：已存在重复的{table}：{records}",
        "en": "{rule}: this {table} already exists: {records}",
    },
    "duplicate_blocked_hidden": {
        "zh-CN": "{rule}：已存在重复的{table}，但你无权查看该记录",
        "en": "{rule}: this {table} already exists, in a record you cannot see",
    },
    "duplicate_warning": {
        "zh-CN": "{rule}：可能与已有{table}重复：{records}",
        "en": "{rule}: possibly a duplicate of {records}",
    },
    "duplicate_warning_hidden": {
        "zh-CN": "{rule}：存在 {count} 条你无权查看的疑似重复{table}",
        "en": "{rule}: {count} possible duplicate(s) exist that you cannot see",
    },
    "duplicate_record": {"zh-CN": "“{title}”（#{id}）", "en": '"{title}" (#{id})'},
    "duplicate_record_in_batch": {
        "zh-CN": "“{title}”（同批较早的一行）",
        "en": '"{title}" (an earlier row of the same batch)',
    },
    "merge_count": {
        "zh-CN": "合并需要 2 到 5 条不同的记录，收到 {count} 条",
        "en": "A merge needs 2 to 5 different records, got {count}",
    },
    "merge_choice_invalid": {
        "zh-CN": "{label}的取值只能来自参与合并的记录，收到 #{value}",
        "en": "{label} can only take its value from one of the merged records, got #{value}",
    },
    "merge_field_invalid": {
        "zh-CN": "字段“{value}”不能在合并时选择",
        "en": 'Field "{value}" cannot be chosen in a merge',
    },
    "merge_not_found": {
        "zh-CN": "合并记录 #{id} 不存在",
        "en": "Merge #{id} does not exist",
    },
    "merge_already_undone": {
        "zh-CN": "合并 #{id} 已经撤销过了",
        "en": "Merge #{id} has already been undone",
    },
    "merge_changed_since": {
        "zh-CN": "无法撤销合并：{table} #{record} 在合并之后又被修改过（或已删除）",
        "en": "Cannot undo the merge: {table} #{record} was changed (or deleted) after the merge",
    },
    "merge_undo_forbidden": {
        "zh-CN": "只有执行合并的人或管理员可以撤销这次合并",
        "en": "Only the person who merged, or an administrator, can undo this merge",
    },
}


@dataclass(frozen=True, eq=False)
class MessageCatalog:
    """One domain's message templates (code → locale → template), rendered the one way.

    Domains keep their own catalogs — field values (``CATALOG`` here), formulas, conditions,
    field configs, app definitions — because their message sets differ. Choosing the
    locale, localising label-like parameters (``{"zh-CN": …, "en": …}``), formatting and
    tolerating a missing parameter are the same for all of them and live only here.
    """

    templates: Mapping[str, Mapping[str, str]]
    default_locale: str = DEFAULT_LOCALE
    """Used when no locale or an unsupported one is asked, and for a parameter that lacks
    the wanted locale."""
    finish: Callable[[str, str], str] | None = None
    """Applied to every rendered text with its locale (e.g. tidying zh-CN spacing)."""

    def __contains__(self, code: object) -> bool:
        return code in self.templates

    def render(self, code: str, params: Mapping[str, Any], locale: str | None = None) -> str:
        """Message ``code`` in ``locale``; a KeyError when the catalog has no ``code``.

        A template whose parameter is missing is returned unfilled rather than raising, so
        a wording slip never turns a user's error into a crash.
        """
        texts = self.templates[code]
        locale = locale or self.default_locale
        template = texts.get(locale) or texts[self.default_locale]
        values = {key: self._localized(value, locale) for key, value in params.items()}
        try:
            text = template.format(**values)
        except (KeyError, IndexError):
            text = template
        return self.finish(text, locale) if self.finish else text

    def texts(self, code: str, params: Mapping[str, Any]) -> dict[str, str]:
        """The message of ``code`` in every supported locale."""
        return {locale: self.render(code, params, locale) for locale in LOCALES}

    def localized(self, code: str, **params: Any) -> dict[str, str]:
        """A nested message (hint, side, …) to pass as a parameter of another message."""
        return self.texts(code, params)

    def _localized(self, value: Any, locale: str) -> Any:
        # An empty text counts as missing: a label left blank in one locale shows another.
        if isinstance(value, Mapping) and any(known in value for known in LOCALES):
            return value.get(locale) or value.get(self.default_locale) or next(iter(value.values()))
        return value


class CatalogMessage:
    """A problem worded by ``code`` and ``params`` from the class's ``catalog``.

    Field errors, formula, condition and field-config problems and definition problems all
    render and list their locales through this one class.
    """

    catalog: ClassVar[MessageCatalog]
    code: str
    params: Mapping[str, Any]

    def localized_message(self, locale: str | None = None) -> str:
        """The message in ``locale`` (the catalog's default locale when None or unsupported).

        A problem whose code the catalog lacks (one built from plain text) shows
        :meth:`plain_message` in every locale.
        """
        if self.code not in self.catalog:
            return self.plain_message()
        return self.catalog.render(self.code, self.params, locale)

    def plain_message(self) -> str:
        """The text of a problem whose code the catalog does not know."""
        return str(self)

    @property
    def messages(self) -> dict[str, str]:
        """The message in every supported locale (zh-CN and en)."""
        return {locale: self.localized_message(locale) for locale in LOCALES}


class CatalogText(CatalogMessage, str):
    """A coded problem that *is* its text in the catalog's default locale.

    Being a ``str`` keeps callers that treat problems as plain text working (formula and
    field-config problems were English strings before they had codes); ``message(locale)``
    and ``messages`` give every locale.
    """

    def __new__(cls, code: str, params: Mapping[str, Any]) -> Self:
        self = super().__new__(cls, cls.catalog.render(code, params))
        self.code = code
        self.params = dict(params)
        return self

    def __reduce__(self) -> tuple[Any, ...]:  # copy and pickle rebuild from the code
        return (_rebuild_text, (type(self), self.code, self.params))

    def message(self, locale: str | None = None) -> str:
        return self.localized_message(locale)


def _rebuild_text(cls: type[CatalogText], code: str, params: Mapping[str, Any]) -> CatalogText:
    return CatalogText.__new__(cls, code, params)


FIELD_MESSAGES = MessageCatalog(CATALOG)
"""The catalog of field errors and record-service messages."""


def render(code: str, params: Mapping[str, Any], locale: str = DEFAULT_LOCALE) -> str:
    """Render message ``code`` with ``params``; unknown codes fall back to the code itself."""
    return FieldError(None, code, params).message(locale)


@dataclass(frozen=True)
class FieldError(CatalogMessage):
    """One problem with one field (or with the record when ``field`` is None)."""

    catalog = FIELD_MESSAGES

    field: str | None
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def message(self, locale: str = DEFAULT_LOCALE) -> str:
        return self.localized_message(locale)

    def plain_message(self) -> str:
        return f"{self.code}: {dict(self.params)}"

    def as_dict(self, locale: str = DEFAULT_LOCALE) -> dict[str, Any]:
        return {
            "field": self.field,
            "code": self.code,
            "message": self.message(locale),
            "messages": self.messages,
        }


class ParseError(ValueError):
    """Raised by ``FieldType.parse`` when raw input cannot become a value of the type."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params

    def to_field_error(self, field_key: str, label: Any) -> FieldError:
        return FieldError(field_key, self.code, {"label": label, **self.params})
