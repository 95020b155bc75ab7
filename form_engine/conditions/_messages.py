"""Texts of every condition problem, in zh-CN and en.

Condition problems carry a code and parameters, like formula problems, so the definition
validator can show them in the analyst's language. The English texts are the historical
``ConditionProblem.message`` strings and must stay stable: callers and tests match them.

Parameters are plain values (field keys, operator names — shown as-is in every locale) or
localised mappings ``{"en": …, "zh-CN": …}`` built by the helpers below. English templates
quote keys with ``{key!r}``; zh-CN templates use “…”.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from form_engine.kinds import Kind
from form_engine.messages import MessageCatalog

TEMPLATES: dict[str, dict[str, str]] = {
    # --- structure (parser) --------------------------------------------------------------
    "not_an_object": {
        "en": 'a condition must be an object such as {{"all": [...]}}, {{"any": [...]}}, '
        '{{"not": {{...}}}} or {{"field": ..., "op": ..., "value": ...}}, got {got}',
        "zh-CN": '条件必须是对象，例如 {{"all": [...]}}、{{"any": [...]}}、{{"not": {{...}}}} '
        '或 {{"field": ..., "op": ..., "value": ...}}，实际为 {got}',
    },
    "group_keys": {
        "en": "a group has exactly one key ({groups}); remove {extra}",
        "zh-CN": "条件组只能有一个键（{groups}），请删除 {extra}",
    },
    "group_not_list": {
        "en": '"{key}" takes a list of conditions, got {got}',
        "zh-CN": "“{key}”后应为条件列表，实际为 {got}",
    },
    "unknown_keys": {
        "en": 'unknown key(s) {keys}; a comparison has "field", "op" and "value", '
        'a group has "all", "any" or "not"',
        "zh-CN": "无法识别的键 {keys}：比较条件由“field”“op”“value”组成，条件组用“all”“any”或“not”",
    },
    "field_required": {
        "en": "a field key (text) is required, got {got}",
        "zh-CN": "字段键应为文本，实际为 {got}",
    },
    "field_missing": {
        "en": "a field key (text) is required, got nothing (null)",
        "zh-CN": "缺少“field”（字段键）",
    },
    "unknown_operator": {
        "en": "unknown operator {got}; operators are {allowed}",
        "zh-CN": "运算符 {got} 不存在，可用的运算符：{allowed}",
    },
    "operator_missing": {
        "en": "unknown operator nothing (null); operators are {allowed}",
        "zh-CN": "缺少“op”（运算符），可用的运算符：{allowed}",
    },
    "takes_no_value": {
        "en": '"{op}" takes no value; remove "value"',
        "zh-CN": "“{op}”不需要值，请删除“value”",
    },
    "needs_value": {
        "en": '"{op}" needs a value ({shape})',
        "zh-CN": "“{op}”缺少值（需要{shape}）",
    },
    "wrong_shape": {
        "en": '"{op}" needs {shape}, got {got}',
        "zh-CN": "“{op}”需要{shape}，实际为 {got}",
    },
    "not_a_list": {
        "en": '"{op}" takes one value, not a list',
        "zh-CN": "“{op}”只能取一个值，不能是列表",
    },
    # --- types (checker) -----------------------------------------------------------------
    "unknown_field": {
        "en": "unknown field {key!r}{hint}",
        "zh-CN": "字段“{key}”不存在{hint}",
    },
    "operator_not_for_kind": {
        "en": "operator {op!r} does not apply to {field!r} ({kind}); allowed: {allowed}",
        "zh-CN": "字段“{field}”（{kind}）不能用运算符“{op}”，可用：{allowed}",
    },
    "no_previous_version": {
        "en": "{op!r} compares with the previous version of the record, which does not exist "
        'here (filters, permissions); use a comparison such as "eq"',
        "zh-CN": "“{op}”要与记录修改前的版本比较，但这里（筛选条件、权限）没有修改前的版本，"
        "请改用“eq”等比较运算符",
    },
    "one_value_for_kind": {
        "en": '"{op}" takes one value for {field!r} ({kind}), not a list{hint}',
        "zh-CN": "字段“{field}”（{kind}）的“{op}”只能取一个值，不能是列表{hint}",
    },
    "hint_use_in": {
        "en": '; use "in" to match any of several values',
        "zh-CN": "；要匹配多个值中的任意一个，请用“in”",
    },
    "whole_selection": {
        "en": '"{op}" on the multi-select field {field!r} compares the whole selection: give a '
        'list of option keys such as ["a", "b"] ([] = nothing selected); to test one option '
        'use "contains"',
        "zh-CN": '多选字段“{field}”的“{op}”比较的是全部选中项：请填选项键列表，如 ["a", "b"]'
        "（[] 表示未选任何项）；判断是否选中某一项请用“contains”",
    },
    "option_key_expected": {
        "en": "expected an option key (text), got {got}",
        "zh-CN": "应为选项键（文本），实际为 {got}",
    },
    "whole_value_is_list": {
        "en": "a whole multi-select value is a list of option keys or $trigger.<field>",
        "zh-CN": "多选字段的完整取值应为选项键列表或 $trigger.<字段>",
    },
    "only_option_keys": {
        "en": "only option keys can be compared with a multi-select field",
        "zh-CN": "多选字段只能与选项键比较",
    },
    "null_value": {
        "en": 'null is not a value to compare with; use "is_empty" or "is_not_empty"',
        "zh-CN": "不能与 null 比较，请用“is_empty”或“is_not_empty”",
    },
    "wrong_value": {
        "en": "wrong value for a {kind} field: {detail}",
        "zh-CN": "{kind}字段的值不正确：{detail}",
    },
    "expected_got": {
        "en": "expected {expected}, got {got}",
        "zh-CN": "应为{expected}，实际为 {got}",
    },
    "context_mismatch": {
        "en": '"${name}" cannot be compared with a {kind} field; it fits {fits} fields '
        "(expected {expected})",
        "zh-CN": "“${name}”只适用于{fits}字段，不能与{kind}字段比较；此处应填{expected}",
    },
    "trigger_outside_flow": {
        "en": '"$trigger.{key}" is only available in flow conditions',
        "zh-CN": "“$trigger.{key}”只能在流程条件中使用",
    },
    "incompatible_reference": {
        "en": "cannot compare a {kind} value with {what} ({other}); "
        "compare with a field of the same kind",
        "zh-CN": "{kind}值不能与{what}（{other}）比较，请与同类型的字段比较",
    },
    "between_order": {
        "en": "between needs [low, high] with low ≤ high, got [{low}, {high}]",
        "zh-CN": "“between”需要 [下限, 上限] 且下限 ≤ 上限，实际为 [{low}, {high}]",
    },
}

KIND_NAMES: dict[Kind, str] = {
    Kind.TEXT: "文本",
    Kind.NUMBER: "数字",
    Kind.DECIMAL: "数字",
    Kind.DATE: "日期",
    Kind.DATETIME: "日期时间",
    Kind.TIME: "时间",
    Kind.DURATION: "时长",
    Kind.BOOL: "是/否",
    Kind.CHOICE: "单选",
    Kind.CHOICES: "多选",
    Kind.REF: "关联记录",
    Kind.JSON: "结构化",
    Kind.ROWS: "子表",
}
"""zh-CN name of each kind as used before 字段/值 ("数字字段"); English uses ``kind.value``."""

EXPECTED_ZH: dict[Kind, str] = {
    Kind.TEXT: "文本",
    Kind.NUMBER: "数字",
    Kind.DECIMAL: '数字或数字文本（如 "12.50"）',
    Kind.DATE: '日期（如 "2026-03-01"）',
    Kind.DATETIME: '日期时间（如 "2026-03-01T14:30:00+08:00"）',
    Kind.TIME: '时间（如 "14:30"）',
    Kind.DURATION: "整数秒数",
    Kind.BOOL: "是/否（true 或 false）",
    Kind.CHOICE: "选项键（文本）",
    Kind.CHOICES: "选项键（文本）",
    Kind.REF: "记录 ID（整数）",
    Kind.JSON: "JSON 值",
    Kind.ROWS: "行列表",
}
"""zh-CN counterpart of ``_coerce.EXPECTED``: what a literal for each kind looks like."""

SHAPE_TEXTS: dict[str, dict[str, str]] = {
    "none": {"en": "no value", "zh-CN": "不填值"},
    "one": {"en": "one value", "zh-CN": "一个值"},
    "pair": {"en": "two values [low, high]", "zh-CN": "两个值 [下限, 上限]"},
    "list": {"en": "a list of values", "zh-CN": "一个值列表"},
    "days": {"en": "a whole number of days (0 or more)", "zh-CN": "天数（0 或正整数）"},
}
"""Localised ``ValueShape.describe()``, keyed by the shape's value."""


