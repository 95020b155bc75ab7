"""Readable descriptions of migration steps, in zh-CN and English."""

from __future__ import annotations

from typing import Any

from schemas.spec import DEFAULT_LOCALE

_PHRASES: dict[str, dict[str, str]] = {
    "create_table": {"zh-CN": "新建表“{table}”", "en": 'Create table "{table}"'},
    "add_foreign_key": {
        "zh-CN": "表“{table}”：为列 {column} 添加外键，引用 {target}",
        "en": 'Table "{table}": add foreign key on {column} referring to {target}',
    },
    "archive_table": {
        "zh-CN": "归档表“{table}”为 {archive}（数据保留）",
        "en": 'Archive table "{table}" as {archive} (data kept)',
    },
    "rename_table": {
        "zh-CN": "表“{old}”改名为“{table}”（数据保留）",
        "en": 'Rename table "{old}" to "{table}" (data kept)',
    },
    "restore_table": {
        "zh-CN": "从 {archive} 恢复已归档的表“{table}”及其数据",
        "en": 'Restore archived table "{table}" with its data from {archive}',
    },
    "add_column": {
        "zh-CN": "表“{table}”：新增列 {column}",
        "en": 'Table "{table}": add column {column}',
    },
    "archive_column": {
        "zh-CN": "表“{table}”：归档列 {column} 为 {archive}（数据保留）",
        "en": 'Table "{table}": archive column {column} as {archive} (data kept)',
    },
    "restore_column": {
        "zh-CN": "表“{table}”：从 {archive} 恢复列 {column} 及其数据",
        "en": 'Table "{table}": restore column {column} with its data from {archive}',
    },
    "rename_column": {
        "zh-CN": "表“{table}”：列 {old} 改名为 {column}（数据保留）",
        "en": 'Table "{table}": rename column {old} to {column} (data kept)',
    },
    "change_type": {
        "zh-CN": "表“{table}”：字段“{field}”由 {old_type} 转换为 {new_type}"
        "（转换 {rows} 行，原值保留在 {archive}）",
        "en": 'Table "{table}": convert field "{field}" from {old_type} to {new_type} '
        "({rows} rows; original values kept in {archive})",
    },
    "drop_index": {
        "zh-CN": "表“{table}”：删除索引 {index}",
        "en": 'Table "{table}": drop index {index}',
    },
    "create_index": {
        "zh-CN": "表“{table}”：创建索引 {index}（{columns}）",
        "en": 'Table "{table}": create index {index} ({columns})',
    },
    "create_unique_index": {
        "zh-CN": "表“{table}”：创建唯一索引 {index}（{columns}，仅未删除的记录）",
        "en": 'Table "{table}": create unique index {index} ({columns}, live records only)',
    },
    "displaced": {
        "zh-CN": "；较早的归档移至 {displaced}",
        "en": "; the older archive moves to {displaced}",
    },
    "recompute_formula": {
        "zh-CN": "重新计算表“{table}”的公式字段“{field}”（所有已有记录）",
        "en": 'Recompute formula field "{field}" of table "{table}" (all existing records)',
    },
    "recompute_lookup": {
        "zh-CN": "重新计算表“{table}”的引用字段“{field}”（所有已有记录）",
        "en": 'Recompute lookup field "{field}" of table "{table}" (all existing records)',
    },
    "recompute_rollup": {
        "zh-CN": "重新计算表“{table}”的汇总字段“{field}”（所有已有记录）",
        "en": 'Recompute rollup field "{field}" of table "{table}" (all existing records)',
    },
    "no_changes": {"zh-CN": "数据库结构无需变更", "en": "No database changes"},
}


def phrase(key: str, locale: str = DEFAULT_LOCALE, **params: Any) -> str:
    """The text of ``key`` in ``locale`` (zh-CN when the locale is unknown)."""
    texts = _PHRASES[key]
    text = (texts.get(locale) or texts[DEFAULT_LOCALE]).format(**params)
    if key != "displaced" and params.get("displaced"):
        text += phrase("displaced", locale, displaced=params["displaced"])
    return text
