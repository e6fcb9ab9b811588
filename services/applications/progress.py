"""Who has an application now and what happens next — the same words for applicant and staff."""
from dataclasses import dataclass

from services.i18n import N_
from services.models import Application
from services.models import ApplicationStatus as S

# holder: "applicant", "front_desk", "departments" or None once finished.
_STEPS = {
    S.DRAFT: ("applicant", N_("Complete the form and the materials, then submit.")),
    S.SUBMITTED: ("front_desk", N_("The front desk checks that everything is complete and accepts it, or sends one notice listing everything missing.")),
    S.NEEDS_CORRECTION: ("applicant", N_("Fix everything the notice lists and resubmit in one go.")),
    S.ACCEPTED: ("departments", N_("The departments review it within the promised working days.")),
    S.IN_REVIEW: ("departments", N_("The departments review it within the promised working days.")),
    S.SUSPENDED: ("departments", N_("A special procedure is under way; the clock is paused until it ends.")),
    S.COMPLETED: (None, N_("Done. The result has been delivered.")),
    S.PARTIALLY_COMPLETED: (None, N_("Done. Some items were approved and some were not; see each decision.")),
    S.REJECTED: (None, N_("Done. The application was not approved; the reason is given below.")),
    S.NOT_ACCEPTED: (None, N_("The front desk did not accept this application; the reason is given below.")),
    S.WITHDRAWN: (None, N_("You withdrew this application.")),
}


@dataclass(frozen=True)
class Progress:
    holder: str | None
    departments: tuple[str, ...]
    next_step: str

    @property
    def finished(self) -> bool:
        return self.holder is None


def progress_of(application: Application, service) -> Progress:
    holder, next_step = _STEPS[application.status]
    departments = tuple(service.departments) if holder == "departments" else ()
    return Progress(holder, departments, next_step)
