"""The service application (办件) as a kind of case: its tables and who stands in which relation to it."""

from services import policy
from services.catalog import Catalog
from services.i18n import N_
from services.models import Application, Role, Task, User
from services.models import TaskStatus as T
from services.workflow import table
from services.workflow.case_kind import CaseType, TaskLists, task_relations


def application_relations(
    actor: User | None, subject: Application | Task, application: Application, catalog: Catalog
) -> frozenset[str]:
    if actor is None:
        return frozenset({table.SYSTEM})
    relations = set()
    if policy.owns(actor, application):
        relations.add(table.APPLICANT)
    if policy.is_front_desk(actor):
        relations.add(table.FRONT_DESK)
    if isinstance(subject, Task):
        relations |= task_relations(actor, subject)
        if policy.is_front_desk(actor) and catalog.items[subject.item_code].instant:
            relations.add(table.INSTANT_DESK)
    elif actor.role == Role.SUPERVISOR and policy.may_view_application(actor, application, catalog):
        relations.add(table.SUPERVISOR)
    return frozenset(relations)


APPLICATION_CASE = CaseType(
    kind=Application.CHAIN_KIND,
    title=N_("Application"),
    model=Application,
    machine=table.APPLICATION,
    task_machine=table.TASK,
    relations=application_relations,
    task_name=lambda task, catalog: catalog.items[task.item_code].name,
    task_lists=TaskLists(
        ready=(T.READY,),
        held=(T.CLAIMED, T.SUSPENDED, T.APPROVED),  # approved: the clerk still delivers it
        decided=(T.APPROVED, T.DELIVERED, T.REJECTED),
        counting=T.OPEN,
    ),
)
