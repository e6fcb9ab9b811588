"""好差评 for a case of any kind: the rating, and a rectification owed by each department a poor one concerns."""

from services.i18n import N_
from services.models import Application, Rating, Rectification, Role
from services.notifications import notify_staff

RECTIFICATION_WORKING_DAYS = 5
POOR_RATING = 2


def save_rating(firing, departments: tuple[str, ...]) -> None:
    """Store the applicant's rating of the case; at 2 stars or fewer each of `departments` owes an answer."""
    case = firing.case
    score = firing.given["score"]
    comment = (firing.given.get("comment") or "").strip()
    # An application's rating keeps its foreign key; another kind's names the case's chain.
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
