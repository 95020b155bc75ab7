"""Defaults in the sample app: a default formula may read a lookup (probability follows the
stage), and formulas see the defaulted value (weighted amount)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa

from builder.model import load_app
from runtime._cli_common import SAMPLE_APP
from runtime.apps import open_app
from runtime.publish import publish
from runtime.records import Actor
from runtime.seed import load_seed


def test_probability_defaults_to_the_stage_probability_and_feeds_the_weighted_amount(
    engine: sa.Engine,
) -> None:
    result = load_app(SAMPLE_APP)
    assert result.spec is not None
    publish(engine, result.spec, result.document)
    service = open_app(engine, "opportunity")
    system = Actor.system()
    seeded = load_seed(service, system, SAMPLE_APP / "seed")
    customer = service.create(
        system, "customer", {"name": "杭州云栖科技有限公司", "region": "east"}
    )
    stage_id = seeded.ids["pipeline_stage"]["solution_demo"]
    stage = service.get(system, "pipeline_stage", stage_id)
    created = service.create(
        system,
        "opportunity",
        {
            "name": "云栖 CRM 项目",
            "customer": customer["id"],
            "stage": stage_id,
            "amount": "100000",
            "currency": "CNY",
            "expected_close_date": (date.today() + timedelta(days=30)).isoformat(),
        },
    )
    assert Decimal(str(created["probability"])) == Decimal(str(stage["probability"]))
    expected = Decimal(100000) * Decimal(str(stage["probability"])) / 100
    assert Decimal(created["weighted_amount"]) == expected
