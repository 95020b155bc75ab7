"""Small inline app definitions the record-service tests write against.

A miniature CRM: customers, opportunities with sub-form lines, and four roles that pull
permissions in different directions (own rows, department tree, a condition scope, and a
role that does not mention opportunities at all).
"""

from __future__ import annotations

from typing import Any

from schemas.spec import AppSpec

STAGES = [
    {"key": "open", "label": {"zh-CN": "进行中", "en": "Open"}},
    {"key": "won", "label": {"zh-CN": "赢单", "en": "Won"}},
    {"key": "lost", "label": {"zh-CN": "输单", "en": "Lost"}},
]
LEVELS = [{"key": k, "label": {"zh-CN": k.upper(), "en": k.upper()}} for k in ("a", "b", "c")]


def _label(zh: str, en: str) -> dict[str, str]:
    return {"zh-CN": zh, "en": en}


CUSTOMER: dict[str, Any] = {
    "key": "customer",
    "label": _label("客户", "Customer"),
    "title_field": "name",
    "search_fields": ["name", "region"],
    "fields": [
        {
            "key": "name",
            "type": "text",
            "label": _label("客户名称", "Name"),
            "required": True,
            "unique": True,
        },
        {"key": "phone", "type": "phone", "label": _label("电话", "Phone")},
        {"key": "email", "type": "email", "label": _label("邮箱", "Email")},
        {
            "key": "level",
            "type": "single_select",
            "label": _label("等级", "Level"),
            "default": "c",
            "config": {"options": LEVELS},
        },
        {"key": "region", "type": "text", "label": _label("区域", "Region")},
        {"key": "credit_limit", "type": "money", "label": _label("信用额度", "Credit limit")},
        {
            "key": "opportunity_count",
            "type": "rollup",
            "label": _label("商机数", "Opportunities"),
            "config": {"table": "opportunity", "via": "customer", "aggregate": "count"},
        },
        {
            "key": "won_amount",
            "type": "rollup",
            "label": _label("赢单金额", "Won amount"),
            "config": {
                "table": "opportunity",
                "via": "customer",
                "aggregate": "sum",
                "field": "amount",
                "filter": {"field": "stage", "op": "eq", "value": "won"},
                "result_type": "money",
                "result_config": {"precision": 2},
            },
        },
    ],
}

OPPORTUNITY: dict[str, Any] = {
    "key": "opportunity",
    "label": _label("商机", "Opportunity"),
    "title_field": "name",
    "unique": [["customer", "name"]],
    "fields": [
        {
            "key": "code",
            "type": "auto_number",
            "label": _label("编号", "Code"),
            "config": {"pattern": "OPP-{YYYY}-{seq:4}", "reset": "yearly"},
        },
        {
            "key": "name",
            "type": "text",
            "label": _label("商机名称", "Name"),
            "required": True,
            "config": {"max_length": 40},
        },
        {
            "key": "customer",
            "type": "relation",
            "label": _label("客户", "Customer"),
            "required": True,
            "config": {"target": "customer", "on_delete": "restrict"},
        },
        {
            "key": "customer_level",
            "type": "lookup",
            "label": _label("客户等级", "Customer level"),
            "config": {
                "relation": "customer",
                "field": "level",
                "result_type": "single_select",
                "result_config": {"options": LEVELS},
            },
        },
        {
            "key": "stage",
            "type": "single_select",
            "label": _label("阶段", "Stage"),
            "required": True,
            "default": "open",
            "config": {"options": STAGES},
        },
        {"key": "amount", "type": "money", "label": _label("金额", "Amount"), "config": {"min": 0}},
        {
            "key": "probability",
            "type": "number",
            "label": _label("赢率", "Probability"),
            "config": {"min": 0, "max": 100},
        },
        {
            "key": "weighted",
            "type": "formula",
            "label": _label("加权金额", "Weighted"),
            "config": {
                "expression": "amount * probability / 100",
                "result_type": "money",
                "precision": 2,
            },
        },
        {"key": "cost", "type": "money", "label": _label("成本", "Cost")},
        {
            "key": "lost_reason",
            "type": "text",
            "label": _label("输单原因", "Lost reason"),
            "visible_when": {"field": "stage", "op": "eq", "value": "lost"},
            "required_when": {"field": "stage", "op": "eq", "value": "lost"},
        },
        {
            "key": "contract_no",
            "type": "text",
            "label": _label("合同号", "Contract no."),
            "readonly_when": {"field": "stage", "op": "eq", "value": "won"},
        },
        {
            "key": "lines",
            "type": "child_table",
            "label": _label("产品明细", "Lines"),
            "config": {"table": "opportunity_line"},
        },
        {
            "key": "product_total",
            "type": "rollup",
            "label": _label("产品合计", "Product total"),
            "config": {
                "child": "lines",
                "aggregate": "sum",
                "field": "subtotal",
                "result_type": "money",
                "result_config": {"precision": 2},
            },
        },
        {
            "key": "activity_count",
            "type": "rollup",
            "label": _label("活动数", "Activities"),
            "config": {"table": "activity", "via": "opportunity", "aggregate": "count"},
        },
        {
            "key": "line_total",
            "type": "formula",
            "label": _label("明细合计", "Line total"),
            "config": {"expression": "SUM(lines.subtotal)", "result_type": "money", "precision": 2},
        },
    ],
    "rules": [
        {
            "key": "won_has_amount",
            "when": {"field": "stage", "op": "eq", "value": "won"},
            "condition": {"field": "amount", "op": "gt", "value": 0},
            "fields": ["amount"],
            "message": _label("赢单商机的金额必须大于 0", "A won opportunity needs an amount"),
        },
    ],
}

