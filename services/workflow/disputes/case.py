"""The dispute as a kind of case: who stands in which relation to it and to its tasks."""

from services import policy
from services.catalog import Catalog
from services.catalog.model import Text
from services.i18n import N_
from services.models import Dispute, DisputeTaskStatus, Task, User
from services.workflow import table
from services.workflow.case_kind import CaseType, TaskLists, task_relations
from services.workflow.disputes.actors import COUNTERPARTY, INTAKE, JUDGE, JUDICIAL_CONFIRMATION, MEDIATOR
from services.workflow.disputes.table import DISPUTE, DISPUTE_TASK

# What staff are told a confirmation task is (a route's task is called by its route).
CONFIRMATION_NAME = Text("司法确认", "Judicial confirmation")


def dispute_relations(
    actor: User | None, subject: Dispute | Task, dispute: Dispute, catalog: Catalog
) -> frozenset[str]:
    if actor is None:
        return frozenset({table.SYSTEM})
    relations = set()
    if actor.id == dispute.applicant_id:
        relations.add(table.APPLICANT)
    if actor.id == dispute.counterparty_id:
        relations.add(COUNTERPARTY)
    if policy.is_front_desk(actor):
        relations.add(INTAKE)
    if isinstance(subject, Task):
        relations |= task_relations(actor, subject)
        if table.ASSIGNEE in relations:
            relations.add(JUDGE if subject.item_code == JUDICIAL_CONFIRMATION else MEDIATOR)
    return frozenset(relations)


def dispute_task_name(task: Task, catalog: Catalog) -> Text:
    if task.item_code == JUDICIAL_CONFIRMATION:
        return CONFIRMATION_NAME
    return catalog.dispute_routes[task.item_code].name


DISPUTE_CASE = CaseType(
    kind=Dispute.CHAIN_KIND,
    title=N_("Dispute"),
    model=Dispute,
    machine=DISPUTE,
    task_machine=DISPUTE_TASK,
    relations=dispute_relations,
    task_name=dispute_task_name,
    task_lists=TaskLists(
        ready=(DisputeTaskStatus.READY,),
        held=(DisputeTaskStatus.CLAIMED,),
        decided=(
            DisputeTaskStatus.AGREED,
            DisputeTaskStatus.NO_AGREEMENT,
            DisputeTaskStatus.CONFIRMED,
            DisputeTaskStatus.NOT_CONFIRMED,
        ),
        counting=DisputeTaskStatus.OPEN,
    ),
)
