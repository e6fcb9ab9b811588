"""The reform's figures from hand-built cases, worked through the real services on a frozen clock."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import update
from sqlmodel import select

from services.applications.drafts import start_draft
from services.applications.submission import resubmit_application
from services.casework import desk, tasks
from services.metrics import Breaches
from services.models import Application, Role, Task
from tests.conftest import CHINA
from tests.factories import make_citizen, make_staff
from tests.metrics_reference import compute_metrics
from tests.sample import submitted

THREE_DAY_ITEM = "330100-TRANSPORT-003"  # legal 10, promised 3 working days, zero visits
INSTANT_ITEM = "330100-CIVIL-001"  # legal 1, promised 0: decided at acceptance


def only_task(session, application) -> Task:
    session.expire_all()
    return session.exec(select(Task).where(Task.application_id == application.id)).one()


@pytest.fixture
def cases(session, catalog, store, at):
    """Five submitted applications and a draft, as of Tuesday 10 November 2026.

    on_time:  THREE_DAY_ITEM accepted and decided Monday 2 November (deadline 5 November).
    late:     THREE_DAY_ITEM accepted 2 November, decided 10 November; a visit on 3 November.
    instant:  INSTANT_ITEM, decided at acceptance on 2 November.
    noticed:  THREE_DAY_ITEM, never accepted: a notice, a resubmission, a second notice (a breach).
    open:     THREE_DAY_ITEM entered at the window, accepted 2 November, still unclaimed (overdue).
    """
    front_desk = make_staff(session, Role.FRONT_DESK)
    transport = make_staff(session, Role.CLERK, "TRANSPORT")
    made = {}
    for name, code in (
        ("on_time", THREE_DAY_ITEM),
        ("late", THREE_DAY_ITEM),
        ("instant", INSTANT_ITEM),
        ("noticed", THREE_DAY_ITEM),
        ("open", THREE_DAY_ITEM),
    ):
        made[name] = submitted(session, catalog, store, code)
    for name in ("on_time", "late", "instant", "open"):
        desk.accept_application(session=session, actor=front_desk, key=made[name][1].key, catalog=catalog)
    session.execute(update(Application).where(Application.id == made["open"][1].id).values(channel="window"))
    session.commit()

    on_time = only_task(session, made["on_time"][1])
    tasks.claim_task(session=session, actor=transport, key=on_time.key, catalog=catalog)
    tasks.approve_task(session=session, actor=transport, key=on_time.key, catalog=catalog)

    applicant, noticed = made["noticed"]
    material = catalog.items[THREE_DAY_ITEM].materials[0].key
    notice = [desk.NoticeItem("material", material, "扫描件不清晰")]
    desk.issue_notice(session=session, actor=front_desk, key=noticed.key, catalog=catalog, items=notice)
    resubmit_application(session=session, actor=applicant, key=noticed.key, catalog=catalog)
    desk.issue_notice(
        session=session, actor=front_desk, key=noticed.key, catalog=catalog, items=notice, new_fact="申请人更换了车辆"
    )

    at(2026, 11, 3)
    desk.record_visit(session=session, actor=front_desk, key=made["late"][1].key, catalog=catalog, purpose="核验原件")
    at(2026, 11, 10)
    late = only_task(session, made["late"][1])
    tasks.claim_task(session=session, actor=transport, key=late.key, catalog=catalog)
    tasks.approve_task(session=session, actor=transport, key=late.key, catalog=catalog)

    start_draft(session=session, actor=make_citizen(session), service_code=THREE_DAY_ITEM, catalog=catalog)
    return made


def test_overall_figures(session, catalog, cases):
    m = compute_metrics(session=session, catalog=catalog)
    overall = m.overall
    assert overall.count == 5  # the draft does not count
    assert overall.by_status == {"completed": 3, "needs_correction": 1, "accepted": 1}
    assert overall.rates.online == pytest.approx(4 / 5)
    assert overall.rates.zero_visit == pytest.approx(2 / 3)  # the late one had a visit
    assert overall.rates.at_most_once == 1.0  # one visit is within the promise of at most one
    # The two items applied for online, out of the catalogue's.
    assert m.catalog.online_share == pytest.approx(2 / len(catalog.items))
    assert overall.rates.on_time == pytest.approx(2 / 3)
    assert overall.rates.same_day == pytest.approx(2 / 3)
    # Three transport tasks at 1 - 3/10 and one instant task at 1 - 0/1.
    assert overall.rates.time_compression == pytest.approx((3 * 0.7 + 1.0) / 4)
    assert overall.rates.notices_per_application == pytest.approx(2 / 4)
    # Overdue: the late decision and the open task past 5 November.
    assert overall.breaches == Breaches(second_notices=1, visits_beyond_promise=1, overdue_tasks=2)


def test_per_department_figures_are_over_its_tasks(session, catalog, cases):
    by_code = {d.department: d for d in compute_metrics(session=session, catalog=catalog).departments}
    assert set(by_code) == set(catalog.departments)

    transport = by_code["TRANSPORT"]
    assert transport.count == 3
    assert transport.by_status == {"delivered": 2, "ready": 1}
    assert transport.rates.online == pytest.approx(2 / 3)
    assert transport.rates.zero_visit == pytest.approx(1 / 2)
    assert transport.rates.on_time == pytest.approx(1 / 2)
    assert transport.rates.same_day == pytest.approx(1 / 2)
    assert transport.rates.time_compression == pytest.approx(0.7)
    assert transport.rates.notices_per_application == 0.0  # the noticed application never reached it
    assert transport.breaches == Breaches(second_notices=0, visits_beyond_promise=1, overdue_tasks=2)

    civil = by_code["CIVIL"]
    assert civil.count == 1
    assert (civil.rates.online, civil.rates.zero_visit, civil.rates.on_time, civil.rates.same_day) == (1, 1, 1, 1)
    assert civil.rates.time_compression == 1.0
    assert civil.breaches.total == 0

    untouched = by_code["PSB"]
    assert untouched.count == 0 and untouched.by_status == {}
    assert untouched.rates.on_time is None and untouched.rates.time_compression is None


def test_the_catalogue_figures_in_zhejiang_style(session, catalog):
    m = compute_metrics(session=session, catalog=catalog)
    items = list(catalog.items.values())
    assert m.catalog.items == len(items)
    assert m.catalog.online_share == 0.0  # counted from the cases: with none, no item was applied for online
    assert m.catalog.zero_visit_share == pytest.approx(sum(i.max_visits == 0 for i in items) / len(items))
    assert 0 < m.catalog.zero_visit_share < 1  # a few items still need one visit
    assert m.overall.count == 0 and m.overall.rates.online is None


def test_a_department_supervisor_sees_its_services_only(session, catalog, cases):
    m = compute_metrics(session=session, catalog=catalog, department="CIVIL")
    assert [d.department for d in m.departments] == ["CIVIL"]
    assert m.overall.count == 1 and m.overall.rates.zero_visit == 1.0
    assert m.catalog.items == sum(i.department == "CIVIL" for i in catalog.items.values())


def test_the_period_is_by_china_submission_date(session, catalog, store, cases, frozen):
    frozen.set(datetime(2026, 11, 11, 0, 30, tzinfo=CHINA).astimezone(UTC))  # still 10 November in UTC
    submitted(session, catalog, store, INSTANT_ITEM)
    assert compute_metrics(session=session, catalog=catalog, until=date(2026, 11, 1)).overall.count == 0
    assert (
        compute_metrics(
            session=session, catalog=catalog, since=date(2026, 11, 2), until=date(2026, 11, 10)
        ).overall.count
        == 5
    )
    assert compute_metrics(session=session, catalog=catalog, since=date(2026, 11, 11)).overall.count == 1
