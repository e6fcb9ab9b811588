"""Bookkeeping rows: the audit chains, counters, the notification outbox, ratings."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from services import clock
from services.models.keys import new_key

RATING_COMMENT_MAX_LENGTH = 1000
# What the first event of a chain points back at.
GENESIS = "0" * 64


class AuditEvent(SQLModel, table=True):
    """One recorded change, hash-chained to the previous event of its case (its chain)."""

    # A chain is read in order by this index, and no two events can take the same place in it.
    __table_args__ = (UniqueConstraint("chain", "position", name="uq_auditevent_chain_position"),)

    id: int | None = Field(default=None, primary_key=True)
    chain: str = Field(max_length=48)  # "application:42", or a chain of its own such as "calendar"
    position: int  # 1, 2, 3… within the chain
    at: datetime
    actor_id: int | None = Field(default=None, foreign_key="user_account.id")
    actor_role: str = Field(max_length=20)
    application_id: int | None = Field(default=None, foreign_key="application.id", index=True)
    task_id: int | None = Field(default=None, foreign_key="task.id", index=True)
    event: str = Field(max_length=40)
    from_status: str | None = Field(default=None, max_length=24)
    to_status: str | None = Field(default=None, max_length=24)
    reason: str | None = None
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class AuditChain(SQLModel, table=True):
    """The tip of a chain that belongs to no case (the working calendar's changes); a case keeps its own."""

    __tablename__ = "audit_chain"

    name: str = Field(primary_key=True, max_length=48)
    length: int = 0
    tip: str = Field(default=GENESIS, max_length=64)


class AuditUnsealed(SQLModel, table=True):
    """Events committed but not yet leaves of the transparency log: the sealer's queue."""

    __tablename__ = "audit_unsealed"

    event_id: int = Field(primary_key=True, foreign_key="auditevent.id")


class Counter(SQLModel, table=True):
    """Named sequences, e.g. the daily public-number counter."""

    name: str = Field(primary_key=True, max_length=40)
    value: int = 0


class Notification(SQLModel, table=True):
    """One message in the outbox, written with the change it reports and sent after commit."""

    # A user's inbox and unread count; the senders' scan of what is still unsent, in id order.
    __table_args__ = (
        Index("ix_notification_user_channel_sent", "user_id", "channel", "sent_at"),
        Index("ix_notification_pending", "sent_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id")
    application_id: int | None = Field(default=None, foreign_key="application.id", index=True)
    case_chain: str | None = Field(default=None, max_length=48)  # the case of another kind it is about
    channel: str = Field(max_length=8)  # in_app, sms, email
    # An English msgid and its parameters: each reader sees it in their own language.
    template: str
    params: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    address: str | None = Field(default=None, max_length=120)
    created_at: datetime = Field(default_factory=clock.now)
    sent_at: datetime | None = None
    read_at: datetime | None = None


class Rating(SQLModel, table=True):
    """好差评: the applicant's 1-5 rating of a finished application."""

    id: int | None = Field(default=None, primary_key=True)
    # An application's rating points at it; another kind of case's names its chain ("enterprise_request:7").
    application_id: int | None = Field(default=None, foreign_key="application.id", unique=True)
    case_chain: str | None = Field(default=None, unique=True, max_length=48)
    score: int
    comment: str = ""  # at most RATING_COMMENT_MAX_LENGTH, which the rating refuses beyond
    created_at: datetime = Field(default_factory=clock.now)


class Rectification(SQLModel, table=True):
    """A poor rating's follow-up, owed by the department's supervisor."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(default_factory=new_key, unique=True, index=True, max_length=32)
    rating_id: int = Field(foreign_key="rating.id", index=True)
    department: str = Field(index=True, max_length=20)
    due: date
    status: str = Field(default="open", index=True, max_length=12)  # open, answered
    answer: str | None = None
    answered_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    answered_at: datetime | None = None


class JobLease(SQLModel, table=True):
    """When a scheduled job is next due, and who holds it while it runs: one runner at a time, city-wide."""

    __tablename__ = "job_lease"

    name: str = Field(primary_key=True, max_length=40)
    due_at: datetime
    held_until: datetime  # a runner that dies lets go when this passes
    holder: str | None = Field(default=None, max_length=80)
