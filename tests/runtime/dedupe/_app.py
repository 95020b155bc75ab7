"""A small CRM with duplicate rules: customers (company-name warning, credit-code block,
a parent company pointing back at customers), contacts, follow-ups and opportunities
referring to customers, and a rep role that sees only its own customers."""

from __future__ import annotations

from typing import Any

from builder.model import validate_document
from schemas.spec import AppSpec


def _label(zh: str, en: str) -> dict[str, str]:
    return {"zh-CN": zh, "en": en}


def _relation(key: str, target: str, on_delete: str = "restrict") -> dict[str, Any]:
    return {
        "key": key,
        "type": "relation",
        "label": _label(key, key),
        "config": {"target": target, "on_delete": on_delete},
    }


CUSTOMER = {
    "key": "customer",
    "label": _label("客户", "Customer"),
    "title_field": "name",
    "fields": [
        {"key": "name", "type": "text", "label": _label("客户名称", "Name"), "required": True},
        {"key": "uscc", "type": "text", "label": _label("信用代码", "Credit code")},
        {"key": "phone", "type": "phone", "label": _label("电话", "Phone")},
        {"key": "region", "type": "text", "label": _label("区域", "Region")},
        _relation("parent_company", "customer", "set_null"),
        {
            "key": "contact_count",
            "type": "rollup",
            "label": _label("联系人数", "Contacts"),
            "config": {"table": "contact", "via": "customer", "aggregate": "count"},
        },
    ],
    "duplicate_rules": [
        {
            "key": "same_uscc",
            "label": _label("信用代码相同", "Same credit code"),
            "fields": [{"field": "uscc", "match": "exact"}],
            "action": "block",
        },
        {
            "key": "similar_name",
            "label": _label("客户名称相似", "Similar name"),
            "fields": [{"field": "name", "match": "company_name", "threshold": 90}],
            "action": "warn",
        },
        {
            "key": "same_phone",
            "label": _label("电话相同", "Same phone"),
            "fields": [{"field": "phone", "match": "phone"}],
            "action": "report",
        },
    ],
}
CONTACT = {
    "key": "contact",
    "label": _label("联系人", "Contact"),
    "title_field": "name",
    "fields": [
        {"key": "name", "type": "text", "label": _label("姓名", "Name"), "required": True},
        _relation("customer", "customer"),
        {"key": "mobile", "type": "phone", "label": _label("手机", "Mobile")},
        {"key": "email", "type": "email", "label": _label("邮箱", "Email")},
        {
            "key": "customer_name",
            "type": "lookup",
            "label": _label("客户名称", "Customer name"),
            "config": {"relation": "customer", "field": "name"},
        },
    ],
    "duplicate_rules": [
        {
            "key": "same_mobile",
            "label": _label("手机相同", "Same mobile"),
            "fields": [{"field": "mobile", "match": "phone"}],
            "action": "warn",
        },
        {
            "key": "same_domain",
            "label": _label("同一邮箱域名", "Same mail domain"),
            "fields": [{"field": "email", "match": "email_domain"}],
            "action": "report",
        },
    ],
}
FOLLOW_UP = {
    "key": "follow_up",
    "label": _label("跟进", "Follow-up"),
    "title_field": "subject",
    "fields": [
        {"key": "subject", "type": "text", "label": _label("主题", "Subject")},
        _relation("customer", "customer", "set_null"),
        _relation("contact", "contact", "set_null"),
    ],
}
OPPORTUNITY = {
    "key": "opportunity",
    "label": _label("商机", "Opportunity"),
    "title_field": "name",
    "fields": [
        {"key": "name", "type": "text", "label": _label("商机名称", "Name")},
        _relation("customer", "customer"),
        {"key": "amount", "type": "money", "label": _label("金额", "Amount")},
    ],
}
ROLES = [
    {
        "key": "rep",
        "label": _label("销售", "Rep"),
        "permissions": {
            "customer": {
                "actions": ["read", "create", "update", "delete"],
                "row_scope": "own",
            },
            "*": {"actions": ["read", "create", "update"], "row_scope": "own"},
        },
    }
]


def dedupe_document() -> dict[str, Any]:
    return {
        "schema_version": 1,
        "key": "crm",
        "name": _label("客户管理", "CRM"),
        "roles": ROLES,
        "tables": [CUSTOMER, CONTACT, FOLLOW_UP, OPPORTUNITY],
    }


def dedupe_app() -> AppSpec:
    result = validate_document(dedupe_document())
    assert result.spec is not None, [p.render() for p in result.problems]
    return result.spec
