"""The demo-data generator: deterministic, streaming, and consistent with the app's fields,
rules and formulas."""

from __future__ import annotations

import itertools
import json
import re
import time
import tracemalloc
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from examples.opportunity import APP_DIR
from examples.opportunity._demo_names import uscc_is_valid
from examples.opportunity._demo_timeline import local_ordinal
from examples.opportunity.demo import generate
from examples.opportunity.reference_data import load_seeds, positional_ids
from form_engine.fields import default_registry
from form_engine.formula import evaluate_formula, parse_formula
from schemas.spec import FieldSpec

TODAY = date(2026, 11, 28)
USERS = (2, 3, 4, 5, 6)
SYSTEM = {"id", "owner_id", "created_by", "created_at"}
N, BATCH = 700, 120

Rows = dict[str, list[dict[str, Any]]]


def _tables() -> dict[str, dict[str, Any]]:
    docs = (json.loads(p.read_text("utf-8")) for p in (APP_DIR / "tables").glob("*.json"))
    return {doc["key"]: doc for doc in docs}


TABLES = _tables()
REFS = positional_ids(load_seeds())
STAGES = {
    row["code"]: row for row in next(s for s in load_seeds() if s.table == "pipeline_stage").rows
}
STAGE_BY_ID = {REFS["pipeline_stage"][code]: row for code, row in STAGES.items()}


@pytest.fixture(scope="module")
def batches() -> list[tuple[str, list[dict[str, Any]]]]:
    return list(generate(N, seed=11, users=USERS, today=TODAY, batch_size=BATCH))


@pytest.fixture(scope="module")
def rows(batches) -> Rows:
    out: Rows = defaultdict(list)
    for table, batch in batches:
        out[table].extend(batch)
    return out


def test_same_seed_same_rows_other_seed_other_rows() -> None:
    def run(seed: int) -> list:
        return list(generate(60, seed=seed, users=USERS, today=TODAY, batch_size=25))

    assert run(3) == run(3)
    assert run(3) != run(4)


def test_batches_are_bounded_and_cover_the_tables(batches, rows) -> None:
    assert all(0 < len(batch) <= BATCH for _, batch in batches)
    assert len(rows["opportunity"]) == N
    assert len(rows["customer"]) == N // 5 and len(rows["contact"]) == 2 * N // 5
    expected = {
        "customer",
        "contact",
        "lead",
        "opportunity",
        "opportunity_contact",
        "stage_history",
        "follow_up",
        "task",
        "quote",
        "contract",
        "win_loss_review",
        "sales_target",
    }
    assert set(rows) == expected
    for table, table_rows in rows.items():
        ids = [r["id"] for r in table_rows]
        assert ids == list(range(1, len(ids) + 1)), table


def test_rows_hold_only_input_fields_with_valid_values(rows) -> None:
    registry = default_registry()
    problems: list[str] = []

    def check(row: dict[str, Any], table: str, system: set[str]) -> None:
        fields = {f["key"]: f for f in TABLES[table]["fields"]}
        for key, value in row.items():
            if key in system:
                continue
            spec = FieldSpec.from_dict(fields[key])
            field_type = registry.for_field(spec)
            if field_type.computed:
                problems.append(f"{table}.{key} is computed")
            elif spec.type == "child_table":
                for child in value:
                    check(child, spec.config["table"], set())
            elif value is not None:
                parsed = field_type.parse(value, spec)
                problems.extend(
                    f"{table}.{key}={value!r}: {e}" for e in field_type.validate(parsed, spec)
                )
        required = [f["key"] for f in fields.values() if f.get("required")]
        problems.extend(f"{table}.{k} missing" for k in required if row.get(k) is None)

    for table, table_rows in rows.items():
        for row in table_rows[:150]:
            check(row, table, SYSTEM)
    assert problems == []


def test_relations_point_at_rows_written_earlier(batches) -> None:
    seen: dict[str, set[int]] = {t: set(ids.values()) for t, ids in REFS.items()}
    dangling = []

    def check(row: dict[str, Any], table: str) -> None:
        for field in TABLES[table]["fields"]:
            value = row.get(field["key"])
            if value is None:
                continue
            if field["type"] == "relation" and value not in seen[field["config"]["target"]]:
                dangling.append(f"{table}.{field['key']}={value}")
            if field["type"] == "user" and value not in USERS:
                dangling.append(f"{table}.{field['key']}={value} is not a user")
            if field["type"] == "child_table":
                for child in value:
                    check(child, field["config"]["table"])

    for table, batch in batches:
        seen.setdefault(table, set())
        for row in batch:
            if table == "customer" and row["parent_company"] is not None:
                assert row["parent_company"] < row["id"]
            check(row, table)
        seen[table].update(row["id"] for row in batch)
        assert all(row["owner_id"] in USERS for row in batch)
    assert dangling == []


def test_customers_have_valid_unique_credit_codes(rows) -> None:
    pattern = next(f for f in TABLES["customer"]["fields"] if f["key"] == "uscc")
    codes = [c["uscc"] for c in rows["customer"]]
    assert len(set(codes)) == len(codes)
    assert all(re.fullmatch(pattern["config"]["pattern"], c) and uscc_is_valid(c) for c in codes)
    assert not uscc_is_valid(codes[0][:17] + ("0" if codes[0][17] != "0" else "1"))
    assert all(c["name"].endswith("公司") for c in rows["customer"])


