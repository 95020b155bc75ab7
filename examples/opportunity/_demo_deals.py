"""Demo opportunities and everything hanging off one: its source lead, product lines, contact
roles, stage history, follow-ups, tasks, quotes, contract with payment plan and win/loss
review. Rows are consistent by construction: dates follow the stage walk, probability comes
from the stage, line subtotals add up to the amount, the payment plan to the contract.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from examples.opportunity._demo_closing import write_contract, write_quotes, write_review
from examples.opportunity._demo_leads import write_converted_lead, write_open_lead
from examples.opportunity._demo_names import CustomerFacts, People, pick
from examples.opportunity._demo_timeline import (
    DAY,
    OPEN_STAGES,
    local_ordinal,
    to_date,
    to_datetime,
    walk_stages,
    working_time,
)
from examples.opportunity._demo_world import OPPORTUNITY_DAYS, Product, World

Row = dict[str, Any]

DEAL_TABLES = (
    "lead",
    "opportunity",
    "opportunity_contact",
    "stage_history",
    "follow_up",
    "task",
    "quote",
    "contract",
    "win_loss_review",
)
"""Tables filled per opportunity, in the order their rows may be written."""

_SOURCES = ("website", "referral", "exhibition", "cold_call", "partner", "advertising", "wecom")
_LEAD_SOURCES = ("web_form", "import", "wecom", "dingtalk", "event", "referral", "cold_call")
_DISCOUNTS = (0, 0, 0, 0, 5, 5, 10, 10, 15, 20, 30)
_NEXT_STEPS = {
    "initial_contact": "安排首次拜访，确认联系人",
    "qualification": "确认预算、决策人和时间表",
    "solution_demo": "安排产品演示和样板客户参观",
    "proposal": "提交报价并跟进客户反馈",
    "negotiation": "推进合同审批和盖章",
}
_OTHER_ROLES = (
    "technical_contact",
    "procurement",
    "finance",
    "end_user",
    "evaluator",
    "influencer",
    "executive_sponsor",
)
_FOLLOW_UP_TYPES = (
    ("call",) * 7
    + ("wechat",) * 5
    + ("visit",) * 3
    + ("meeting",) * 2
    + ("email", "email", "other")
)
_SUBJECTS = {
    "call": "电话沟通",
    "wechat": "微信跟进",
    "visit": "上门拜访",
    "meeting": "需求会议",
    "email": "邮件往来",
    "other": "内部跟进",
}
_REACTIONS = (
    "反馈积极",
    "表示需要内部讨论",
    "主要关注价格",
    "希望下周再约",
    "提出了新的需求",
    "对实施周期有顾虑",
    "要求提供同行业案例",
    "决策人出差，待定",
)
_MATERIALS = ("产品资料", "报价单", "同行业案例", "方案 PPT", "合同草稿", "实施计划")
_LOST_WEIGHTS = {
    "price_too_high": 6,
    "lost_to_competitor": 6,
    "missing_features": 3,
    "no_budget": 4,
    "no_decision": 4,
    "unresponsive": 3,
    "lack_resources": 1,
    "lead_time": 1,
    "champion_left": 1,
}


class DealWriter:
    """Writes the rows of opportunity after opportunity into per-table buffers."""

    def __init__(self, world: World) -> None:
        self.w = world
        self.rng = world.rng
        self.people = People(world.rng)
        self.buffers: dict[str, list[Row]] = {table: [] for table in DEAL_TABLES}
        self.won_cents: dict[tuple[int, int], int] = defaultdict(int)
        """Won amount per (owner, month number = year * 12 + month - 1), for targets."""
        refs = world.refs
        self.role_ids = {code: refs["contact_role"][code] for code in refs["contact_role"]}
        self.industry_ids = refs["industry"]
        self.competitors = world.ref_ids("competitor")
        self.lost_pool = tuple(
            refs["lost_reason"][code]
            for code, n in _LOST_WEIGHTS.items()
            if code in refs["lost_reason"]
            for _ in range(n)
        )
        self.lost_to_competitor = refs["lost_reason"].get("lost_to_competitor")
        self.duplicate_reason = refs["lost_reason"].get("duplicate")
        self.standard_price_list = next(iter(refs["price_list"].values()), None)
        self.span = world.n_opportunities or 1
        self.topics = {product.id: product.topic for product in world.products}

    def add_open_lead(self) -> None:
        """Write a lead that has not become an opportunity."""
        write_open_lead(self.w, self.people, self.buffers["lead"])

    # --- one opportunity -------------------------------------------------------------
    def add(self, index: int) -> None:
        """Write opportunity number ``index`` (0-based) and its dependent rows."""
        w, rng = self.w, self.rng
        rand = rng.random
        customer = 1 + min(w.n_customers - 1, int(w.n_customers * rand() ** 1.6))
        facts = CustomerFacts.of(customer, w.seed)
        owner = facts.owner(w.users, w.seed) if rand() < 0.85 else pick(rng, w.users)
        day = w.first_opportunity_day + (index * (OPPORTUNITY_DAYS - 1)) // self.span
        created = working_time(rng, day)
        path = walk_stages(rng, created, w.now)
        stage_code, entered = path[-1]
        stage = w.stages[stage_code]
        is_open = stage_code in OPEN_STAGES
        lines, cents = self._lines()
        main = lines[0]["product"]
        topic = self.topics[main]
        oid = w.next_id("opportunity")
        lead = (
            write_converted_lead(w, self.people, self.buffers["lead"], facts, owner, created, main)
            if rand() < 0.35
            else None
        )
        if is_open:
            depth = OPEN_STAGES.index(stage_code)
            expected = w.today + 5 + int(rand() * ((5 - depth) * 20 + 30))
            closed_on = None
        else:
            closed_on = local_ordinal(entered)
            expected = max(local_ordinal(created) + 1, closed_on - int(rand() * 30))
        competitor = pick(rng, self.competitors) if rand() < 0.5 else None
        lost_reason = None
        if stage_code == "lost":
            lost_reason = pick(rng, self.lost_pool)
            if lost_reason == self.lost_to_competitor and competitor is None:
                competitor = pick(rng, self.competitors)
        elif stage_code == "invalid" and rand() < 0.5:
            lost_reason = self.duplicate_reason
        amount = Decimal(cents).scaleb(-2)
        opp: Row = {
            "id": oid,
            "owner_id": owner,
            "created_by": owner,
            "created_at": to_datetime(created),
            "name": f"{facts.short_name}{topic}项目",
            "customer": customer,
            "primary_contact": 2 * customer - 1,
            "stage": stage.id,
            "stage_entered_at": to_datetime(entered),
            "amount": amount,
            "currency": "CNY",
            "probability": stage.probability,
            "expected_close_date": to_date(expected),
            "closed_on": to_date(closed_on) if closed_on else None,
            "priority": "high" if cents > 50_000_000 else pick(rng, ("medium", "medium", "low")),
            "source": pick(rng, _SOURCES),
            "source_lead": lead,
            "competitor": competitor,
            "lost_reason": lost_reason,
            "lost_note": "客户最终选择了其他方案" if stage_code == "lost" else None,
            "next_step": _NEXT_STEPS[stage_code] if is_open else None,
            "next_step_date": to_date(w.today + 1 + int(rand() * 14)) if is_open else None,
            "lines": lines,
            "description": None,
        }
        self.buffers["opportunity"].append(opp)
        end = entered if not is_open else w.now
        self._contacts(oid, customer, owner, created)
        self._history(opp, path)
        self._follow_ups(opp, facts, path, end)
        self._tasks(opp, is_open, created, end)
        quote = write_quotes(w, self.buffers["quote"], opp, path, self.standard_price_list)
        if stage_code == "won":
            write_contract(w, self.buffers["contract"], opp, quote, closed_on or w.today)
            self.won_cents[owner, _month(closed_on or w.today)] += cents
        if stage_code in ("won", "lost") and rand() < 0.4:
            write_review(w, self.buffers["win_loss_review"], opp, stage_code, closed_on or w.today)

    def _lines(self) -> tuple[list[Row], int]:
        rng, pool = self.rng, self.w.product_pool
        lines, total, seen = [], 0, set()
        for _ in range(1 + int(rng.random() * pick(rng, (1, 2, 3, 4)))):
            product: Product = pool[int(rng.random() * len(pool))]
            if product.id in seen:
                continue
            seen.add(product.id)
            qty = product.min_qty + int(rng.random() * (product.max_qty - product.min_qty + 1))
            discount = pick(rng, _DISCOUNTS)
            # Whole-yuan prices make the discounted subtotal exact in cents.
            total += product.price_cents * qty * (100 - discount) // 100
            lines.append(
                {
                    "product": product.id,
                    "description": None,
                    "quantity": qty,
                    "unit_price": product.price,
                    "discount_percent": discount,
                }
            )
        return lines, total

    def _contacts(self, oid: int, customer: int, owner: int, created: int) -> None:
        rng, out = self.rng, self.buffers["opportunity_contact"]
        at = to_datetime(created)
        roles = [(2 * customer - 1, "decision_maker", True)]
        if rng.random() < 0.6:
            roles.append((2 * customer, pick(rng, _OTHER_ROLES), False))
        for contact, role, primary in roles:
            out.append(
                {
                    "id": self.w.next_id("opportunity_contact"),
                    "owner_id": owner,
                    "created_by": owner,
                    "created_at": at,
                    "opportunity": oid,
                    "contact": contact,
                    "role": self.role_ids[role],
                    "is_primary": primary,
                    "attitude": pick(rng, ("support", "support", "neutral", "oppose")),
                    "notes": None,
                }
            )

    def _history(self, opp: Row, path: list[tuple[str, int]]) -> None:
        stages, out = self.w.stages, self.buffers["stage_history"]
        owner = opp["owner_id"]
        previous = None
        for position, (code, entered) in enumerate(path):
            left = path[position + 1][1] if position + 1 < len(path) else None
            stage = stages[code]
            out.append(
                {
                    "id": self.w.next_id("stage_history"),
                    "owner_id": owner,
                    "created_by": owner,
                    "created_at": to_datetime(entered),
                    "opportunity": opp["id"],
                    "from_stage": previous,
                    "to_stage": stage.id,
                    "entered_at": to_datetime(entered),
                    "left_at": to_datetime(left) if left is not None else None,
                    "days_in_stage": round((left - entered) / DAY, 1) if left is not None else None,
                    "amount": opp["amount"],
                    "probability": stage.probability,
                    "expected_close_date": opp["expected_close_date"],
                    "changed_by": owner,
                    "note": None,
                }
            )
            previous = stage.id

    def _follow_ups(
        self, opp: Row, facts: CustomerFacts, path: list[tuple[str, int]], end: int
    ) -> None:
        rng, out = self.rng, self.buffers["follow_up"]
        rand = rng.random
        start = path[0][1]
        life_days = (end - start) / DAY
        count = 1 + min(4, int(rand() * (1 + life_days / 20)))
        times = sorted(start + int(rand() * (end - start)) for _ in range(count))
        owner, customer = opp["owner_id"], opp["customer"]
        for position, at in enumerate(times):
            kind = _FOLLOW_UP_TYPES[int(rand() * len(_FOLLOW_UP_TYPES))]
            last = position == count - 1 and opp["closed_on"] is None
            content = (
                f"{_SUBJECTS[kind]}：{facts.short_name}，介绍{opp['name']}相关"
                f"{pick(rng, _MATERIALS)}，客户{pick(rng, _REACTIONS)}。"
            )
            out.append(
                {
                    "id": self.w.next_id("follow_up"),
                    "owner_id": owner,
                    "created_by": owner,
                    "created_at": to_datetime(at),
                    "subject": f"{_SUBJECTS[kind]}-{facts.short_name}",
                    "type": kind,
                    "occurred_at": to_datetime(at),
                    "duration_minutes": 10 + int(rand() * 80),
                    "content": content,
                    "customer": customer,
                    "contact": 2 * customer - (0 if rand() < 0.3 else 1),
                    "opportunity": opp["id"],
                    "lead": None,
                    "next_follow_up_date": (
                        to_date(max(local_ordinal(at) + 3, self.w.today)) if last else None
                    ),
                    "check_in": None,
                    "attachments": None,
                }
            )

    def _tasks(self, opp: Row, is_open: bool, created: int, end: int) -> None:
        rng, w = self.rng, self.w
        rand = rng.random
        if is_open and rand() < 0.8:
            due = w.today + (1 + int(rand() * 21) if rand() < 0.8 else -1 - int(rand() * 10))
            status, completed = pick(rng, ("not_started", "in_progress")), None
        elif not is_open and rand() < 0.3:
            done_at = created + int(rand() * (end - created))
            due, status, completed = local_ordinal(done_at), "done", to_datetime(done_at)
        else:
            return
        owner = opp["owner_id"]
        self.buffers["task"].append(
            {
                "id": w.next_id("task"),
                "owner_id": owner,
                "created_by": owner,
                "created_at": to_datetime(created),
                "title": opp["next_step"] or "整理客户资料并归档",
                "status": status,
                "priority": opp["priority"],
                "due_date": to_date(due),
                "remind_at": None,
                "assignee": owner,
                "customer": opp["customer"],
                "opportunity": opp["id"],
                "lead": None,
                "completed_at": completed,
                "description": None,
            }
        )


def _month(ordinal: int) -> int:
    day = to_date(ordinal)
    return day.year * 12 + day.month - 1
