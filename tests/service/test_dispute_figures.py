""" "At most one place" measured: the figures agree with counts taken here from the rows themselves."""

from collections import Counter

import pytest
from sqlmodel import select

from services.disputes import handling
from services.disputes.figures import one_place_figures
from services.errors import NotAllowed
from services.models import Dispute, DisputeStatus, DisputeVisit, Role
from tests.factories import make_citizen, make_company, make_staff
from tests.service.test_disputes import COUNTY, agency_clerk, file, mediating, registered


def test_the_figures_count_visits_places_resolutions_and_honoured_agreements(session, catalog, store):
    intake = make_staff(session, Role.FRONT_DESK)
    people = [make_citizen(session) for _ in range(3)]
    firm = make_company(session)
    filed_only = file(session, catalog, store, people[0], firm)
    agreed = registered(session, catalog, store, people[1], firm, intake)
    mediator, task = mediating(session, catalog, agreed)
    handling.record_agreement(session=session, actor=mediator, key=task.key, terms="赔偿 500 元", catalog=catalog)
    handling.report_agreement_honoured(session=session, actor=people[1], key=agreed.key, catalog=catalog)
    second_agreement = registered(session, catalog, store, people[2], firm, intake)
    mediator, task = mediating(session, catalog, second_agreement)
    handling.record_agreement(session=session, actor=mediator, key=task.key, terms="道歉", catalog=catalog)
    referred = registered(session, catalog, store, firm, people[0], intake)
    mediator, task = mediating(session, catalog, referred)
    handling.record_no_agreement(
        session=session, actor=mediator, key=task.key, referral="litigation", reason="x", catalog=catalog
    )
    withdrawn = file(session, catalog, store, people[2], people[0])
    handling.withdraw_dispute(session=session, actor=people[2], key=withdrawn.key, catalog=catalog)
    # Two visits at the township for one dispute, then one at the county after escalating: two places.
    running = registered(session, catalog, store, people[0], people[1], intake)
    for _ in range(2):
        handling.record_visit_to_centre(
            session=session, actor=intake, key=running.key, purpose="递交材料", catalog=catalog
        )
    handling.escalate_dispute(
        session=session, actor=intake, key=running.key, centre=COUNTY, reason="x", catalog=catalog
    )
    handling.record_visit_to_centre(session=session, actor=intake, key=running.key, purpose="当面调解", catalog=catalog)
    handling.record_visit_to_centre(session=session, actor=intake, key=agreed.key, purpose="签字", catalog=catalog)
    assert filed_only.status == DisputeStatus.FILED

    disputes = session.exec(select(Dispute)).all()
    visits = session.exec(select(DisputeVisit)).all()
    places = Counter(dispute_id for dispute_id, _ in {(v.dispute_id, v.centre_code) for v in visits})
    statuses = Counter(d.status for d in disputes)
    agreements = statuses["agreed"] + statuses["confirming"] + statuses["confirmed"] + statuses["resolved"]
    decided = agreements + statuses["referred"] + statuses["withdrawn"] + statuses["declined"]

    figures = one_place_figures(session=session, actor=make_staff(session, Role.SUPERVISOR))
    assert (figures.disputes, figures.visits) == (len(disputes), len(visits)) == (6, 4)
    assert figures.most_places == max(places.values()) == 2
    assert figures.beyond_one_place == sum(1 for n in places.values() if n > 1) == 1
    assert (figures.decided, figures.agreements) == (decided, agreements) == (4, 2)
    assert figures.honoured == sum(d.honoured for d in disputes) == 1
    assert figures.online == sum(d.channel == "online" for d in disputes)
    assert figures.online_share == pytest.approx(figures.online / 6)
    assert figures.visits_per_dispute == pytest.approx(4 / 6)
    assert figures.resolved_rate == pytest.approx(2 / 4) and figures.honoured_rate == pytest.approx(1 / 2)
    with pytest.raises(NotAllowed):
        one_place_figures(session=session, actor=agency_clerk(session, "people_mediation"))


def test_with_no_disputes_the_rates_are_unknown_not_zero(session):
    figures = one_place_figures(session=session, actor=make_staff(session, Role.SUPERVISOR))
    assert (figures.disputes, figures.most_places, figures.beyond_one_place) == (0, 0, 0)
    assert figures.visits_per_dispute is None and figures.resolved_rate is None and figures.honoured_rate is None
    assert figures.online_share is None
