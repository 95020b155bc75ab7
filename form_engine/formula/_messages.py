"""Texts of every formula error and problem, in zh-CN and en.

Formula diagnostics carry a code and parameters like the rest of the form engine; this
catalog holds their templates. The definition validator wraps a rendered problem in the
shared ``formula_invalid`` message (form_engine.messages) so it reaches users localised.
"""

from __future__ import annotations

from form_engine.kinds import Kind
from form_engine.messages import MessageCatalog

TEMPLATES: dict[str, dict[str, str]] = {
    # --- syntax ------------------------------------------------------------------------
    "empty": {"en": "The formula is empty", "zh-CN": "公式为空"},
    "too_long": {
        "en": "The formula is too long ({length} characters; at most {limit})",
        "zh-CN": "公式太长（{length} 个字符，最多 {limit} 个）",
    },
    "too_deep": {
        "en": "The formula is too deeply nested (more than {limit} levels of parentheses, "
        "functions or operators); split it into several formula fields",
        "zh-CN": "公式嵌套过深（括号、函数或运算符超过 {limit} 层），请拆分为多个公式字段",
    },
    "unexpected_char": {
        "en": 'Unexpected character "{char}"',
        "zh-CN": "无法识别的字符“{char}”",
    },
    "fullwidth_char": {
        "en": 'Full-width character "{char}": use the half-width "{ascii}" instead',
        "zh-CN": "全角字符“{char}”：请改用半角“{ascii}”",
    },
    "label_char": {
        "en": 'Unexpected character "{char}": refer to fields by their key '
        "(such as amount), not by their label",
        "zh-CN": "无法识别的字符“{char}”：请用字段标识（如 amount）而不是字段名称引用字段",
    },
    "single_quote": {
        "en": 'Text must be written in double quotes, like "won"',
        "zh-CN": '文本需用英文双引号括起来，例如 "won"',
    },
    "unterminated_string": {
        "en": "The text starting here has no closing double quote",
        "zh-CN": "此处开始的文本缺少结尾的双引号",
    },
    "bad_escape": {
        "en": 'Unknown escape "\\{char}" in text: use \\" for a quote, \\\\ for a '
        "backslash, \\n for a new line",
        "zh-CN": '文本中的转义“\\{char}”无效：引号写作 \\"，反斜杠写作 \\\\，换行写作 \\n',
    },
    "double_equals": {
        "en": '"==" is not an operator: use "=" to compare',
        "zh-CN": "没有“==”运算符：比较请用“=”",
    },
    "expected_value": {
        "en": 'Expected a value (number, "text", field or function) but found {found}',
        "zh-CN": '此处应为一个值（数字、"文本"、字段或函数），实际为{found}',
    },
    "expected_operator": {
        "en": "Expected an operator or the end of the formula but found {found}",
        "zh-CN": "此处应为运算符或公式结尾，实际为{found}",
    },
    "unclosed_paren": {
        "en": 'Expected ")" to close the "(" at character {opened} but found {found}',
        "zh-CN": "缺少“)”来闭合第 {opened} 个字符处的“(”，实际为{found}",
    },
    "unclosed_call": {
        "en": 'Expected "," or ")" in the arguments of {function} but found {found}',
        "zh-CN": "{function} 的参数之间应为“,”或以“)”结束，实际为{found}",
    },
    "expected_column": {
        "en": 'Expected a child-table field after "{table}." but found {found}',
        "zh-CN": "“{table}.”后应为子表字段，实际为{found}",
    },
    "chained_comparison": {
        "en": "Comparisons cannot be chained: write AND(a < b, b < c) instead of a < b < c",
        "zh-CN": "比较不能连写：请用 AND(a < b, b < c) 代替 a < b < c",
    },
    "unknown_function": {
        "en": "Unknown function {name}{suggestion}",
        "zh-CN": "未知函数 {name}{suggestion}",
    },
    "end_of_formula": {"en": "the end of the formula", "zh-CN": "公式结尾"},
    # --- static checks -----------------------------------------------------------------
    "unknown_field": {
        "en": 'Unknown field "{name}"{suggestion}',
        "zh-CN": "字段“{name}”不存在{suggestion}",
    },
    "function_without_parentheses": {
        "en": "{name} is a function: write {name}()",
        "zh-CN": "{name} 是函数，请写作 {name}()",
    },
    "not_a_child_table": {
        "en": '"{table}" is not a child table, so "{table}.{column}" is not allowed',
        "zh-CN": "“{table}”不是子表，不能写“{table}.{column}”",
    },
    "unknown_child_field": {
        "en": 'Child table "{table}" has no field "{column}"{suggestion}',
        "zh-CN": "子表“{table}”没有字段“{column}”{suggestion}",
    },
    "child_outside_aggregate": {
        "en": '"{ref}" holds one value per child row: use it alone inside '
        "SUM, COUNT, AVG, MIN or MAX",
        "zh-CN": "“{ref}”是子表每行的值，只能单独放在 SUM、COUNT、AVG、MIN 或 MAX 中",
    },
    "rows_outside_count": {
        "en": '"{name}" is a child table: use COUNT({name}), ISBLANK({name}) '
        "or SUM({name}.<field>)",
        "zh-CN": "“{name}”是子表：请用 COUNT({name})、ISBLANK({name}) 或 SUM({name}.字段)",
    },
    "unusable_kind": {
        "en": '"{name}" holds {kind} and can only be used in ISBLANK',
        "zh-CN": "“{name}”的值是{kind}，只能用于 ISBLANK",
    },
    "arity": {
        "en": "{function} expects {expected} but got {got}",
        "zh-CN": "{function} 需要 {expected}，实际传入 {got} 个",
    },
    "operand_type": {
        "en": '"{operator}" needs {expected} but the {side} side is {actual}{hint}',
        "zh-CN": "“{operator}”需要{expected}，但{side}是{actual}{hint}",
    },
    "argument_type": {
        "en": "Argument {index} of {function} must be {expected} but is {actual}",
        "zh-CN": "{function} 的第 {index} 个参数应为{expected}，实际是{actual}",
    },
    "incomparable": {
        "en": "Cannot compare {left} with {right}{hint}",
        "zh-CN": "无法比较{left}和{right}{hint}",
    },
    "not_orderable": {
        "en": '"{operator}" cannot order {kind} values; use = or !=',
        "zh-CN": "{kind}不能用“{operator}”比较大小，请用 = 或 !=",
    },
    "compare_null": {
        "en": "Comparing with NULL always gives NULL: use ISBLANK(x) instead",
        "zh-CN": "与 NULL 比较的结果总是 NULL：请改用 ISBLANK(x)",
    },
    "mixed_types": {
        "en": "{function} mixes {first} and {second}; all values must have the same type",
        "zh-CN": "{function} 混用了{first}和{second}，所有值的类型必须一致",
    },
    "bad_datedif_unit": {
        "en": 'The unit of DATEDIF must be "d", "m" or "y", not "{unit}"',
        "zh-CN": 'DATEDIF 的单位应为 "d"、"m" 或 "y"，而不是 "{unit}"',
    },
    "side_left": {"en": "left", "zh-CN": "左边"},
    "side_right": {"en": "right", "zh-CN": "右边"},
    "hint_dates": {
        "en": " (use DAYS(end, start) or ADDDAYS(date, n) for dates)",
        "zh-CN": "（日期请用 DAYS(结束, 开始) 或 ADDDAYS(日期, 天数)）",
    },
    "hint_concat": {
        "en": " (use & to join text)",
        "zh-CN": "（连接文本请用 &）",
    },
    "hint_date_literal": {
        "en": " (write a date as DATE(2026, 3, 1))",
        "zh-CN": "（日期请写作 DATE(2026, 3, 1)）",
    },
    # --- cycles and evaluation -----------------------------------------------------------
    "cycle": {
        "en": "Formula fields refer to each other in a circle: {path}",
        "zh-CN": "公式字段之间存在循环引用：{path}",
    },
    "runtime_type": {
        "en": "{operation} cannot use {actual} (value {value})",
        "zh-CN": "{operation} 不能使用{actual}（值为 {value}）",
    },
}

