"""Problems of a field's ``config`` found by ``FieldType.check_config``, in zh-CN and en.

``check_config`` yields :class:`ConfigProblem` objects. Each *is* a ``str`` — the English
text analysts' validators always received — and also carries a code and parameters, so the
definition validator can show it in any locale (``messages``), like formula problems.

English templates quote values with ``{name!r}`` as the historical texts did; zh-CN
templates keep config keys (``min``, ``result_type`` …) and field keys as written and quote
values in “…”.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from form_engine.messages import CatalogText, MessageCatalog

TEMPLATES: dict[str, dict[str, str]] = {
    # --- bounds and lengths --------------------------------------------------------------
    "min_greater_than_max": {
        "en": "min ({min}) is greater than max ({max})",
        "zh-CN": "最小值 min（{min}）不能大于最大值 max（{max}）",
    },
    "min_later_than_max": {
        "en": "min ({min}) is later than max ({max})",
        "zh-CN": "最小值 min（{min}）不能晚于最大值 max（{max}）",
    },
    "bad_bound": {
        "en": "{key} {value!r} is not a valid {type}",
        "zh-CN": "{key} 的值“{value}”不是有效的{type}",
    },
    "min_length_greater_than_max": {
        "en": "min_length ({min}) is greater than max_length ({max})",
        "zh-CN": "最小长度 min_length（{min}）不能大于最大长度 max_length（{max}）",
    },
    # --- text, money, date-time, json ----------------------------------------------------
    "bad_regex": {
        "en": "pattern {pattern!r} is not a valid regular expression: {detail}",
        "zh-CN": "pattern“{pattern}”不是有效的正则表达式：{detail}",
    },
    "currency_conflict": {
        "en": "set either currency or currency_field, not both",
        "zh-CN": "currency 和 currency_field 只能设置其中一个",
    },
    "bad_timezone": {
        "en": "timezone {timezone!r} is not an IANA timezone",
        "zh-CN": "时区“{timezone}”无效，请填写 IANA 时区名，如 Asia/Shanghai",
    },
    "bad_json_schema": {
        "en": "schema is not a valid JSON Schema: {detail}",
        "zh-CN": "schema 不是有效的 JSON Schema：{detail}",
    },
    # --- options -------------------------------------------------------------------------
    "no_options": {
        "en": "options must list at least one option",
        "zh-CN": "options 至少需要一个选项",
    },
    "duplicate_option": {
        "en": "option key {key!r} is used twice",
        "zh-CN": "选项键“{key}”重复",
    },
    "shared_label": {
        "en": "options {first!r} and {second!r} share the label {label!r}",
        "zh-CN": "选项“{first}”和“{second}”的名称相同（“{label}”），按名称填写时无法区分",
    },
    "max_choices_over_options": {
        "en": "max_choices ({max}) is more than the number of options",
        "zh-CN": "最多可选 max_choices（{max}）超过了选项数量（{count}）",
    },
    # --- relation and computed fields ----------------------------------------------------
    "required_set_null": {
        "en": "a required relation cannot use on_delete set_null",
        "zh-CN": "必填的关联记录字段不能使用 on_delete: set_null（被关联的记录删除后无法清空）",
    },
    "expression_empty": {
        "en": "expression is empty",
        "zh-CN": "公式 expression 为空",
    },
    "precision_not_numeric": {
        "en": "precision only applies to {types} results",
        "zh-CN": "precision（小数位数）只适用于 {types} 类型的结果",
    },
    "money_precision": {
        "en": "money keeps at most 6 decimal places",
        "zh-CN": "金额最多保留 6 位小数",
    },
    "lookup_itself": {
        "en": "a lookup cannot use itself as its relation",
        "zh-CN": "查找引用字段不能把自己作为关联字段 relation",
    },
    "rollup_source": {
        "en": "set either child, or table and via",
        "zh-CN": "请设置 child，或同时设置 table 和 via，二者选其一",
    },
    "rollup_table_via": {
        "en": "table and via must be set together",
        "zh-CN": "table 和 via 必须同时设置",
    },
    "rollup_needs_field": {
        "en": "aggregate {aggregate!r} needs the field to aggregate",
        "zh-CN": "汇总方式“{aggregate}”需要用 field 指定要汇总的字段",
    },
    "count_is_number": {
        "en": "a count is a number; result_type must be number",
        "zh-CN": "计数的结果是数字，result_type 必须为 number",
    },
    "bad_result_type": {
        "en": "result_type {name!r} is not a field type a computed value can have",
        "zh-CN": "result_type“{name}”不能作为计算结果的字段类型",
    },
    "result_type_no_column": {
        "en": "result_type {name!r} has no column",
        "zh-CN": "result_type“{name}”没有存储列，不能作为结果类型",
    },
    # --- auto-number patterns ------------------------------------------------------------
    "pattern_unmatched_brace": {
        "en": "pattern {pattern!r} has an unmatched brace",
        "zh-CN": "编号规则“{pattern}”中的花括号不成对",
    },
    "pattern_seq_width": {
        "en": "{{{token}}}: the width must be 1 to {max}",
        "zh-CN": "{{{token}}}：位数必须在 1 到 {max} 之间",
    },
    "pattern_unknown_token": {
        "en": "{{{token}}} is not a token; use {{YYYY}} {{YY}} {{MM}} {{DD}} {{seq}} {{seq:N}}",
        "zh-CN": "{{{token}}} 不是可用的占位符，可用：{{YYYY}} {{YY}} {{MM}} {{DD}} {{seq}} "
        "{{seq:N}}",
    },
    "pattern_seq_count": {
        "en": "pattern {pattern!r} must contain exactly one {{seq}} or {{seq:N}}",
        "zh-CN": "编号规则“{pattern}”必须包含且只能包含一个 {{seq}} 或 {{seq:N}}",
    },
    "pattern_too_long": {
        "en": "pattern {pattern!r} makes numbers longer than {max} characters",
        "zh-CN": "编号规则“{pattern}”生成的编号会超过 {max} 个字符",
    },
    "reset_repeats": {
        "en": "reset {reset!r} repeats numbers unless the pattern contains {wanted}",
        "zh-CN": "计数{period}重置（reset: {reset}）时，编号规则必须包含 {wanted}，否则编号会重复",
    },
}

RESET_PERIODS = {"yearly": "每年", "monthly": "每月", "daily": "每天"}
"""zh-CN words for the auto-number ``reset`` values that need a date token."""


CONFIG_MESSAGES = MessageCatalog(TEMPLATES, default_locale="en")
"""English is the default: a problem *is* its English text (see ``ConfigProblem``)."""


class ConfigProblem(CatalogText):
    """One problem of a field's config: the English text, with a code and parameters.

    It *is* a ``str`` (the English message) so ``check_config`` callers that treat problems
    as plain text keep working, and it renders in any locale through ``message(locale)``.
    """

    catalog = CONFIG_MESSAGES

    def __new__(cls, code: str, **params: Any) -> ConfigProblem:
        return super().__new__(cls, code, params)


def either(names: Iterable[str]) -> dict[str, str]:
    """Alternatives joined by " or " / "或", e.g. ``{YY} or {YYYY}``."""
    names = list(names)
    return {"en": " or ".join(names), "zh-CN": " 或 ".join(names)}


def listed(names: Iterable[str]) -> dict[str, str]:
    """Names joined by ", " / "、"."""
    names = list(names)
    return {"en": ", ".join(names), "zh-CN": "、".join(names)}
