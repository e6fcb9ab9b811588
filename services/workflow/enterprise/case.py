"""The enterprise request (企呼我应) as a kind of case: its tables and who stands in which relation to it."""

from services import policy
from services.catalog import Catalog
from services.catalog.model import Text
from services.i18n import N_
from services.models import EnterpriseRequest, EnterpriseTaskRole, EnterpriseTaskStatus, Task, User
from services.workflow import table
from services.workflow.case_kind import CaseType, TaskLists, task_relations
from services.workflow.enterprise.actors import CO_HANDLER, LEAD, OFFICE, OFFICE_DEPARTMENT, OFFICE_SUPERVISOR
from services.workflow.enterprise.table import ENTERPRISE_REQUEST, ENTERPRISE_TASK

# What staff are told a task is, in both languages (the SLA sweep's warnings name it).
TASK_NAMES = {
    EnterpriseTaskRole.TRIAGE: Text("企业诉求分办", "Triage of an enterprise request"),
    EnterpriseTaskRole.LEAD: Text("企业诉求主办答复", "Lead answer to an enterprise request"),
    EnterpriseTaskRole.CO_HANDLER: Text("企业诉求协办意见", "Input to an enterprise request"),
}


def enterprise_request_relations(
    actor: User | None, subject: EnterpriseRequest | Task, request: EnterpriseRequest, catalog: Catalog
) -> frozenset[str]:
    if actor is None:
        return frozenset({table.SYSTEM})
    relations = set()
    if actor.id == request.applicant_id:
        relations.add(table.APPLICANT)
    if policy.is_clerk_of(actor, OFFICE_DEPARTMENT):
        relations.add(OFFICE)
    if policy.is_supervisor_of(actor, OFFICE_DEPARTMENT):
        relations.add(OFFICE_SUPERVISOR)
    if isinstance(subject, Task) and subject.item_code != EnterpriseTaskRole.TRIAGE:
        # The office triages on the request itself; its triage task is opened and closed by the engine.
        relations |= task_relations(actor, subject)
        if table.ASSIGNEE in relations:
            relations.add(LEAD if subject.item_code == EnterpriseTaskRole.LEAD else CO_HANDLER)
    return frozenset(relations)


ENTERPRISE_REQUEST_CASE = CaseType(
    kind=EnterpriseRequest.CHAIN_KIND,
    title=N_("Enterprise request"),
    model=EnterpriseRequest,
    machine=ENTERPRISE_REQUEST,
    task_machine=ENTERPRISE_TASK,
    relations=enterprise_request_relations,
    task_name=lambda task, catalog: TASK_NAMES[task.item_code],
    task_lists=TaskLists(
        ready=(EnterpriseTaskStatus.READY,),
        held=(EnterpriseTaskStatus.CLAIMED,),
        decided=(EnterpriseTaskStatus.DONE,),
        counting=EnterpriseTaskStatus.OPEN,
    ),
)
