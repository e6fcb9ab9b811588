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
from services.models.catalogue import CatalogueVersion
from services.models.disputes import (
    Dispute,
    DisputeEvidence,
    DisputeStatus,
    DisputeTaskStatus,
    DisputeVisit,
    MediationSession,
)
from services.models.enterprise import (
    CommonProblem,
    EnterpriseRequest,
    EnterpriseRequestStatus,
    EnterpriseTaskRole,
    EnterpriseTaskStatus,
    RequestAttachment,
)
from services.models.keys import new_key
from services.models.people import Certificate, Role, User
from services.models.records import (
    GENESIS,
    AuditChain,
    AuditEvent,
    AuditUnsealed,
    Counter,
    JobLease,
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
    "CatalogueVersion",
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
    "CommonProblem",
    "Counter",
    "GENESIS",
    "JobLease",
    "DepartmentDayCases",
    "EnterpriseRequest",
    "EnterpriseRequestStatus",
    "EnterpriseTaskRole",
    "EnterpriseTaskStatus",
    "Dispute",
    "DisputeEvidence",
    "DisputeStatus",
    "DisputeTaskStatus",
    "DisputeVisit",
    "ExtensionRequest",
    "MediationSession",
    "MetricsRefresh",
    "Notice",
    "Notification",
    "Rating",
    "Rectification",
    "RecoveryCode",
    "RequestAttachment",
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