def test_opportunities_agree_with_their_stage_and_dates(rows) -> None:
    subtotal = parse_formula(
        next(f for f in TABLES["opportunity_line"]["fields"] if f["key"] == "subtotal")["config"][
            "expression"
        ]
    )
    for opp in rows["opportunity"]:
        stage = STAGE_BY_ID[opp["stage"]]
        created = local_ordinal(int(opp["created_at"].timestamp()))
        assert opp["probability"] == stage["probability"]
        assert opp["stage_entered_at"] >= opp["created_at"]
        assert opp["expected_close_date"].toordinal() > created
        if stage["stage_type"] == "open":
            assert opp["closed_on"] is None and opp["expected_close_date"] >= TODAY
        else:
            assert created <= opp["closed_on"].toordinal() < TODAY.toordinal()
        if stage["stage_type"] == "lost":
            assert opp["lost_reason"] is not None
        total = sum(evaluate_formula(subtotal, line) for line in opp["lines"])
        assert total == opp["amount"] > 0
        assert opp["primary_contact"] == 2 * opp["customer"] - 1


def test_stage_history_retraces_each_opportunity(rows) -> None:
    history = defaultdict(list)
    for row in rows["stage_history"]:
        history[row["opportunity"]].append(row)
    initial = REFS["pipeline_stage"]["initial_contact"]
    for opp in rows["opportunity"]:
        steps = history[opp["id"]]
        assert steps[0]["from_stage"] is None and steps[0]["to_stage"] == initial
        assert steps[0]["entered_at"] == opp["created_at"]
        for before, after in itertools.pairwise(steps):
            assert after["from_stage"] == before["to_stage"]
            assert before["left_at"] == after["entered_at"] > before["entered_at"]
            expected_days = (before["left_at"] - before["entered_at"]) / timedelta(days=1)
            assert before["days_in_stage"] == round(expected_days, 1)
        assert steps[-1]["to_stage"] == opp["stage"] and steps[-1]["left_at"] is None
        assert steps[-1]["entered_at"] == opp["stage_entered_at"]
        assert [s["probability"] for s in steps] == [
            STAGE_BY_ID[s["to_stage"]]["probability"] for s in steps
        ]


def test_activities_fall_inside_the_life_of_their_opportunity(rows) -> None:
    opps = {o["id"]: o for o in rows["opportunity"]}
    for follow_up in rows["follow_up"]:
        opp = opps[follow_up["opportunity"]]
        assert follow_up["customer"] == opp["customer"]
        assert follow_up["contact"] in (2 * opp["customer"] - 1, 2 * opp["customer"])
        assert follow_up["occurred_at"] >= opp["created_at"]
        if opp["closed_on"] is not None:
            assert follow_up["occurred_at"] <= opp["stage_entered_at"]
        assert follow_up["occurred_at"].date() < TODAY + timedelta(days=1)
    for task in rows["task"]:
        assert task["assignee"] == task["owner_id"] == opps[task["opportunity"]]["owner_id"]
        assert (task["status"] == "done") == (task["completed_at"] is not None)


def test_leads_quotes_contracts_and_reviews_fit_their_opportunity(rows) -> None:
    opps = {o["id"]: o for o in rows["opportunity"]}
    leads = {lead["id"]: lead for lead in rows["lead"]}
    stage_type = {oid: STAGE_BY_ID[o["stage"]]["stage_type"] for oid, o in opps.items()}
    reached_proposal = {
        h["opportunity"]
        for h in rows["stage_history"]
        if h["to_stage"] == REFS["pipeline_stage"]["proposal"]
    }
    for opp in opps.values():
        if opp["source_lead"] is not None:
            lead = leads[opp["source_lead"]]
            assert lead["status"] == "converted" and lead["converted_customer"] == opp["customer"]
            assert lead["created_at"] < opp["created_at"] == lead["converted_at"]
    for quote in rows["quote"]:
        opp = opps[quote["opportunity"]]
        assert quote["opportunity"] in reached_proposal
        assert quote["lines"] == opp["lines"] and quote["valid_until"] > quote["quote_date"]
    contracts = rows["contract"]
    assert {c["opportunity"] for c in contracts} == {
        oid for oid, kind in stage_type.items() if kind == "won"
    }
    for contract in contracts:
        assert contract["amount"] == opps[contract["opportunity"]]["amount"]
        plans = contract["payment_plans"]
        assert sum(p["planned_amount"] for p in plans) == contract["amount"]
        assert [p["installment"] for p in plans] == list(range(1, len(plans) + 1))
        for plan in plans:
            assert (plan["status"] == "received") == (plan["received_on"] is not None)
            assert plan["received_on"] is None or plan["received_on"] < TODAY
    reviewed = [r["opportunity"] for r in rows["win_loss_review"]]
    assert len(reviewed) == len(set(reviewed))
    for review in rows["win_loss_review"]:
        assert review["result"] == stage_type[review["opportunity"]]
        assert review["reviewed_on"] < TODAY


def test_sales_targets_are_one_per_user_and_month(rows) -> None:
    targets = rows["sales_target"]
    keys = {(t["user"], t["period_start"]) for t in targets}
    assert len(keys) == len(targets)
    assert {t["user"] for t in targets} == set(USERS)
    assert all(t["amount"] >= Decimal(50_000) and t["period_start"].day == 1 for t in targets)


def test_generation_is_lazy() -> None:
    started = time.perf_counter()
    table, batch = next(generate(10_000_000, today=TODAY, batch_size=50))
    assert table == "customer" and len(batch) == 50
    assert time.perf_counter() - started < 2


def _peak_bytes(n: int) -> int:
    tracemalloc.start()
    try:
        for _ in generate(n, today=TODAY, batch_size=200):
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_stays_flat_as_the_volume_grows() -> None:
    small, large = _peak_bytes(1_000), _peak_bytes(6_000)
    assert large < small * 1.5


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="users"):
        next(generate(10, users=(), today=TODAY))
    with pytest.raises(ValueError, match="batch_size"):
        next(generate(10, today=TODAY, batch_size=0))
