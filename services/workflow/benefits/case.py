"""The benefit offer as a kind of case: who stands in which relation to it and to its review task."""

from services.catalog import Catalog
from services.catalog.model import Text
from services.i18n import N_
from services.models import BenefitOffer, BenefitReviewStatus, Task, User
from services.workflow import table
from services.workflow.benefits.table import BENEFIT_OFFER, BENEFIT_REVIEW, EMPLOYER
from services.workflow.case_kind import CaseType, TaskLists, task_relations


def offer_relations(
    actor: User | None, subject: BenefitOffer | Task, offer: BenefitOffer, catalog: Catalog
) -> frozenset[str]:
    if actor is None:
        return frozenset({table.SYSTEM})
    relations = set()
    # Where the employer answers (offer.employer_id set), the subject only reads the offer.
    if actor.id == offer.applicant_id and offer.employer_id is None:
        relations.add(table.APPLICANT)
    if offer.employer_id is not None and actor.id == offer.employer_id:
        relations.add(EMPLOYER)
    if isinstance(subject, Task):
        relations |= task_relations(actor, subject)
    return frozenset(relations)


def review_task_name(task: Task, catalog: Catalog) -> Text:
    """A review is called by its policy (the task's item code holds the policy's code)."""
    return catalog.policies[task.item_code].name


BENEFIT_OFFER_CASE = CaseType(
    kind=BenefitOffer.CHAIN_KIND,
    title=N_("Benefit offer"),
    model=BenefitOffer,
    machine=BENEFIT_OFFER,
    task_machine=BENEFIT_REVIEW,
    relations=offer_relations,
    task_name=review_task_name,
    task_lists=TaskLists(
        ready=(BenefitReviewStatus.READY,),
        held=(BenefitReviewStatus.CLAIMED,),
        decided=(BenefitReviewStatus.APPROVED, BenefitReviewStatus.REFUSED),
        counting=BenefitReviewStatus.OPEN,
    ),
)
