"""Applications and what hangs off them."""

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, CheckConstraint, Column, Index, UniqueConstraint, func
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Field, SQLModel

from services import clock
from services.i18n import N_
from services.models.keys import new_key
from services.models.records import GENESIS

# Column sizes the services refuse longer input for and the forms cap at.
TRACKING_NUMBER_MAX_LENGTH = 40
VISIT_PURPOSE_MAX_LENGTH = 200
# How an application came in: the applicant online, or the front desk filing for a walk-in applicant.
ONLINE_CHANNEL = "online"
ASSISTED_CHANNEL = "assisted"


class ApplicationStatus:
    DRAFT = "draft"
    SUBMITTED = "submitted"
    NEEDS_CORRECTION = "needs_correction"
    NOT_ACCEPTED = "not_accepted"
    ACCEPTED = "accepted"
    IN_REVIEW = "in_review"
    SUSPENDED = "suspended"
    COMPLETED = "completed"
    PARTIALLY_COMPLETED = "partially_completed"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    TERMINATED = "terminated"

    # Every status, in the order the diagrams draw them, with its label (a msgid).
    LABELS = {
        DRAFT: N_("Draft"),
        SUBMITTED: N_("Submitted"),
        NEEDS_CORRECTION: N_("Needs correction"),
        NOT_ACCEPTED: N_("Not accepted"),
        ACCEPTED: N_("Accepted"),
        IN_REVIEW: N_("In review"),
        SUSPENDED: N_("Suspended"),
        COMPLETED: N_("Completed"),
        PARTIALLY_COMPLETED: N_("Partially completed"),
        REJECTED: N_("Rejected"),
        WITHDRAWN: N_("Withdrawn"),
        TERMINATED: N_("Terminated"),
    }

    FINAL = frozenset({NOT_ACCEPTED, COMPLETED, PARTIALLY_COMPLETED, REJECTED, WITHDRAWN, TERMINATED})


class Application(SQLModel, table=True):
    """One request for one item or one bundle (办件)."""

    # Each list reads one index range in its own order: the front desk's queue, an applicant's list.
    __table_args__ = (
        Index("ix_application_status_submitted", "status", "submitted_at", "id"),
        Index("ix_application_applicant_updated", "applicant_id", "updated_at", "id"),
        # Also what a department's count of the period reads (the cockpit's mix): the index alone answers it.
        Index("ix_application_service_submitted", "service_code", "submitted_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(default_factory=new_key, unique=True, index=True, max_length=32)
    number: str | None = Field(default=None, unique=True, max_length=32)
    applicant_id: int = Field(foreign_key="user_account.id")
    service_code: str = Field(max_length=64)
    status: str = Field(default=ApplicationStatus.DRAFT, max_length=24)
    channel: str = Field(default="online", max_length=12)
    form_data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # The catalogue version of its service's entries it was filed under ({"item:CODE": 2}; 0 = the files).
    catalogue_versions: dict[str, int] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False, server_default="{}")
    )
    version: int = 1
    created_at: datetime = Field(default_factory=clock.now)
    # Every transition stamps it; the metrics rollup finds what changed since its last refresh by this index.
    updated_at: datetime = Field(default_factory=clock.now, index=True)
    submitted_at: datetime | None = Field(default=None, index=True)  # the metrics' period
    accepted_at: datetime | None = None
    accepted_on: date | None = None
    # The latest promised deadline of its tasks; kept here so lists sort without a join.
    deadline: date | None = Field(default=None, index=True)
    delivery_method: str | None = Field(default=None, max_length=16)
    closed_at: datetime | None = None
    # The tip of the case's audit chain: a writer holding the case's lock extends it, and only that
    # writer, so no row shared with other cases is touched; an event deleted off the end shows here.
    audit_length: int = 0
    audit_tip: str = Field(default=GENESIS, max_length=64)

    CHAIN_KIND: ClassVar[str] = "application"

    @property
    def chain(self) -> str:
        return f"{self.CHAIN_KIND}:{self.id}"


