"""Online, zero-visit and at-most-once shares are counted from the cases: online and assisted mixed."""

import pytest
from sqlmodel import select

from services.casework import desk, tasks
from services.casework.assisted import BroughtFile, WalkIn, file_for_walk_in
from services.metrics import current_metrics
from services.models import Application, Role, Task, Visit
from tests.conftest import PDF
from tests.factories import id_number, make_staff
from tests.metrics_reference import compute_metrics
from tests.sample import complete_values, submitted

ITEM = "330100-TRANSPORT-003"


@pytest.fixture
def mixed(session, catalog, store):
    """Three applications made online, two filed at the desk; four finished, an assisted one with a second visit."""
    front_desk = make_staff(session, Role.FRONT_DESK)
    clerk = make_staff(session, Role.CLERK, "TRANSPORT")
    service = catalog.service(ITEM)
    keys = [submitted(session, catalog, store, ITEM)[1].key for _ in range(3)]
    for n in range(2):
        filed = file_for_walk_in(
            session=session,
            actor=front_desk,
            catalog=catalog,
            store=store,
            person=WalkIn(id_number(950 + n), f"来办事{n}", f"1390000995{n}"),
            service_code=ITEM,
            answers=complete_values(service),
            files=[BroughtFile(m.key, "scan.pdf", PDF) for m in service.materials],
        )
        keys.append(filed.application.key)
    desk.record_visit(session=session, actor=front_desk, key=keys[0], catalog=catalog, purpose="核验原件")
    desk.record_visit(session=session, actor=front_desk, key=keys[3], catalog=catalog, purpose="补签字")
    for key in keys[:4]:  # the last assisted one stays submitted, unfinished
        desk.accept_application(session=session, actor=front_desk, key=key, catalog=catalog)
        application = session.exec(select(Application).where(Application.key == key)).one()
        task = session.exec(select(Task).where(Task.application_id == application.id)).one()
        tasks.claim_task(session=session, actor=clerk, key=task.key, catalog=catalog)
        tasks.approve_task(session=session, actor=clerk, key=task.key, catalog=catalog)
    return keys


def independent_counts(session):
    """Straight from the rows, in Python: no SQL the figures share."""
    applications = [a for a in session.exec(select(Application)).all() if a.submitted_at is not None]
    visits: dict[int, int] = {}
    for visit in session.exec(select(Visit)).all():
        visits[visit.application_id] = visits.get(visit.application_id, 0) + 1
    finished = [a for a in applications if a.status in ("completed", "partially_completed")]
    return (
        sum(a.channel == "online" for a in applications) / len(applications),
        sum(visits.get(a.id, 0) == 0 for a in finished) / len(finished),
        sum(visits.get(a.id, 0) <= 1 for a in finished) / len(finished),
    )


def test_the_shares_are_those_of_the_cases(session, catalog, mixed):
    online, zero_visit, at_most_once = independent_counts(session)
    assert (online, zero_visit, at_most_once) == (3 / 5, 2 / 4, 3 / 4)  # the cases are what the fixture says
    for metrics in (
        current_metrics(session=session, catalog=catalog),
        compute_metrics(session=session, catalog=catalog),
    ):
        rates = metrics.overall.rates
        assert (rates.online, rates.zero_visit, rates.at_most_once) == pytest.approx((online, zero_visit, at_most_once))
        transport = next(d for d in metrics.departments if d.department == "TRANSPORT")
        assert transport.rates.online == pytest.approx(3 / 4)  # over its tasks: the unaccepted one has none
        assert metrics.catalog.online_share == pytest.approx(1 / len(catalog.items))
