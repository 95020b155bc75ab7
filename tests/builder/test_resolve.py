"""Lookups and rollups take their column type from the field they show."""

from __future__ import annotations

from builder.model import validate_document

LABEL = {"zh-CN": "名", "en": "Name"}


def _app() -> dict:
    def table(key, fields, **extra):
        return {
            "schema_version": 1,
            "key": key,
            "label": LABEL,
            "fields": fields,
            "form": {
                "tabs": [
                    {
                        "key": "main",
                        "label": LABEL,
                        "sections": [{"key": "s", "fields": [f["key"] for f in fields]}],
                    }
                ]
            },
            **extra,
        }

    return {
        "schema_version": 1,
        "key": "demo",
        "name": LABEL,
        "tables": [
            table(
                "customer",
                [
                    {"key": "name", "type": "text", "label": LABEL},
                    {
                        "key": "level",
                        "type": "single_select",
                        "label": LABEL,
                        "config": {"options": [{"key": "a", "label": LABEL}]},
                    },
                    {
                        "key": "won_total",
                        "type": "rollup",
                        "label": LABEL,
                        "config": {
                            "table": "deal",
                            "via": "customer",
                            "aggregate": "sum",
                            "field": "amount",
                        },
                    },
                    {
                        "key": "deal_count",
                        "type": "rollup",
                        "label": LABEL,
                        "config": {"table": "deal", "via": "customer", "aggregate": "count"},
                    },
                ],
            ),
            table(
                "deal",
                [
                    {
                        "key": "customer",
                        "type": "relation",
                        "label": LABEL,
                        "config": {"target": "customer"},
                    },
                    {"key": "amount", "type": "money", "label": LABEL, "config": {"precision": 2}},
                    {
                        "key": "customer_level",
                        "type": "lookup",
                        "label": LABEL,
                        "config": {"relation": "customer", "field": "level"},
                    },
                    {
                        "key": "customer_created",
                        "type": "lookup",
                        "label": LABEL,
                        "config": {"relation": "customer", "field": "name"},
                    },
                ],
            ),
        ],
    }


def test_lookup_takes_the_type_and_config_of_the_looked_up_field() -> None:
    result = validate_document(_app())
    assert result.problems == []
    level = result.spec.table("deal").field("customer_level")
    assert level.config["result_type"] == "single_select"
    assert level.config["result_config"]["options"][0]["key"] == "a"
    created = result.spec.table("deal").field("customer_created")
    assert created.config["result_type"] == "text"


def test_rollup_sum_keeps_money_and_count_is_a_whole_number() -> None:
    result = validate_document(_app())
    customer = result.spec.table("customer")
    assert customer.field("won_total").config["result_type"] == "money"
    assert customer.field("won_total").config["result_config"] == {"precision": 2}
    assert customer.field("deal_count").config["result_type"] == "number"
    assert customer.field("deal_count").config["result_config"] == {"precision": 0}


def test_resolving_does_not_change_the_callers_document() -> None:
    document = _app()
    validate_document(document)
    assert "result_type" not in document["tables"][1]["fields"][2]["config"]