def _tidy(text: str, locale: str) -> str:
    return _tidy_cjk(text) if locale == "zh-CN" else text


CONDITION_MESSAGES = MessageCatalog(TEMPLATES, default_locale="en", finish=_tidy)
"""English is the default: ``ConditionProblem.message`` is the English text."""

localized = CONDITION_MESSAGES.localized


def kind_name(kind: Kind) -> dict[str, str]:
    """How a kind is named in a message: its value in English, a word in zh-CN."""
    return {"en": kind.value, "zh-CN": KIND_NAMES.get(kind, kind.value)}


def kind_names(kinds: Iterable[Kind]) -> dict[str, str]:
    """Several kinds joined by "or" / "或", sorted like the English text always was."""
    ordered = sorted(kinds, key=lambda k: k.value)
    zh: list[str] = []
    for kind in ordered:  # DECIMAL and NUMBER share a zh-CN name
        if KIND_NAMES.get(kind, kind.value) not in zh:
            zh.append(KIND_NAMES.get(kind, kind.value))
    return {"en": " or ".join(k.value for k in ordered), "zh-CN": "或".join(zh)}


def expected(kind: Kind, english: str) -> dict[str, str]:
    """What a value of ``kind`` looks like; ``english`` is ``_coerce.EXPECTED[kind]``."""
    return {"en": english, "zh-CN": EXPECTED_ZH.get(kind, english)}


