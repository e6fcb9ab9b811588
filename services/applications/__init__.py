from services.applications.drafts import attach_upload, save_draft, start_draft
from services.applications.precheck import Gap, precheck
from services.applications.queries import (
    application_detail,
    get_application,
    get_attachment,
    list_applications,
    list_certificates,
)
from services.applications.submission import submit_application, withdraw_application
from services.applications.uploads import FileStore

__all__ = [
    "FileStore",
    "Gap",
    "application_detail",
    "attach_upload",
    "get_application",
    "get_attachment",
    "list_applications",
    "list_certificates",
    "precheck",
    "save_draft",
    "start_draft",
    "submit_application",
    "withdraw_application",
]
