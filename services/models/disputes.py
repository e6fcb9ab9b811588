"""Dispute mediation (最多跑一地): a dispute, its evidence, its mediation sessions and the visits it cost."""

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from services import clock
from services.i18n import N_
from services.models.cases import CaseRow
from services.models.keys import new_key

# Column sizes the services refuse longer input for and the forms cap at.
CLAIM_MAX_LENGTH = 2000
ANSWER_MAX_LENGTH = 2000
TERMS_MAX_LENGTH = 2000


class DisputeStatus:
    FILED = "filed"
    IN_MEDIATION = "in_mediation"
    AGREED = "agreed"
    CONFIRMING = "confirming"
    CONFIRMED = "confirmed"
    RESOLVED = "resolved"
    REFERRED = "referred"
    WITHDRAWN = "withdrawn"
    DECLINED = "declined"

    # Every status, in the order the diagrams draw them, with its label (a msgid).
    LABELS = {
        FILED: N_("Filed, waiting for the centre to register it"),
        IN_MEDIATION: N_("In mediation"),
        AGREED: N_("Mediation agreement signed"),
        CONFIRMING: N_("Judicial confirmation asked for"),
        CONFIRMED: N_("Agreement judicially confirmed"),
        RESOLVED: N_("Resolved by agreement"),
        REFERRED: N_("No agreement: referred on"),
        WITHDRAWN: N_("Withdrawn"),
        DECLINED: N_("Not taken up by the centre"),
    }

    FINAL = frozenset({CONFIRMED, RESOLVED, REFERRED, WITHDRAWN, DECLINED})
    # The statuses in which the parties signed an agreement.
    AGREEMENT = frozenset({AGREED, CONFIRMING, CONFIRMED, RESOLVED})


class DisputeTaskStatus:
    """A route's task: the statuses open tasks share with applications' tasks (the SLA sweep reads those)."""

    READY = "ready"
    CLAIMED = "claimed"
    AGREED = "agreed"
    NO_AGREEMENT = "no_agreement"
    CONFIRMED = "confirmed"
    NOT_CONFIRMED = "not_confirmed"
    CANCELLED = "cancelled"

    LABELS = {
        READY: N_("In the agency's queue"),
        CLAIMED: N_("Being handled"),
        AGREED: N_("Agreement reached"),
        NO_AGREEMENT: N_("No agreement"),
        CONFIRMED: N_("Judicially confirmed"),
        NOT_CONFIRMED: N_("Judicial confirmation refused"),
        CANCELLED: N_("Cancelled"),
    }

    OPEN = frozenset({READY, CLAIMED})
    FINAL = frozenset({AGREED, NO_AGREEMENT, CONFIRMED, NOT_CONFIRMED, CANCELLED})


class Dispute(CaseRow, table=True):
    """A dispute brought to a social governance centre by a resident or a firm (矛盾纠纷)."""

    status: str = Field(default=DisputeStatus.FILED, index=True, max_length=24)
    counterparty_id: int = Field(foreign_key="user_account.id", index=True)
    kind_code: str = Field(max_length=32)
    centre_code: str = Field(index=True, max_length=32)
    channel: str = Field(default="online", max_length=12)  # "online", or "window": recorded at the centre
    claim: str
    answer: str | None = None
    answered_at: datetime | None = None
    registered_at: datetime | None = None
    routes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # An extension the mediator proposed, waiting for both parties' consent: {"days", "reason", "consents"}.
    extension: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    extension_days: int = 0
    agreement_terms: str | None = None
    certificate_numbers: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    referral: str | None = Field(default=None, max_length=16)  # "arbitration" or "litigation"
    honoured: bool = False

    CHAIN_KIND: ClassVar[str] = "dispute"


class DisputeEvidence(SQLModel, table=True):
    """A file a party gave as evidence."""

    __tablename__ = "dispute_evidence"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(default_factory=new_key, unique=True, index=True, max_length=32)
    dispute_id: int = Field(foreign_key="dispute.id", index=True)
    uploaded_by_id: int = Field(foreign_key="user_account.id")
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=64)
    size: int
    sha256: str = Field(max_length=64)
    storage_name: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=clock.now)


class MediationSession(SQLModel, table=True):
    """A mediation session a route's mediator scheduled, online or at the dispute's centre."""

    __tablename__ = "mediation_session"

    id: int | None = Field(default=None, primary_key=True)
    dispute_id: int = Field(foreign_key="dispute.id", index=True)
    task_id: int = Field(foreign_key="task.id", index=True)
    at: datetime
    place: str = Field(max_length=12)  # "online" or "centre"
    centre_code: str | None = Field(default=None, max_length=32)  # where, for a session at a centre
    scheduled_by_id: int = Field(foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=clock.now)


class DisputeVisit(SQLModel, table=True):
    """A time a party came to a centre in person: "at most one place" counts these and their centres."""

    __tablename__ = "dispute_visit"

    id: int | None = Field(default=None, primary_key=True)
    dispute_id: int = Field(foreign_key="dispute.id", index=True)
    centre_code: str = Field(max_length=32)
    recorded_by_id: int = Field(foreign_key="user_account.id")
    purpose: str = Field(max_length=200)
    at: datetime = Field(default_factory=clock.now)
