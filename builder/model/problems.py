"""Problems found in an app definition, and how they are worded in each locale.

Checks yield :class:`Finding` objects whose path points into the assembled app document
(tables inlined); the driver turns them into :class:`DefinitionProblem` objects that name the
file the analyst has to open and the JSON path inside that file.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from form_engine.messages import CatalogMessage, MessageCatalog

PathPart = str | int
Path = tuple[PathPart, ...]

CATALOG: dict[str, dict[str, str]] = {
    "text": {"en": "{text}", "zh-CN": "{text}"},
    "json_syntax": {"en": "invalid JSON: {detail}", "zh-CN": "JSON 格式错误：{detail}"},
    "not_found": {
        "en": "no app definition here: expected a folder with app.json or a .json file",
        "zh-CN": "此处没有应用定义：需要包含 app.json 的文件夹或一个 .json 文件",
    },
    "not_an_object": {
        "en": "the document must be a JSON object",
        "zh-CN": "文档必须是 JSON 对象",
    },
    "version_missing": {
        "en": "schema_version is missing",
        "zh-CN": "缺少 schema_version",
    },
    "version_invalid": {
        "en": "schema_version must be a whole number, got {value}",
        "zh-CN": "schema_version 必须是整数，实际为 {value}",
    },
    "version_future": {
        "en": "schema_version {value} is newer than this Kairos understands (at most {current});"
        " upgrade Kairos",
        "zh-CN": "schema_version {value} 比当前 Kairos 支持的版本（最高 {current}）更新，"
        "请升级 Kairos",
    },
    "file_key_mismatch": {
        "en": 'the file name does not match the table key "{key}"',
        "zh-CN": "文件名与表键“{key}”不一致",
    },
    "required": {
        "en": 'missing required property "{name}"',
        "zh-CN": "缺少必填属性“{name}”",
    },
    "unknown_property": {
        "en": '"{name}" is not a known property',
        "zh-CN": "“{name}”不是可用的属性",
    },
    "not_allowed": {
        "en": "{value} is not {what}",
        "zh-CN": "{value} 不是有效的{what}",
    },
    "wrong_type": {
        "en": "expected {expected}, got {actual}",
        "zh-CN": "应为 {expected}，实际为 {actual}",
    },
    "bad_pattern": {
        "en": "{value} is not {what}",
        "zh-CN": "{value} 不是有效的{what}",
    },
    "const": {"en": "must be {expected}", "zh-CN": "必须为 {expected}"},
    "schema": {"en": "{detail}", "zh-CN": "{detail}"},
    "duplicate": {
        "en": 'duplicate {what} "{key}" (first at {first})',
        "zh-CN": "{what}“{key}”重复（首次出现于 {first}）",
    },
    "reserved_key": {
        "en": '"{key}" is a system column and cannot be used as a field key',
        "zh-CN": "“{key}”是系统字段，不能用作字段键",
    },
    "unknown_field": {
        "en": 'table "{table}" has no field "{name}"',
        "zh-CN": "表“{table}”没有字段“{name}”",
    },
    "unknown_table": {
        "en": 'there is no table "{name}"',
        "zh-CN": "不存在表“{name}”",
    },
    "not_child_of": {
        "en": 'table "{table}" is not a child table of "{parent}" (its parent is {actual})',
        "zh-CN": "表“{table}”不是“{parent}”的子表（其父表为 {actual}）",
    },
    "orphan_child": {
        "en": 'child table "{table}" is not used by any child_table field of "{parent}"',
        "zh-CN": "子表“{table}”没有被“{parent}”的任何子表字段使用",
    },
    "parent_is_self": {
        "en": "a table cannot be its own parent",
        "zh-CN": "表不能以自身为父表",
    },
    "wrong_field_type": {
        "en": 'field "{name}" is of type {actual}; expected a field of type {expected}',
        "zh-CN": "字段“{name}”的类型是 {actual}，此处需要 {expected} 类型的字段",
    },
    "not_related": {
        "en": 'relation "{name}" of table "{table}" does not point at "{target}"',
        "zh-CN": "表“{table}”的关联字段“{name}”没有指向“{target}”",
    },
    "placed_twice": {
        "en": 'field "{name}" is placed twice in the form (first at {first})',
        "zh-CN": "字段“{name}”在表单中出现了两次（首次出现于 {first}）",
    },
    "renamed_from_self": {
        "en": "renamed_from must name the previous key, not the current one",
        "zh-CN": "renamed_from 应填写之前的键，而不是当前的键",
    },
    "renamed_from_taken": {
        "en": '"{name}" is still the key of another {what}, so this cannot be renamed from it',
        "zh-CN": "“{name}”仍是另一个{what}的键，不能作为改名前的键",
    },
    "formula_syntax": {
        "en": "formula error at position {position}: {detail}",
        "zh-CN": "公式第 {position} 个字符处有错误：{detail}",
    },
    "formula_cycle": {
        "en": "formulas depend on each other in a cycle: {cycle}",
        "zh-CN": "公式之间存在循环依赖：{cycle}",
    },
    "formula_result": {
        "en": "the formula gives a {actual} value but result_type is {expected}",
        "zh-CN": "公式的结果是 {actual} 类型，但 result_type 为 {expected}",
    },
    "star_field_access": {
        "en": 'field access needs a specific table; "*" applies to tables with different fields',
        "zh-CN": "字段权限必须针对具体的表；“*”适用于字段各不相同的多张表",
    },
    "duplicate_rule_child": {
        "en": 'child table "{table}" cannot have duplicate rules: its rows belong to their'
        " parent record",
        "zh-CN": "子表“{table}”不能设置查重规则：子表行属于其父记录",
    },
    "duplicate_field_not_stored": {
        "en": 'field "{name}" ({type}) is not stored, so it cannot be compared for duplicates',
        "zh-CN": "字段“{name}”（{type}）不存储值，不能用于查重",
    },
    "duplicate_match_type": {
        "en": 'match "{match}" does not suit field "{name}" of type {type}',
        "zh-CN": "匹配方式“{match}”不适用于 {type} 类型的字段“{name}”",
    },
    "duplicate_threshold_unused": {
        "en": 'threshold only applies to the matches "fuzzy" and "company_name", not "{match}"',
        "zh-CN": "threshold（相似度阈值）只适用于“fuzzy”和“company_name”匹配，不适用于“{match}”",
    },
    "duplicate_threshold_range": {
        "en": "threshold {value} is out of range; use {min}–{max} (percent similarity)",
        "zh-CN": "相似度阈值 {value} 超出范围，应为 {min}–{max}（相似度百分比）",
    },
    # --- tails that DefinitionProblem.render appends --------------------------------------
    "did_you_mean": {
        "en": ' (did you mean "{suggestion}"?)',
        "zh-CN": "（是否想用“{suggestion}”？）",
    },
    "allowed": {"en": "; allowed: {allowed}", "zh-CN": "；可选：{allowed}"},
}


DEFINITION_MESSAGES = MessageCatalog(CATALOG, default_locale="en")
"""English is the default: ``DefinitionProblem.message`` is the English text."""


def localized_text(en: str, zh: str | None = None) -> dict[str, str]:
    """A message parameter in both locales (``zh`` defaults to the English text)."""
    return {"en": en, "zh-CN": zh or en}


def engine_text(english: str, problem: object) -> dict[str, str]:
    """A ``text`` parameter for a problem an engine worded itself (condition, formula,
    field config): its ``messages`` (locale → text) when it has them, else ``english``
    in every locale."""
    messages = getattr(problem, "messages", None)
    if not isinstance(messages, Mapping):
        return localized_text(english)
    return localized_text(english, messages.get("zh-CN"))


def suggest(name: object, candidates: Iterable[str]) -> str | None:
    """The candidate closest to a mistyped ``name``, if one is close enough."""
    if not isinstance(name, str) or not name:
        return None
    matches = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.7)
    return matches[0] if matches else None


def allowed_list(names: Iterable[object]) -> str:
    return ", ".join(str(n) for n in names)


def format_path(path: Sequence[PathPart]) -> str:
    """``("fields", 3, "config", "target")`` → ``fields[3].config.target``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part.isidentifier():
            out += f".{part}" if out else part
        else:
            out += f'["{part}"]'
    return out


