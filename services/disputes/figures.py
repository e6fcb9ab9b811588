""" "At most one place", measured from the disputes themselves: visits, places, resolutions, agreements kept."""

from dataclasses import dataclass

from sqlalchemy import distinct
from sqlmodel import Session, col, func, select

from services.models import Dispute, DisputeStatus, DisputeVisit, Role, User
from services.models.cases import ONLINE_CHANNEL
from services.policy import require_role

# A dispute has an outcome once it left mediation: agreed (and after), referred on, withdrawn or declined.
DECIDED = DisputeStatus.AGREEMENT | {DisputeStatus.REFERRED, DisputeStatus.WITHDRAWN, DisputeStatus.DECLINED}


@dataclass(frozen=True)
class OnePlaceFigures:
    disputes: int
    online: int  # filed online by a party; the others at a centre's window
    visits: int
    most_places: int  # the most centres one dispute's parties went to: the promise is at most one
    beyond_one_place: int  # disputes whose parties went to more than one centre
    decided: int
    agreements: int  # the disputes resolved: decided by an agreement the parties signed
    honoured: int

    @property
    def online_share(self) -> float | None:
        return self.online / self.disputes if self.disputes else None

    @property
    def visits_per_dispute(self) -> float | None:
        return self.visits / self.disputes if self.disputes else None

    @property
    def resolved_rate(self) -> float | None:
        return self.agreements / self.decided if self.decided else None

    @property
    def honoured_rate(self) -> float | None:
        return self.honoured / self.agreements if self.agreements else None


def one_place_figures(*, session: Session, actor: User) -> OnePlaceFigures:
    """The figures over every dispute filed, for supervisors."""
    require_role(actor, Role.SUPERVISOR)
    by_status = dict(session.exec(select(Dispute.status, func.count()).group_by(col(Dispute.status))).all())
    places = (
        select(DisputeVisit.dispute_id, func.count(distinct(col(DisputeVisit.centre_code))).label("places"))
        .group_by(col(DisputeVisit.dispute_id))
        .subquery()
    )
    most, beyond = session.exec(
        select(func.coalesce(func.max(places.c.places), 0), func.count().filter(places.c.places > 1))
    ).one()
    honoured = session.exec(select(func.count()).select_from(Dispute).where(col(Dispute.honoured).is_(True))).one()
    agreements = sum(count for status, count in by_status.items() if status in DisputeStatus.AGREEMENT)
    return OnePlaceFigures(
        disputes=sum(by_status.values()),
        online=session.exec(
            select(func.count()).select_from(Dispute).where(col(Dispute.channel) == ONLINE_CHANNEL)
        ).one(),
        visits=session.exec(select(func.count()).select_from(DisputeVisit)).one(),
        most_places=most,
        beyond_one_place=beyond,
        decided=sum(count for status, count in by_status.items() if status in DECIDED),
        agreements=agreements,
        honoured=honoured,
    )