OPPORTUNITY_LINE: dict[str, Any] = {
    "key": "opportunity_line",
    "label": _label("商机明细", "Opportunity line"),
    "parent": "opportunity",
    "fields": [
        {"key": "product", "type": "text", "label": _label("产品", "Product"), "required": True},
        {
            "key": "quantity",
            "type": "number",
            "label": _label("数量", "Quantity"),
            "default": 1,
            "config": {"min": 1},
        },
        {"key": "unit_price", "type": "money", "label": _label("单价", "Unit price")},
        {
            "key": "subtotal",
            "type": "formula",
            "label": _label("小计", "Subtotal"),
            "config": {
                "expression": "ROUND(quantity * unit_price, 2)",
                "result_type": "money",
                "precision": 2,
            },
        },
    ],
}

ACTIVITY: dict[str, Any] = {
    "key": "activity",
    "label": _label("活动", "Activity"),
    "title_field": "subject",
    "fields": [
        {"key": "subject", "type": "text", "label": _label("主题", "Subject"), "required": True},
        {"key": "ref", "type": "text", "label": _label("参考号", "Reference"), "unique": True},
        {
            "key": "opportunity",
            "type": "relation",
            "label": _label("商机", "Opportunity"),
            "required": True,
            "config": {"target": "opportunity", "on_delete": "cascade"},
        },
        {
            "key": "opportunity_name",
            "type": "lookup",
            "label": _label("商机名称", "Opportunity name"),
            "config": {"relation": "opportunity", "field": "name", "result_type": "text"},
        },
    ],
}

ALL = ["read", "create", "update", "delete", "export", "share"]
ROLES: list[dict[str, Any]] = [
    {
        "key": "sales_rep",
        "label": _label("销售代表", "Sales rep"),
        "permissions": {
            "opportunity": {
                "actions": ["read", "create", "update", "delete"],
                "row_scope": "own",
                "fields": {"cost": "hidden", "probability": "read"},
            },
            "opportunity_line": {
                "actions": ["read"],
                "row_scope": "all",
                "fields": {"unit_price": "edit"},
            },
            "customer": {
                "actions": ["read", "create", "update"],
                "row_scope": "all",
                "fields": {"phone": "masked", "email": "masked"},
            },
            "activity": {"actions": ["read", "create", "update", "delete"], "row_scope": "own"},
        },
    },
    {
        "key": "sales_manager",
        "label": _label("销售经理", "Sales manager"),
        "permissions": {
            "opportunity": {"actions": ALL, "row_scope": "department_tree"},
            "customer": {"actions": ALL, "row_scope": "department"},
        },
    },
    {
        "key": "east_viewer",
        "label": _label("华东查看", "East viewer"),
        "permissions": {
            "customer": {
                "actions": ["read"],
                "row_scope": {"field": "region", "op": "eq", "value": "east"},
            },
        },
    },
    {
        "key": "customer_only",
        "label": _label("客户查看", "Customer reader"),
        "permissions": {
            "customer": {"actions": ["read"], "row_scope": "all"},
        },
    },
]


def crm_app(**settings: Any) -> AppSpec:
    return AppSpec.from_dict(
        {
            "key": "crm",
            "name": _label("客户管理", "CRM"),
            "version": "1",
            "settings": {"timezone": "Asia/Shanghai", **settings},
            "roles": ROLES,
            "tables": [CUSTOMER, OPPORTUNITY, OPPORTUNITY_LINE, ACTIVITY],
        }
    )
