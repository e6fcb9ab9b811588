"""Every kind of case the one engine runs.

Adding a kind is a table, its transition tables and rules, a `CaseType` and one line in
`_REGISTERED`: the engine, the queues, the diagrams and the drift tests read this registry.
"""

from functools import cache
from typing import Any

from services.models import Task
from services.workflow.application_case import APPLICATION_CASE
from services.workflow.benefits.case import BENEFIT_OFFER_CASE
from services.workflow.benefits.table import BENEFIT_EVENT_LABELS
from services.workflow.case_kind import CaseType
from services.workflow.disputes.case import DISPUTE_CASE
from services.workflow.disputes.table import DISPUTE_EVENT_LABELS
from services.workflow.enterprise.case import ENTERPRISE_REQUEST_CASE
from services.workflow.table import OTHER_EVENT_LABELS, Machine, Transition

_REGISTERED = (
    APPLICATION_CASE,
    ENTERPRISE_REQUEST_CASE,
    DISPUTE_CASE,
    BENEFIT_OFFER_CASE,
)


@cache
def case_types() -> dict[str, CaseType]:
    """The registry, by kind."""
    return {case_type.kind: case_type for case_type in _REGISTERED}


def case_type_of(subject: Any) -> CaseType:
    """The kind of a case, or of the case a task is part of."""
    if isinstance(subject, Task):
        return case_types()[subject.case_kind]
    return case_types()[subject.CHAIN_KIND]


def counting_states() -> dict[str, frozenset[str]]:
    """Per kind, the task states in which a task's deadline counts."""
    return {kind: case_type.task_lists.counting for kind, case_type in case_types().items()}


def machines() -> list[Machine]:
    """Every transition table, each case's before its tasks'."""
    return [machine for case_type in case_types().values() for machine in (case_type.machine, case_type.task_machine)]


def row_recorded_as(audit_event: str) -> tuple[Machine, Transition] | None:
    """The row an audit event was recorded for, by the name it was recorded under (None: an action of no row)."""
    return _rows_by_audit_name().get(audit_event)


@cache
def _rows_by_audit_name() -> dict[str, tuple[Machine, Transition]]:
    rows = {machine.audit_event(row.event): (machine, row) for machine in machines() for row in machine.transitions}
    assert len(rows) == sum(len(machine.transitions) for machine in machines()), "two rows share an audit name"
    return rows


def event_labels() -> dict[str, str]:
    """Every audit event's label (a msgid), by the name it is recorded under."""
    return (
        OTHER_EVENT_LABELS
        | DISPUTE_EVENT_LABELS
        | BENEFIT_EVENT_LABELS
        | {name: row.label for name, (_, row) in _rows_by_audit_name().items()}
    )
