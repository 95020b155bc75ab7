"""Demo documents that close a deal: quotes (with lines copied from the opportunity), the
contract of a won opportunity with its payment plan, and win/loss reviews."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from examples.opportunity._demo_names import pick
from examples.opportunity._demo_timeline import (
    DAY,
    local_ordinal,
    to_date,
    to_datetime,
    working_time,
)
from examples.opportunity._demo_world import World

Row = dict[str, Any]
_PAYMENT_SPLITS = ((100,), (50, 50), (30, 60, 10), (40, 40, 20))
"""Instalment shares in percent; deals under 50,000 yuan are paid at once."""


def write_quotes(
    world: World, out: list[Row], opp: Row, path: list[tuple[str, int]], price_list: int | None
) -> int | None:
    """Quotes for an opportunity that reached the proposal stage; returns the last id."""
    codes = [code for code, _ in path]
    if "proposal" not in codes:
        return None
    rng, w = world.rng, world
    at = path[codes.index("proposal")][1]
    final = {"won": "accepted", "lost": "rejected"}.get(
        codes[-1], "approved" if codes[-1] == "negotiation" else "sent"
    )
    versions = 2 if rng.random() < 0.2 else 1
    quote_id = None
    for version in range(1, versions + 1):
        day = local_ordinal(at) + (version - 1) * 3
        quote_id = w.next_id("quote")
        owner = opp["owner_id"]
        out.append(
            {
                "id": quote_id,
                "owner_id": owner,
                "created_by": owner,
                "created_at": to_datetime(at + (version - 1) * 3 * DAY),
                "title": f"{opp['name']}报价",
                "opportunity": opp["id"],
                "customer": opp["customer"],
                "contact": opp["primary_contact"],
                "price_list": price_list,
                "version": version,
                "quote_date": to_date(day),
                "valid_until": to_date(day + 30),
                "status": final if version == versions else "sent",
                "lines": [dict(line) for line in opp["lines"]],
                "terms": None,
                "pdf": None,
            }
        )
    return quote_id


def write_contract(world: World, out: list[Row], opp: Row, quote: int | None, signed: int) -> None:
    """A signed contract for a won opportunity; the payment plan adds up to its amount."""
    rng, w = world.rng, world
    start = signed + int(rng.random() * 14)
    end = start + 364
    cents = int(opp["amount"] * 100)
    split = _PAYMENT_SPLITS[0] if cents < 5_000_000 else pick(rng, _PAYMENT_SPLITS[1:])
    plans, paid = [], 0
    for number, share in enumerate(split, 1):
        part = cents - paid if number == len(split) else cents * share // 100
        paid += part
        planned = signed + (number - 1) * 90
        plans.append(_installment(world, number, planned, part))
    owner = opp["owner_id"]
    out.append(
        {
            "id": w.next_id("contract"),
            "owner_id": owner,
            "created_by": owner,
            "created_at": to_datetime(working_time(rng, signed)),
            "name": f"{opp['name']}合同",
            "customer": opp["customer"],
            "opportunity": opp["id"],
            "quote": quote,
            "amount": opp["amount"],
            "status": "executing" if end >= w.today else "completed",
            "signed_on": to_date(signed),
            "start_date": to_date(start),
            "end_date": to_date(end),
            "customer_signer": opp["primary_contact"],
            "our_signer": owner,
            "payment_plans": plans,
            "files": None,
            "notes": None,
        }
    )


def _installment(world: World, number: int, planned: int, cents: int) -> Row:
    rng, today = world.rng, world.today
    amount = Decimal(cents).scaleb(-2)
    received_on = None
    if planned >= today:
        status = "pending"
    elif rng.random() < 0.85:
        status = "received"
        received_on = min(today - 1, planned + int(rng.random() * 20))
    else:
        status = "overdue"
    return {
        "installment": number,
        "planned_date": to_date(planned),
        "planned_amount": amount,
        "status": status,
        "received_amount": amount if received_on else None,
        "received_on": to_date(received_on) if received_on else None,
        "remind_days": 7,
    }


def write_review(world: World, out: list[Row], opp: Row, result: str, closed: int) -> None:
    rng, w = world.rng, world
    reviewed = min(w.today - 1, closed + 1 + int(rng.random() * 10))
    reviewer = pick(rng, w.users)
    out.append(
        {
            "id": w.next_id("win_loss_review"),
            "owner_id": opp["owner_id"],
            "created_by": reviewer,
            "created_at": to_datetime(working_time(rng, reviewed)),
            "opportunity": opp["id"],
            "result": result,
            "primary_reason": opp["lost_reason"] if result == "lost" else None,
            "competitor": opp["competitor"],
            "decision_criteria": "价格、实施周期和同行业案例",
            "went_well": "需求把握准确，演示效果好" if result == "won" else None,
            "to_improve": "更早接触决策人，提前准备竞品对比",
            "reviewer": reviewer,
            "reviewed_on": to_date(reviewed),
        }
    )
