"""A case's events as people read them: one entry per moment, the cause with its effects beneath."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from services.models import AuditEvent


@dataclass(frozen=True)
class Moment:
    cause: AuditEvent
    effects: list[AuditEvent]


def _same_moment(event: AuditEvent, first: AuditEvent) -> bool:
    # A transaction stamps its events with one moment; what it set off is done by the system on the actor's behalf.
    return event.at == first.at and (event.actor_id == first.actor_id or event.actor_role == "system")


def _cause(group: Sequence[AuditEvent]) -> AuditEvent:
    # The step someone took moves a status; what it carried (a certificate shared by a submission) may be stored first.
    return next((event for event in group if event.to_status and event.to_status != event.from_status), group[0])


def group_moments(events: Iterable[AuditEvent]) -> list[Moment]:
    """Events in their stored order, those of one moment gathered under the one that caused them."""
    groups: list[list[AuditEvent]] = []
    for event in events:
        if groups and _same_moment(event, groups[-1][0]):
            groups[-1].append(event)
        else:
            groups.append([event])
    moments = []
    for group in groups:
        cause = _cause(group)
        moments.append(Moment(cause, [event for event in group if event is not cause]))
    return moments