@dataclass(frozen=True)
class Finding:
    """A problem at ``path`` in the assembled app document, before files are known."""

    path: Path
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)
    allowed: str | None = None
    suggestion: str | None = None


@dataclass(frozen=True)
class DefinitionProblem(CatalogMessage):
    """One problem in an app definition: where (file + JSON path), what, what is allowed.

    ``message`` is the English text; :meth:`render` gives any supported locale.
    """

    catalog = DEFINITION_MESSAGES

    file: str
    path: str
    message: str
    allowed: str | None = None
    suggestion: str | None = None
    line: int | None = None
    column: int | None = None
    code: str = "text"
    params: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def plain_message(self) -> str:
        return self.message

    def render(self, locale: str = "en") -> str:
        """``file: path: message (did you mean …?); allowed: …`` in ``locale``."""
        where = self.file
        if self.line is not None:
            where += f":{self.line}:{self.column or 1}"
        if self.path:
            where += f": {self.path}"
        text = f"{where}: {self.localized_message(locale)}"
        if self.suggestion:
            text += self.catalog.render("did_you_mean", {"suggestion": self.suggestion}, locale)
        if self.allowed:
            text += self.catalog.render("allowed", {"allowed": self.allowed}, locale)
        return text

    def __str__(self) -> str:
        return self.render("en")

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form for the API and the designer."""
        return {
            "file": self.file,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "message": self.message,
            "messages": self.messages,
            "allowed": self.allowed,
            "suggestion": self.suggestion,
        }


def make_problem(
    file: str,
    path: Sequence[PathPart],
    code: str,
    params: Mapping[str, Any] | None = None,
    *,
    allowed: str | None = None,
    suggestion: str | None = None,
    line: int | None = None,
    column: int | None = None,
) -> DefinitionProblem:
    params = dict(params or {})
    message = DEFINITION_MESSAGES.render(code, params)
    return DefinitionProblem(
        file, format_path(path), message, allowed, suggestion, line, column, code, params
    )
