"""What the one engine must know of a kind of case (the registry of kinds is `case_types`).

A kind is its table (a model with a status, a version and the tip of its audit chain), the
transition table of the case and the one of its tasks (the part each department decides), and
who stands in which relation to it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from services import policy
from services.catalog import Catalog
from services.catalog.model import Text
from services.models import Task, User
from services.workflow import table
from services.workflow.table import Machine

# (actor, subject: the case or one of its tasks, the case, catalogue) → the actor's relations to it.
Relations = Callable[[User | None, Any, Any, Catalog], frozenset[str]]


@dataclass(frozen=True)
class TaskLists:
    """Which of a kind's task states each of a department's lists shows, and when a task's clock counts.

    Every kind's tasks share the department's queue, a clerk's inbox and archive, and the SLA
    colours; each kind says which of its own states belong where.
    """

    ready: tuple[str, ...]  # the department's queue: waiting to be claimed
    held: tuple[str, ...]  # a clerk's inbox: what they hold
    decided: tuple[str, ...]  # a clerk's archive: what they decided
    counting: frozenset[str]  # its deadline counts (unless paused): the SLA sweep colours these


@dataclass(frozen=True)
class CaseType:
    kind: str  # its model's CHAIN_KIND: the name of its chains and its tasks' `case_kind`
    title: str  # a msgid: what the diagrams and lists call it
    model: type
    machine: Machine
    task_machine: Machine
    relations: Relations
    # What a task of this kind is called where staff are told of it (an item's name, a role in a request).
    task_name: Callable[[Task, Catalog], Text]
    task_lists: TaskLists

    def machine_of(self, subject: Any) -> Machine:
        return self.task_machine if isinstance(subject, Task) else self.machine


def task_relations(actor: User, task: Task) -> set[str]:
    """A department's relations to its task, alike for every kind of case: its supervisor, its clerks, its holder."""
    relations = set()
    if policy.is_supervisor_of(actor, task.department):
        relations.add(table.SUPERVISOR)
    if policy.is_clerk_of(actor, task.department):
        relations.add(table.CLERK)
    if task.assignee_id is not None and task.assignee_id == actor.id:
        relations.add(table.ASSIGNEE)
    return relations
