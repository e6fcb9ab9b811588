"""The cockpit through the Flask test client: its JSON, its filters in the URL, its tables without JavaScript."""

import re
from collections import Counter

from sqlmodel import col, select

from seeding import SeedOptions, seed_city
from services.casework import desk
from services.disputes.figures import DECIDED as DISPUTE_OUTCOMES
from services.metrics.sql import FINISHED
from services.models import (
    Application,
    Dispute,
    DisputeStatus,
    DisputeVisit,
    EnterpriseRequest,
    EnterpriseRequestStatus,
    Role,
    Visit,
)
from tests.factories import make_staff
from tests.http.test_http_supervisor import INSTANT_ITEM, THREE_DAY_ITEM, accepted_task, front_desk  # noqa: F401

LINK = re.compile(r'href="(/supervisor/cases[^"]*)"')


def test_the_json_answers_supervisors_with_the_links_to_the_cases(web, db, app, catalog, front_desk):  # noqa: F811
    _, application, task = accepted_task(app, db, catalog, front_desk, code=THREE_DAY_ITEM)
    web.login(make_staff(db, Role.SUPERVISOR).login_name)
    web.get("/supervisor")  # brings the rollup up to date, as the page does before its charts ask

    trend = web.get("/supervisor/api/trend?measure=submitted&grain=day").get_json()
    assert [p["value"] for p in trend["points"]] == [1] and trend["points"][0]["cases"].startswith("/supervisor/cases?")
    mix = {k["kind"]: k["count"] for k in web.get("/supervisor/api/mix").get_json()["kinds"]}
    assert mix == {"application": 1, "enterprise_request": 0, "dispute": 0, "benefit_offer": 0}
    live = web.get("/supervisor/api/live").get_json()
    assert live["submitted_today"] == 1 and live["overdue"] == 0
    departments = web.get(f"/supervisor/api/departments?department={task.department}").get_json()["departments"]
    assert [(d["department"], d["tasks"]) for d in departments] == [(task.department, 1)]

    listed = web.get(trend["points"][0]["cases"]).get_data(as_text=True)
    assert application.number in listed
    case = web.get(f"/supervisor/cases/application/{application.number}")
    assert case.status_code == 200 and application.number in case.get_data(as_text=True)
    assert web.get("/supervisor/api/trend?measure=nothing").status_code == 400
    assert web.get("/supervisor/cases?kind=dispute&measure=on_time").status_code == 404


def test_a_department_supervisor_is_refused_another_departments_figures_and_cases(web, db, app, catalog, front_desk):  # noqa: F811
    _, application, task = accepted_task(app, db, catalog, front_desk, code=THREE_DAY_ITEM)
    other = next(code for code in catalog.departments if code != task.department)
    web.login(make_staff(db, Role.SUPERVISOR, other).login_name)
    assert web.get(f"/supervisor/api/trend?department={task.department}").status_code == 403
    assert web.get(f"/supervisor/cases?department={task.department}").status_code == 403
    assert web.get(f"/supervisor/cases/application/{application.number}").status_code == 404
    own = web.get("/supervisor/api/departments").get_json()["departments"]
    assert [d["department"] for d in own] == [other]


def test_a_clerk_gets_none_of_the_cockpit(web, db):
    web.login(make_staff(db, Role.CLERK, "PSB").login_name)
    for path in ("/supervisor/api/live", "/supervisor/api/mix", "/supervisor/screen", "/supervisor/cases"):
        assert web.get(path).status_code == 403, path


def test_without_javascript_the_cockpit_is_its_tables_with_the_filters_in_the_url(web, db, app, catalog, front_desk):  # noqa: F811
    accepted_task(app, db, catalog, front_desk, code=INSTANT_ITEM)
    web.login(make_staff(db, Role.SUPERVISOR).login_name)
    page = web.get("/supervisor?grain=month&since=2000-01-01").get_data(as_text=True)
    assert 'id="trend-table"' in page and 'id="mix-table"' in page
    # Every chart is drawn only by the script, from the JSON of the same filters.
    charts = re.findall(r'<div class="chart[^"]*" hidden data-chart="(\w+)"[^>]*data-src="([^"]+)"', page)
    assert {kind for kind, _ in charts} == {"trend", "departments", "mix"}
    assert all("since=2000-01-01" in src.replace("&amp;", "&") for _, src in charts)
    assert "<script>" not in page  # none inline: the CSP allows this site's files only
    links = {link.replace("&amp;", "&") for link in LINK.findall(page)}
    assert any("measure=on_time" in link and "since=2000-01-01" in link for link in links)
    screen = web.get("/supervisor/screen?grain=day")
    assert screen.status_code == 200 and 'data-refresh="15"' in screen.get_data(as_text=True)


EN = {"Accept-Language": "en"}


def _case_count(html: str) -> tuple[int, int]:
    """(rows, of them counting) as the list's count line says them."""
    line = re.search(r'<p id="case-count">(.*?)</p>', html, re.S).group(1)
    rows, met = re.search(r"(\d+) cases?</strong> · (\d+) of them count", line).groups()
    return int(rows), int(met)


