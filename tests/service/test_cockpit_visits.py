"""The drill-down of the visit and online shares: the cases each counts, and those that do not meet it.

A seeded city where two finished applications were visited twice at the front desk (the seed's have at
most one visit), each list checked against counts made here in plain Python from the rows.
"""

from collections import Counter
from dataclasses import replace

import pytest
from sqlmodel import select

from services.casework import desk
from services.cockpit.drill import list_cases
from services.cockpit.scope import Scope
from services.metrics import read_metrics, refresh_rollup
from services.models import Application, Role, Visit
from tests.conftest import seeded_city_session
from tests.factories import make_staff
from tests.service.test_cockpit import FINISHED, OPTIONS, _cases, department_tasks


@pytest.fixture(scope="module")
def city(tmp_path_factory, migrated_template, catalog):
    folder = tmp_path_factory.mktemp("visits")
    with seeded_city_session(folder, migrated_template, catalog, OPTIONS) as session:
        front_desk = make_staff(session, Role.FRONT_DESK)
        finished = session.exec(
            select(Application).where(Application.status.in_(FINISHED)).order_by(Application.id)
        ).all()
        for application in finished[:2]:
            for purpose in ("核对原件", "补签"):
                desk.record_visit(
                    session=session, actor=front_desk, key=application.key, catalog=catalog, purpose=purpose
                )
        refresh_rollup(session=session, full=True)
        yield session


def test_the_visit_and_online_shares_list_their_cases_and_those_that_do_not_meet_them(city, catalog):
    session = city
    applications, tasks, _ = _cases(session)
    visits = Counter(v.application_id for v in session.exec(select(Visit)).all())
    finished = [a for a in applications.values() if a.status in FINISHED]
    more_than_one = {a.id for a in finished if visits[a.id] > 1}
    assert more_than_one, "the seed has finished applications with more than one visit"
    everywhere = Scope(None, None, None)
    rates = read_metrics(session=session, catalog=catalog).overall.rates

    def listed(scope, measure, counting=None):
        """Every page of the list, its rows gathered into the first's."""

        def page(number):
            return list_cases(
                session=session,
                catalog=catalog,
                scope=scope,
                kind="application",
                measure=measure,
                counting=counting,
                page=number,
            )

        first = page(1)
        rows = [row for listing in (first, *(page(n) for n in range(2, first.pages + 1))) for row in listing.rows]
        assert len(rows) == first.total
        return replace(first, rows=rows)

    at_most_once = listed(everywhere, "at_most_one_visit")
    assert (at_most_once.total, at_most_once.met) == (len(finished), len(finished) - len(more_than_one))
    assert rates.at_most_once == at_most_once.met / at_most_once.total
    beyond = listed(everywhere, "at_most_one_visit", counting=False)
    assert {row.case.id for row in beyond.rows} == more_than_one and beyond.met == 0
    within = listed(everywhere, "at_most_one_visit", counting=True)
    assert {row.case.id for row in within.rows} == {a.id for a in finished} - more_than_one

    online = listed(everywhere, "online")
    assert (online.total, online.met) == (len(applications), sum(a.channel == "online" for a in applications.values()))
    assert rates.online == online.met / online.total
    assert {row.case.id for row in listed(everywhere, "online", counting=False).rows} == {
        a.id for a in applications.values() if a.channel != "online"
    }

    for figures in read_metrics(session=session, catalog=catalog).departments:
        department = figures.department
        mine = department_tasks(tasks, applications, catalog, department)
        of_finished = [t for t in mine if applications[t.application_id].status in FINISHED]
        scope = Scope(None, None, department)
        by_task = listed(scope, "at_most_one_visit")
        assert (by_task.total, by_task.met) == (
            len(of_finished),
            sum(t.application_id not in more_than_one for t in of_finished),
        )
        assert figures.rates.at_most_once == (by_task.met / by_task.total if by_task.total else None)
        assert {row.task.id for row in listed(scope, "at_most_one_visit", counting=False).rows} == {
            t.id for t in of_finished if t.application_id in more_than_one
        }
