"""Who may see an application and its files."""
from services.catalog import Catalog
from services.models import Application, ApplicationStatus, Role, User


def can_view(actor: User | None, application: Application, catalog: Catalog) -> bool:
    if actor is None:
        return False
    if actor.id == application.applicant_id:
        return True
    if application.status == ApplicationStatus.DRAFT:
        return False
    if actor.role in (Role.FRONT_DESK, Role.SUPERVISOR):
        return True
    if actor.role == Role.CLERK:
        return actor.department in catalog.service(application.service_code).departments
    return False