class CaseRow(SQLModel):
    """The columns every kind of case beside the application has (the application has the same, under its own names).

    The engine moves `status` by compare-and-set on `version`; the chain's tip lives on the row, as
    on the application, so no row is shared by writers on different cases.
    """

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(default_factory=new_key, unique=True, index=True, max_length=32)
    number: str | None = Field(default=None, unique=True, max_length=32)
    applicant_id: int = Field(foreign_key="user_account.id", index=True)
    version: int = 1
    created_at: datetime = Field(default_factory=clock.now)
    updated_at: datetime = Field(default_factory=clock.now, index=True)
    submitted_at: datetime | None = Field(default=None, index=True)
    deadline: date | None = Field(default=None, index=True)
    closed_at: datetime | None = None
    audit_length: int = 0
    audit_tip: str = Field(default=GENESIS, max_length=64)

    CHAIN_KIND: ClassVar[str]

    @property
    def chain(self) -> str:
        return f"{self.CHAIN_KIND}:{self.id}"


class Attachment(SQLModel, table=True):
    """A material of an application: an uploaded file or a wallet certificate."""

    __table_args__ = (UniqueConstraint("application_id", "material_key"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(default_factory=new_key, unique=True, index=True, max_length=32)
    application_id: int = Field(foreign_key="application.id", index=True)
    material_key: str = Field(max_length=64)
    source: str = Field(max_length=12)  # "upload" or "wallet"
    # Indexed: a certificate's card lists the cases it was shared with.
    certificate_id: int | None = Field(default=None, foreign_key="certificate.id", index=True)
    filename: str = Field(default="", max_length=255)
    content_type: str = Field(default="", max_length=64)
    size: int = 0
    sha256: str = Field(default="", max_length=64)
    storage_name: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=clock.now)


class TaskStatus:
    WAITING = "waiting"
    READY = "ready"
    CLAIMED = "claimed"
    SUSPENDED = "suspended"
    APPROVED = "approved"
    DELIVERED = "delivered"
    REJECTED = "rejected"
    CANCELLED = "cancelled"

    # Every status, in the order the diagrams draw them, with its label (a msgid).
    LABELS = {
        WAITING: N_("Waiting for another department"),
        READY: N_("In the department's queue"),
        CLAIMED: N_("Being reviewed"),
        SUSPENDED: N_("Special procedure"),
        APPROVED: N_("Approved, being delivered"),
        DELIVERED: N_("Delivered"),
        REJECTED: N_("Not approved"),
        CANCELLED: N_("Cancelled"),
    }

    OPEN = frozenset({WAITING, READY, CLAIMED, SUSPENDED})
    FINAL = frozenset({DELIVERED, REJECTED, CANCELLED})


# An application's task has its foreign key; any other kind's names its case instead.
TASK_CASE_RULE = (
    "(case_kind = 'application' AND application_id IS NOT NULL AND case_id IS NULL)"
    " OR (case_kind <> 'application' AND application_id IS NULL AND case_id IS NOT NULL)"
)


class Task(SQLModel, table=True):
    """The part of a case one department decides (子任务): of an application, or of another kind of case.

    An application's task points at it by `application_id` (a foreign key); a task of any other kind
    of case names it by `case_kind` and `case_id`, so a new kind of case needs no column here.
    """

    # Queues read an index range already in deadline order; the sweep and the overdue list read open tasks only.
    __table_args__ = (
        Index("ix_task_department_status_deadline", "department", "status", "deadline", "id"),
        Index("ix_task_item_status_deadline", "item_code", "status", "deadline", "id"),
        Index("ix_task_assignee_status", "assignee_id", "status"),
        Index("ix_task_decider_decided", "decided_by_id", "decided_at", "id"),
        Index("ix_task_status_deadline", "status", "deadline"),
        Index("ix_task_case", "case_kind", "case_id"),
        CheckConstraint(TASK_CASE_RULE, name="ck_task_case"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(default_factory=new_key, unique=True, index=True, max_length=32)
    application_id: int | None = Field(default=None, foreign_key="application.id", index=True)
    case_kind: str = Field(default="application", max_length=24)
    case_id: int | None = None
    item_code: str = Field(max_length=64)
    # Whose SLA thresholds the task takes when not its item's: an enterprise request's category (item_code is the role).
    sla_code: str | None = Field(default=None, max_length=64)
    department: str = Field(max_length=20)
    status: str = Field(default=TaskStatus.WAITING, max_length=16)
    assignee_id: int | None = Field(default=None, foreign_key="user_account.id")
    waits_on: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # The clock: promised working days counted from `started_on`; pauses move the deadline.
    promised_days: int = 0
    started_on: date | None = None
    deadline: date | None = Field(default=None, index=True)
    paused_since: date | None = None
    paused_days: int = 0
    extension_days: int = 0
    sla_colour: str = Field(default="green", max_length=8)
    # Tolerated gap (容缺受理): non-core materials still owed, and by when.
    owed_materials: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    supplement_due: date | None = Field(default=None, index=True)
    suspension: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    notice_request: str | None = None
    decision_reason: str | None = None
    decided_at: datetime | None = None
    decided_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    certificate_id: int | None = Field(default=None, foreign_key="certificate.id")
    delivery_method: str | None = Field(default=None, max_length=16)
    tracking_number: str | None = Field(default=None, max_length=TRACKING_NUMBER_MAX_LENGTH)
    delivered_at: datetime | None = None
    version: int = 1
    created_at: datetime = Field(default_factory=clock.now)
    updated_at: datetime = Field(default_factory=clock.now, index=True)  # as Application.updated_at

    @property
    def sla_key(self) -> str:
        """The catalogue code its SLA thresholds are looked up by (`catalog.sla.of`); `task_sla_key` in SQL."""
        return self.sla_code or self.item_code

    @property
    def case_ref(self) -> tuple[str, int]:
        """(kind, id) of the case it is part of, whatever its kind."""
        case_id = self.application_id if self.case_kind == Application.CHAIN_KIND else self.case_id
        assert case_id is not None  # the table's check holds one of the two
        return self.case_kind, case_id


def task_sla_key() -> ColumnElement[str]:
    """`Task.sla_key` as SQL, for the colour's queries."""
    return func.coalesce(Task.sla_code, Task.item_code)


class Notice(SQLModel, table=True):
    """A one-time notice (一次性告知): every gap at once, frozen when issued."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(default_factory=new_key, unique=True, index=True, max_length=32)
    application_id: int = Field(foreign_key="application.id", index=True)
    issued_by_id: int = Field(foreign_key="user_account.id")
    issued_at: datetime = Field(default_factory=clock.now)
    # [{"kind": "field"|"material", "key": ..., "label": {"zh":..,"en":..}, "reason": ...}]
    items: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    new_fact: str | None = None
    breach: bool = False
    answered_at: datetime | None = None


class Visit(SQLModel, table=True):
    """A time the applicant had to come in person (跑动)."""

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    recorded_by_id: int = Field(foreign_key="user_account.id")
    at: datetime = Field(default_factory=clock.now)
    purpose: str = Field(max_length=VISIT_PURPOSE_MAX_LENGTH)
    beyond_promise: bool = False


class ExtensionRequest(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(default_factory=new_key, unique=True, index=True, max_length=32)
    task_id: int = Field(foreign_key="task.id", index=True)
    requested_by_id: int = Field(foreign_key="user_account.id")
    days: int
    reason: str
    status: str = Field(default="requested", index=True, max_length=12)  # requested, granted, refused
    requested_at: datetime = Field(default_factory=clock.now)
    decided_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    decided_at: datetime | None = None
    answer: str | None = None
