"""A hand-written Flask-style SQLAlchemy model of the benchmark's tables.

It does the work a careful hand-written app would do for the same table: check required
fields and the stage option, check the customer exists, compute the weighted amount, write
the row and one history row in one transaction. The record service's overhead is measured
against this.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from form_engine.fields.sqltypes import ExactDecimal, UTCDateTime, json_column_type

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
STAGES = ("qualify", "propose", "negotiate", "won", "lost")


class Base(DeclarativeBase):
    pass


class HandCustomer(Base):
    __tablename__ = "hand_customer"
    id: Mapped[int] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class HandOpportunity(Base):
    __tablename__ = "hand_opportunity"
    id: Mapped[int] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    customer_id: Mapped[int] = mapped_column(ID, sa.ForeignKey("hand_customer.id"), index=True)
    stage: Mapped[str] = mapped_column(sa.String(64))
    amount: Mapped[Decimal | None] = mapped_column(ExactDecimal(2))
    probability: Mapped[Decimal | None] = mapped_column(ExactDecimal(0))
    weighted_amount: Mapped[Decimal | None] = mapped_column(ExactDecimal(2))
    expected_close_date: Mapped[date | None] = mapped_column(sa.Date)
    description: Mapped[str | None] = mapped_column(sa.Text)
    owner_id: Mapped[int | None] = mapped_column(ID)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    row_version: Mapped[int] = mapped_column(sa.Integer, default=1)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    __table_args__ = (
        sa.Index("ix_hand_opp_stage_close", "stage", "expected_close_date"),
        sa.Index("ix_hand_opp_owner", "owner_id", "id"),
        sa.Index("ix_hand_opp_updated", "updated_at", "id"),
    )


class HandHistory(Base):
    __tablename__ = "hand_history"
    id: Mapped[int] = mapped_column(ID, primary_key=True)
    record_id: Mapped[int] = mapped_column(ID, index=True)
    action: Mapped[str] = mapped_column(sa.String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    changes: Mapped[Any] = mapped_column(json_column_type())


def weighted(amount: Decimal | None, probability: Decimal | None) -> Decimal | None:
    if amount is None or probability is None:
        return None
    return (amount * probability / 100).quantize(Decimal("0.01"))


def as_dict(row: HandOpportunity) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "customer": row.customer_id,
        "stage": row.stage,
        "amount": None if row.amount is None else str(row.amount),
        "probability": None if row.probability is None else str(row.probability),
        "weighted_amount": None if row.weighted_amount is None else str(row.weighted_amount),
        "expected_close_date": row.expected_close_date and row.expected_close_date.isoformat(),
        "description": row.description,
        "row_version": row.row_version,
    }


def create(session: Session, values: dict[str, Any]) -> dict[str, Any]:
    if not values.get("name") or values.get("stage") not in STAGES:
        raise ValueError("name and a valid stage are required")
    if session.get(HandCustomer, values["customer"]) is None:
        raise ValueError("customer does not exist")
    now = datetime.now(UTC)
    amount = Decimal(str(values["amount"]))
    probability = Decimal(str(values["probability"]))
    row = HandOpportunity(
        name=values["name"],
        customer_id=values["customer"],
        stage=values["stage"],
        amount=amount,
        probability=probability,
        weighted_amount=weighted(amount, probability),
        expected_close_date=date.fromisoformat(values["expected_close_date"]),
        description=values.get("description"),
        created_at=now,
        updated_at=now,
        row_version=1,
    )
    session.add(row)
    session.flush()
    session.add(
        HandHistory(record_id=row.id, action="create", at=now, changes={"name": [None, row.name]})
    )
    session.commit()
    return as_dict(row)


def get(session: Session, record_id: int) -> dict[str, Any]:
    row = session.get(HandOpportunity, record_id)
    assert row is not None and row.deleted_at is None
    result = as_dict(row)
    session.rollback()
    return result


def update(session: Session, record_id: int, amount: Decimal) -> dict[str, Any]:
    row = session.get(HandOpportunity, record_id)
    assert row is not None
    old = row.amount
    row.amount = amount
    row.weighted_amount = weighted(amount, row.probability)
    row.row_version += 1
    row.updated_at = datetime.now(UTC)
    session.add(
        HandHistory(
            record_id=row.id,
            action="update",
            at=row.updated_at,
            changes={"amount": [str(old), str(amount)]},
        )
    )
    session.commit()
    return as_dict(row)


def query_page(
    session: Session, min_amount: Decimal, after: tuple[date, int] | None = None
) -> list[dict[str, Any]]:
    o = HandOpportunity
    stmt = sa.select(o).where(o.deleted_at.is_(None), o.stage == "negotiate", o.amount > min_amount)
    if after is not None:
        stmt = stmt.where(sa.tuple_(o.expected_close_date, o.id) < sa.tuple_(*after))
    stmt = stmt.order_by(o.expected_close_date.desc(), o.id.desc()).limit(50)
    rows = [as_dict(r) for r in session.scalars(stmt)]
    session.rollback()
    return rows


def count(session: Session, min_amount: Decimal) -> int:
    o = HandOpportunity
    stmt = (
        sa.select(sa.func.count())
        .select_from(o)
        .where(o.deleted_at.is_(None), o.stage == "negotiate", o.amount > min_amount)
    )
    result = session.scalar(stmt) or 0
    session.rollback()
    return result
