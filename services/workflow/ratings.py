"""好差评 for a case of any kind: the rating, and a rectification owed by each department a poor one concerns."""

from sqlmodel import select

from services.errors import Conflict, Invalid
from services.i18n import N_
from services.models import Application, Dispute, EnterpriseRequest, Rating, Rectification, Role
from services.models.records import RATING_COMMENT_MAX_LENGTH
from services.notifications import notify_staff
from services.requirements.fields import refuse_if_too_long

RECTIFICATION_WORKING_DAYS = 5
POOR_RATING = 2


ALREADY_RATED = {
    Application.CHAIN_KIND: N_("this application has already been rated"),
    EnterpriseRequest.CHAIN_KIND: N_("this request has already been rated"),
    Dispute.CHAIN_KIND: N_("this dispute has already been rated"),
}


def not_rated_yet(firing) -> None:
    """One rating a case, of 1 to 5 stars."""
    case = firing.case
    # An application's rating keeps its foreign key; another kind's names the case's chain.
    same_case = Rating.application_id == case.id if isinstance(case, Application) else Rating.case_chain == case.chain
    if firing.session.exec(select(Rating).where(same_case)).first():
        raise Conflict(ALREADY_RATED[case.CHAIN_KIND])
    score = firing.given.get("score")
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise Invalid(N_("choose from 1 to 5 stars"), {"score": N_("Choose from 1 to 5 stars.")})


def short_rating_comment(firing) -> None:
    refuse_if_too_long("comment", (firing.given.get("comment") or "").strip(), RATING_COMMENT_MAX_LENGTH)


def save_rating(firing, departments: tuple[str, ...]) -> None:
    """Store the applicant's rating of the case; at 2 stars or fewer each of `departments` owes an answer."""
    case = firing.case
    score = firing.given["score"]
    comment = (firing.given.get("comment") or "").strip()
    if isinstance(case, Application):
        rating = Rating(application_id=case.id, score=score, comment=comment)
    else:
        rating = Rating(case_chain=case.chain, score=score, comment=comment)
    firing.session.add(rating)
    firing.session.flush()
    assert rating.id is not None  # flushed just now
    firing.record["score"] = score
    if score > POOR_RATING:
        return
    due = firing.calendar.add_working_days(firing.today, RECTIFICATION_WORKING_DAYS)
    for department in departments:
        firing.session.add(Rectification(rating_id=rating.id, department=department, due=due))
        notify_staff(
            firing.session,
            role=Role.SUPERVISOR,
            department=department,
            case=case,
            template=N_("Poor rating (%(score)s) on %(number)s: rectification due %(due)s"),
            params={"score": score, "number": case.number, "due": due.isoformat()},
        )
    firing.record["rectification_due"] = due.isoformat()