KIND_NAMES: dict[Kind | None, dict[str, str]] = {
    Kind.DECIMAL: {"en": "a number", "zh-CN": "数字"},
    Kind.NUMBER: {"en": "a number", "zh-CN": "数字"},
    Kind.TEXT: {"en": "text", "zh-CN": "文本"},
    Kind.BOOL: {"en": "TRUE/FALSE", "zh-CN": "是/否（TRUE/FALSE）"},
    Kind.DATE: {"en": "a date", "zh-CN": "日期"},
    Kind.DATETIME: {"en": "a date-time", "zh-CN": "日期时间"},
    Kind.TIME: {"en": "a time", "zh-CN": "时间"},
    Kind.DURATION: {"en": "a duration", "zh-CN": "时长"},
    Kind.CHOICE: {"en": "an option", "zh-CN": "选项"},
    Kind.CHOICES: {"en": "multiple choices", "zh-CN": "多选值"},
    Kind.REF: {"en": "a record reference", "zh-CN": "关联记录"},
    Kind.JSON: {"en": "a structured value", "zh-CN": "结构化值"},
    Kind.ROWS: {"en": "child-table rows", "zh-CN": "子表行"},
    None: {"en": "NULL", "zh-CN": "空值（NULL）"},
}


FORMULA_MESSAGES = MessageCatalog(TEMPLATES, default_locale="en")
"""Formula problems render through the form engine's one renderer; English is the default
because a problem *is* its English text (see ``errors.FormulaProblem``)."""

localized = FORMULA_MESSAGES.localized


def kind_name(kind: Kind | None) -> dict[str, str]:
    """The localised name of a value kind, as a parameter for a message."""
    return KIND_NAMES.get(kind, {"en": str(kind), "zh-CN": str(kind)})


def suggestion(candidate: str | None) -> dict[str, str]:
    """The " (did you mean …?)" tail of a message, empty when there is no candidate."""
    if candidate is None:
        return {"en": "", "zh-CN": ""}
    return {"en": f" (did you mean {candidate}?)", "zh-CN": f"（是否想写 {candidate}？）"}
