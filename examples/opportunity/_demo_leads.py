"""Demo leads (线索): the ones converted into opportunities of existing customers and
recent ones still being worked, assigned or disqualified."""

from __future__ import annotations

from typing import Any

from examples.opportunity._demo_names import CustomerFacts, People, pick
from examples.opportunity._demo_timeline import DAY, to_datetime, working_time
from examples.opportunity._demo_world import World

Row = dict[str, Any]
_LEAD_SOURCES = ("web_form", "import", "wecom", "dingtalk", "event", "referral", "cold_call")


def write_converted_lead(
    world: World,
    people: People,
    out: list[Row],
    facts: CustomerFacts,
    owner: int,
    converted: int,
    product: int,
) -> int:
    """A lead from customer ``facts`` that became an opportunity at ``converted``."""
    rng = world.rng
    lead_id = world.next_id("lead")
    created = converted - DAY * (1 + int(rng.random() * 20))
    name, email = people.name()
    out.append(
        {
            "id": lead_id,
            "owner_id": owner,
            "created_by": owner,
            "created_at": to_datetime(created),
            "name": f"{facts.short_name}咨询",
            "company_name": facts.name,
            "contact_name": name,
            "title": None,
            "mobile": people.mobile(),
            "email": f"{email}@{facts.domain}",
            "region": facts.city.region,
            "industry": world.refs["industry"].get(facts.industry),
            "product_interest": product,
            "source": pick(rng, _LEAD_SOURCES),
            "utm_campaign": None,
            "status": "converted",
            "score": 50 + int(rng.random() * 50),
            "assigned_at": to_datetime(created + 600),
            "first_response_at": to_datetime(created + 600 + int(rng.random() * 7200)),
            "converted_customer": facts.number,
            "converted_contact": 2 * facts.number - 1,
            "converted_at": to_datetime(converted),
            "disqualify_reason": None,
            "notes": None,
        }
    )
    return lead_id


def write_open_lead(world: World, people: People, out: list[Row]) -> None:
    """A recent lead of a new company that has not (yet) become an opportunity."""
    rng, w = world.rng, world
    rand = rng.random
    created = working_time(rng, w.today - 1 - int(rand() * 120))
    age_days = (w.now - created) // DAY
    status = "new" if age_days < 3 else pick(rng, ("assigned", "working", "working", "invalid"))
    owner = pick(rng, w.users)
    name, email = people.name()
    company = people.company_name()
    out.append(
        {
            "id": w.next_id("lead"),
            "owner_id": owner,
            "created_by": owner,
            "created_at": to_datetime(created),
            "name": f"{company[:8]}咨询",
            "company_name": company,
            "contact_name": name,
            "title": None,
            "mobile": people.mobile(),
            "email": f"{email}@example.cn",
            "region": pick(rng, ("north", "east", "east", "south", "central", "southwest")),
            "industry": pick(rng, w.ref_ids("industry")),
            "product_interest": pick(rng, w.products).id,
            "source": pick(rng, _LEAD_SOURCES),
            "utm_campaign": None,
            "status": status,
            "score": int(rand() * 100),
            "assigned_at": to_datetime(created + 900) if status != "new" else None,
            "first_response_at": None,
            "converted_customer": None,
            "converted_contact": None,
            "converted_at": None,
            "disqualify_reason": "联系方式无效" if status == "invalid" else None,
            "notes": None,
        }
    )
