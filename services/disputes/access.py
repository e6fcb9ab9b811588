"""Who may see a dispute: its parties, the centre's window, and the agencies (and their supervisors) it was routed to.

As everywhere, a dispute outside the actor's view is "not found", so a key tells nobody it exists.
"""

from services import policy
from services.models import Dispute, Task, User


def is_party(actor: User, dispute: Dispute) -> bool:
    return actor.id in (dispute.applicant_id, dispute.counterparty_id)


def may_view_dispute(actor: User | None, dispute: Dispute, tasks: list[Task]) -> bool:
    if actor is None:
        return False
    if is_party(actor, dispute) or policy.is_front_desk(actor) or policy.is_city_supervisor(actor):
        return True
    return any(policy.may_view_task(actor, task) for task in tasks)
