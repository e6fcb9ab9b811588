"""Database tables. Statuses are stored as readable strings."""

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

__all__ = [
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
    "User",
    "Visit",
    "new_key",
]
