"""Localised messages of imports and exports (zh-CN and en), and the error they raise.

Problems with a whole file or with the options (unknown sheet, unsupported file, missing
key column) are ``TransferError``; problems with one row are ``RowError`` lists built from
the record service's ``FieldError`` messages plus the few import-only codes below.
"""

from __future__ import annotations

from typing import Any

from schemas.spec import DEFAULT_LOCALE

MESSAGES: dict[str, dict[str, str]] = {
    "unsupported_file": {
        "zh-CN": "不支持的文件“{name}”：请上传 .xlsx 或 .csv 文件",
        "en": 'Unsupported file "{name}": upload an .xlsx or .csv file',
    },
    "unreadable_file": {
        "zh-CN": "无法读取文件“{name}”：{detail}",
        "en": 'Cannot read "{name}": {detail}',
    },
    "unknown_encoding": {
        "zh-CN": "无法识别“{name}”的编码：请另存为 UTF-8 或 GB18030 编码的 CSV",
        "en": 'Cannot tell the encoding of "{name}": save it as UTF-8 or GB18030 CSV',
    },
    "unknown_sheet": {
        "zh-CN": "工作表“{sheet}”不存在；可选：{sheets}",
        "en": 'No sheet "{sheet}"; the file has: {sheets}',
    },
    "empty_file": {
        "zh-CN": "文件中没有找到表头和数据行",
        "en": "The file has no header row and no data",
    },
    "no_columns_matched": {
        "zh-CN": "没有任何列能对应到“{table}”的字段：请检查表头或手动指定对应关系",
        "en": 'No column matches a field of "{table}": check the header or map columns by hand',
    },
    "unknown_field": {
        "zh-CN": "“{table}”没有字段“{field}”",
        "en": '"{table}" has no field "{field}"',
    },
    "key_required": {
        "zh-CN": "“{mode}”模式需要指定匹配字段（--key），或在文件中提供“编号/id”列",
        "en": 'Mode "{mode}" needs a key field (--key), or an "id" column in the file',
    },
    "key_not_mapped": {
        "zh-CN": "匹配字段“{field}”没有对应的列",
        "en": 'The key field "{field}" is not mapped to any column',
    },
    "key_not_usable": {
        "zh-CN": "字段“{field}”不能用作匹配字段（隐藏、脱敏或不可查询）",
        "en": 'Field "{field}" cannot be the key (hidden, masked or not searchable)',
    },
    "unknown_mode": {
        "zh-CN": "未知的导入模式“{mode}”：可选 insert、update、upsert",
        "en": 'Unknown import mode "{mode}": use insert, update or upsert',
    },
    "unknown_template": {
        "zh-CN": "“{table}”没有名为“{name}”的导入模板",
        "en": 'No import template named "{name}" for "{table}"',
    },
    "reference_unknown": {
        "zh-CN": "{label}：找不到“{value}”",
        "en": '{label}: no record "{value}" found',
    },
    "reference_ambiguous": {
        "zh-CN": "{label}：“{value}”对应 {count} 条记录，请改用编码或编号",
        "en": '{label}: "{value}" matches {count} records; use its code or id instead',
    },
    "record_not_found_by_key": {
        "zh-CN": "没有{label}为“{value}”的记录",
        "en": 'No record with {label} "{value}"',
    },
    "key_blank": {
        "zh-CN": "匹配字段{label}为空",
        "en": "The key field {label} is empty",
    },
    "key_repeated": {
        "zh-CN": "{label}“{value}”在文件中出现了多次",
        "en": '{label} "{value}" appears more than once in the file',
    },
    "excel_row_limit": {
        "zh-CN": "共 {count} 条记录，超出了 Excel 单个工作表的上限（最多 {max} 行）。"
        "请缩小筛选范围，或导出为 CSV。",
        "en": "{count} records do not fit in one Excel sheet (at most {max} rows). "
        "Narrow the filter or export to CSV.",
    },
    "errors_column": {"zh-CN": "错误", "en": "Errors"},
    "row_column": {"zh-CN": "原行号", "en": "Source row"},
    "import_failed_rolled_back": {
        "zh-CN": "{count} 行有错误，未写入任何数据",
        "en": "{count} row(s) have errors; nothing was written",
    },
}


def text(code: str, locale: str = DEFAULT_LOCALE, **params: Any) -> str:
    """The message ``code`` in ``locale`` (en when the locale is not zh-CN)."""
    entry = MESSAGES[code]
    return entry.get(locale, entry["en"]).format(**params)


class TransferError(Exception):
    """A problem with the whole file or the import/export options (not one row)."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params

    def message(self, locale: str = DEFAULT_LOCALE) -> str:
        params = {
            k: (v.get(locale) or v.get("en") if isinstance(v, dict) else v)
            for k, v in self.params.items()
        }
        return text(self.code, locale, **params)

    def __str__(self) -> str:
        return self.message("en")
