"""Database tables. Statuses are stored as readable strings."""

from services.models.benefits import (
    BenefitGrant,
    BlacklistEntry,
    CompanyFiling,
    CompanyRecord,
    Contribution,
    Employment,
    ResidentRecord,
)
from services.models.cases import (
    Application,
    ApplicationStatus,
    Attachment,
    ExtensionRequest,
    Notice,
    Task,
    TaskStatus,
    Visit,
)
from services.models.keys import new_key
from services.models.people import Certificate, Role, User
from services.models.records import (
    GENESIS,
    AuditChain,
    AuditEvent,
    AuditUnsealed,
    Counter,
    Notification,
    Rating,
    Rectification,
)
from services.models.rollups import ApplicationDayCounts, DepartmentDayCases, MetricsRefresh, TaskDayCounts
from services.models.signin import RecoveryCode, SignInAttempt, SignInSession
from services.models.transparency import TransparencyHead, TransparencyLeaf, TransparencyTile

__all__ = [
    "BenefitGrant",
    "BlacklistEntry",
    "CompanyFiling",
    "CompanyRecord",
    "Contribution",
    "Employment",
    "ResidentRecord",
    "Application",
    "ApplicationDayCounts",
    "ApplicationStatus",
    "Attachment",
    "AuditEvent",
    "AuditChain",
    "AuditUnsealed",
    "Certificate",
    "Counter",
    "GENESIS",
    "DepartmentDayCases",
    "ExtensionRequest",
    "MetricsRefresh",
    "Notice",
    "Notification",
    "Rating",
    "Rectification",
    "RecoveryCode",
    "Role",
    "SignInAttempt",
    "SignInSession",
    "Task",
    "TaskDayCounts",
    "TaskStatus",
    "TransparencyHead",
    "TransparencyLeaf",
    "TransparencyTile",
    "User",
    "Visit",
    "new_key",
]