def test_the_at_most_one_visit_figure_opens_its_cases_and_those_with_more_visits(
    web,
    db,
    app,
    catalog,
    front_desk,  # noqa: F811
    tmp_path,
):
    seed_city(
        engine=app.extensions["engine"],
        catalog=catalog,
        upload_folder=tmp_path / "seeded",
        options=SeedOptions(applications=30, slow_cases=10, seed=5),
    )
    finished = db.exec(select(Application).where(col(Application.status).in_(FINISHED)).order_by(Application.id)).all()
    twice = finished[0]
    for purpose in ("核对原件", "补签"):
        desk.record_visit(session=db, actor=front_desk, key=twice.key, catalog=catalog, purpose=purpose)
    visits = Counter(v.application_id for v in db.exec(select(Visit)).all())
    beyond = sorted(a.number for a in finished if visits[a.id] > 1)
    assert twice.number in beyond

    web.login(make_staff(db, Role.SUPERVISOR).login_name)
    dashboard = web.get("/supervisor", headers=EN).get_data(as_text=True)
    figure = re.search(r"Finished with at most one visit</dt>\s*<dd[^>]*><a href=\"([^\"]+)\"", dashboard)
    assert figure is not None, "the figure links to its cases"
    listed = web.get(figure.group(1).replace("&amp;", "&"), headers=EN).get_data(as_text=True)
    assert _case_count(listed) == (len(finished), len(finished) - len(beyond))

    not_counting = re.search(r'href="([^"]+)">Only those that do not count', listed).group(1).replace("&amp;", "&")
    assert "counts=no" in not_counting and "measure=at_most_one_visit" in not_counting
    shown = web.get(not_counting, headers=EN).get_data(as_text=True)
    assert _case_count(shown) == (len(beyond), 0)
    assert sorted(re.findall(r'<a class="number" href="[^"]+">([^<]+)</a>', shown)) == beyond
    assert web.get("/supervisor/cases?measure=submitted&counts=no").status_code == 404
    assert web.get("/supervisor/cases?measure=at_most_one_visit&counts=maybe").status_code == 404


def _listed_total(html: str) -> int:
    return int(re.search(r'<p id="case-count"><strong>(\d+) cases?</strong>', html).group(1))


def test_the_requests_and_disputes_figures_open_the_cases_they_count(web, db, app, catalog, tmp_path):
    seed_city(
        engine=app.extensions["engine"],
        catalog=catalog,
        upload_folder=tmp_path / "seeded",
        options=SeedOptions(applications=30, slow_cases=10, seed=5),
    )
    # Counted here from the rows, as a reader of the cases would, not by the figures' queries.
    requests = [r for r in db.exec(select(EnterpriseRequest)).all() if r.status != EnterpriseRequestStatus.DRAFT]
    answered = [r for r in requests if r.first_answered_on is not None]
    disputes = db.exec(select(Dispute)).all()
    centres: dict[int, set[str]] = {}
    for visit in db.exec(select(DisputeVisit)).all():
        centres.setdefault(visit.dispute_id, set()).add(visit.centre_code)
    with_outcome = [d for d in disputes if d.status in DISPUTE_OUTCOMES]
    expected = {
        "Enterprise requests raised": (len(requests), None),
        "Answered on time": (len(answered), sum(r.first_answered_on <= r.deadline for r in answered)),
        "Solved on the first answer": (
            len(answered),
            sum(r.status == EnterpriseRequestStatus.SOLVED and r.reopened_at is None for r in answered),
        ),
        "Reopened": (sum(r.reopened_at is not None for r in requests),) * 2,
        "Disputes filed": (len(disputes), None),
        "Disputes filed online": (len(disputes), sum(d.channel == "online" for d in disputes)),
        "Disputes beyond one place": (sum(len(c) > 1 for c in centres.values()),) * 2,
        "Resolved by agreement": (len(with_outcome), sum(d.status in DisputeStatus.AGREEMENT for d in with_outcome)),
    }
    assert expected["Enterprise requests raised"][0] and expected["Disputes filed"][0] and answered

    web.login(make_staff(db, Role.SUPERVISOR).login_name)
    dashboard = web.get("/supervisor", headers=EN).get_data(as_text=True)
    for label, (base, met) in expected.items():
        link = re.search(rf"{label}</dt>\s*<dd[^>]*><a href=\"([^\"]+)\"", dashboard)
        assert link is not None, f"{label} links to its cases"
        listed = web.get(link.group(1).replace("&amp;", "&"), headers=EN).get_data(as_text=True)
        assert (_listed_total(listed), _case_count(listed)[1] if met is not None else None) == (base, met), label

    department = make_staff(db, Role.SUPERVISOR, "PSB")
    web.login(department.login_name)
    own = web.get("/supervisor", headers=EN).get_data(as_text=True)
    assert re.search(r"Disputes filed</dt>\s*<dd[^>]*><a ", own) is None  # city-wide: not theirs to list