def shape(value_shape: str) -> dict[str, str]:
    """The localised description of a ValueShape (by its ``.value``)."""
    return SHAPE_TEXTS[value_shape]


def shown(value: Any, *, limit: int | None = None) -> dict[str, str]:
    """A value written in the condition, as a message shows it.

    English keeps Python's ``repr`` (the historical text); zh-CN puts text in “…”
    and shows other values as JSON, the way the analyst wrote them.
    ``None`` reads "nothing (null)". ``limit`` shortens long values with "...".
    """
    if value is None:
        return {"en": "nothing (null)", "zh-CN": "空值（null）"}
    en = repr(value)
    zh = f"“{value}”" if isinstance(value, str) else _as_json(value, en)
    if limit is not None:
        en, zh = _shorten(en, limit), _shorten(zh, limit)
    return {"en": en, "zh-CN": zh}


def quoted_keys(keys: Iterable[str]) -> dict[str, str]:
    """Keys listed as ``'a', 'b'`` in English and ``“a”、“b”`` in zh-CN."""
    keys = list(keys)
    return {
        "en": ", ".join(map(repr, keys)),
        "zh-CN": "、".join(f"“{key}”" for key in keys),
    }


def names(items: Iterable[str]) -> dict[str, str]:
    """Plain names (operators, group keys) listed with "," / "、"."""
    items = list(items)
    return {"en": ", ".join(items), "zh-CN": "、".join(items)}


def did_you_mean(candidates: list[str]) -> dict[str, str]:
    """The tail of an unknown-field message; empty when nothing is close."""
    if not candidates:
        return {"en": "", "zh-CN": ""}
    return {
        "en": f"; did you mean {' or '.join(map(repr, candidates))}?",
        "zh-CN": f"，你是不是想用{'或'.join(f'“{c}”' for c in candidates)}？",
    }


def _as_json(value: Any, fallback: str) -> str:
    """``value`` as the analyst wrote it in the definition (JSON), else ``fallback``."""
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return fallback


def _tidy_cjk(text: str) -> str:
    """Drop the spaces templates leave around a value that turned out to be in “…”.

    zh-CN templates put a space before a value (``实际为 {got}``) so a number reads
    ``实际为 3``; a quoted text must read ``实际为“lots”``, without it.
    """
    return text.replace(" “", "“").replace("” ", "”")


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
