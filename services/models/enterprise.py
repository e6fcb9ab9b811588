"""Enterprise requests (企呼我应): a firm's problem, the office's triage, the departments' answer."""

from datetime import date, datetime
from typing import ClassVar

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from services import clock
from services.i18n import N_
from services.models.cases import CaseRow
from services.models.keys import new_key

# Column sizes the services refuse longer input for and the forms cap at.
REQUEST_DESCRIPTION_MAX_LENGTH = 2000
ANSWER_MAX_LENGTH = 4000
PROBLEM_TITLE_MAX_LENGTH = 200
FORM_TOKEN_MAX_LENGTH = 32
# An answer the firm neither confirms nor reopens within this many working days closes the request.
REPLY_WORKING_DAYS = 10


class EnterpriseRequestStatus:
    DRAFT = "draft"
    TRIAGE = "triage"
    IN_PROGRESS = "in_progress"
    ANSWERED = "answered"
    REOPENED = "reopened"
    SOLVED = "solved"
    UNSOLVED = "unsolved"
    CLOSED_UNCONFIRMED = "closed_unconfirmed"
    WITHDRAWN = "withdrawn"

    # Every status, in the order the diagrams draw them, with its label (a msgid).
    LABELS = {
        DRAFT: N_("Draft"),
        TRIAGE: N_("With the business-environment office"),
        IN_PROGRESS: N_("With the departments"),
        ANSWERED: N_("Answered, waiting for the firm"),
        REOPENED: N_("Reopened, with the supervisor"),
        SOLVED: N_("Solved"),
        UNSOLVED: N_("Closed, not solved"),
        CLOSED_UNCONFIRMED: N_("Closed, the firm did not reply"),
        WITHDRAWN: N_("Withdrawn"),
    }

    OPEN = frozenset({TRIAGE, IN_PROGRESS, REOPENED})
    # Not yet answered once: the office or the departments hold it.
    BEING_HANDLED = frozenset({TRIAGE, IN_PROGRESS})
    FINAL = frozenset({SOLVED, UNSOLVED, CLOSED_UNCONFIRMED, WITHDRAWN})


class EnterpriseTaskStatus:
    """The statuses of an enterprise request's tasks (the office's triage, the lead's answer, a co-handler's input)."""

    WAITING = "waiting"
    READY = "ready"
    CLAIMED = "claimed"
    DONE = "done"
    CANCELLED = "cancelled"

    LABELS = {
        WAITING: N_("Not started"),
        READY: N_("In the department's queue"),
        CLAIMED: N_("Being handled"),
        DONE: N_("Done"),
        CANCELLED: N_("Cancelled"),
    }

    OPEN = frozenset({WAITING, READY, CLAIMED})
    FINAL = frozenset({DONE, CANCELLED})


class EnterpriseTaskRole:
    """What a task of a request is for: stored in the task's `item_code`."""

    TRIAGE = "triage"  # the office's: route the request or answer it, within one working day
    LEAD = "lead"  # the lead department's: draft the answer
    CO_HANDLER = "co_handler"  # a co-handling department's: give its input to the lead


class CommonProblem(SQLModel, table=True):
    """Similar requests grouped, so one policy answer reaches every firm that asked."""

    __tablename__ = "common_problem"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(default_factory=new_key, unique=True, index=True, max_length=32)
    title: str = Field(max_length=PROBLEM_TITLE_MAX_LENGTH)
    category: str = Field(max_length=32)
    created_by_id: int = Field(foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=clock.now)
    answer: str | None = None
    answered_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    answered_at: datetime | None = None


class EnterpriseRequest(CaseRow, table=True):
    """企呼我应: one problem a firm raised through the one channel."""

    __tablename__ = "enterprise_request"
    # The office's lists read open requests by status in deadline order; the metrics read by category.
    __table_args__ = (
        Index("ix_enterprise_request_status_deadline", "status", "deadline", "id"),
        Index("ix_enterprise_request_category_submitted", "category", "submitted_at"),
        # One request per form the firm was given: a double click or a retry finds the first.
        UniqueConstraint("applicant_id", "form_token", name="uq_enterprise_request_form_token"),
    )

    status: str = Field(default=EnterpriseRequestStatus.DRAFT, max_length=24)
    form_token: str | None = Field(default=None, max_length=FORM_TOKEN_MAX_LENGTH)
    category: str = Field(max_length=32)
    description: str = Field(max_length=REQUEST_DESCRIPTION_MAX_LENGTH)
    # What it concerns, when the firm says: one of its applications (by public number) or a department.
    concerns_number: str | None = Field(default=None, max_length=32)
    concerns_department: str | None = Field(default=None, max_length=20)
    lead_department: str | None = Field(default=None, max_length=20)
    problem_id: int | None = Field(default=None, foreign_key="common_problem.id", index=True)
    # The answer the firm reads now (the second one replaces the first after a reopen).
    answer: str | None = Field(default=None, max_length=ANSWER_MAX_LENGTH)
    answered_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    first_answered_on: date | None = None
    # The day of the answer the firm reads now: its reply window counts from it.
    answered_on: date | None = None
    reopened_at: datetime | None = None
    reopen_reason: str | None = None
    escalated_at: datetime | None = None

    CHAIN_KIND: ClassVar[str] = "enterprise_request"


class RequestAttachment(SQLModel, table=True):
    """A file a firm attached to its request (PDF, JPEG or PNG, recognised by its bytes)."""

    __tablename__ = "request_attachment"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(default_factory=new_key, unique=True, index=True, max_length=32)
    request_id: int = Field(foreign_key="enterprise_request.id", index=True)
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=64)
    size: int
    sha256: str = Field(max_length=64)
    storage_name: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=clock.now)
