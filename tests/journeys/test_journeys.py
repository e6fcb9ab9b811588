"""The journey library (seed_data/journeys), each file replayed in-process on a fresh database; and
exported histories of applications built through the services, replayed to the same end."""

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from journeys.browser_transport import BrowserTransport
from journeys.export import export_journey
from journeys.in_process import InProcess
from journeys.loader import journey_files, load_journey, read_journey
from journeys.page_transport import PageTransport
from journeys.reports import failure_text
from journeys.runner import BENEFIT_JOBS, run_journey
from journeys.schema import SCHEMA_FILE, schema_text
from journeys.transport import person_verbs
from journeys.vocabulary import EXPECTATIONS, VERBS
from services import clock
from services.applications import submission
from services.applications.drafts import attach_upload, start_draft
from services.casework import desk, tasks
from services.models import Application, Rectification, Role, Task, TaskStatus
from services.sla import sweep
from services.supervision import answer_rectification
from services.uploads import FileStore
from tests.conftest import PDF, PNG
from tests.factories import make_citizen, make_staff
from tests.sample import submitted

LIBRARY = Path(__file__).resolve().parents[2] / "seed_data" / "journeys"
FILES = journey_files([LIBRARY])


@pytest.fixture(scope="module")
def in_process(tmp_path_factory):
    target = InProcess(tmp_path_factory.mktemp("journeys"))
    yield target
    target.close()


@pytest.mark.parametrize("path", FILES, ids=[path.name for path in FILES])
def test_journey(path, in_process, catalog):
    result = run_journey(load_journey(path, catalog), in_process, catalog)
    assert result.passed, failure_text(result)


def test_the_library_has_a_purpose_for_every_journey_and_covers_every_bundle(catalog):
    journeys = [load_journey(path, catalog) for path in FILES]
    assert len(journeys) >= 25
    assert all(journey.purpose.strip() and "\n" not in journey.purpose for journey in journeys)
    applied = {step.args["service"] for journey in journeys for step in journey.steps if step.verb == "apply"}
    assert set(catalog.bundles) <= applied
    used = {step.verb for journey in journeys for step in journey.steps if step.verb}
    assert {
        "notice",
        "accept",
        "supplement",
        "suspend",
        "resume",
        "sweep",
        "reject",
        "withdraw",
        "rate",
        "answer_rectification",
        "record_visit",
        "submit_twice",
        "deliver",
        "grant_extension",
    } <= used
    # Every rule of the reform has its journey; the names say which.
    names = {path.stem for path in FILES}
    assert {
        "notice_second_refused",
        "notice_second_with_new_fact",
        "tolerated_gap_supplied",
        "tolerated_gap_not_supplied",
        "suspension_moves_deadline",
        "spring_festival_deadline",
        "sla_amber_red_sweep",
        "visit_beyond_promise",
        "rejection_with_reason",
        "partial_bundle",
        "withdrawal",
        "poor_rating_rectification",
        "wrong_department_clerk",
        "double_submit",
    } <= names


def test_the_schema_file_is_the_one_the_vocabulary_makes():
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text(), (
        "seed_data/journeys/schema.json is stale: run `flask --app app journeys schema`"
    )


def test_the_testers_guide_documents_every_verb_and_expectation():
    guide = (LIBRARY.parent.parent / "docs" / "journeys.md").read_text(encoding="utf-8")
    assert [verb for verb in VERBS if f"| `{verb}` |" not in guide] == []
    assert [key for key in EXPECTATIONS if f"| `{key}` |" not in guide] == []


def test_every_transport_knows_every_verb():
    for transport in (PageTransport, BrowserTransport):
        missing = [verb for verb in person_verbs() if not callable(getattr(transport, verb, None))]
        assert missing == [], f"{transport.__name__} lacks {missing}"
    assert {name for name, verb in VERBS.items() if verb.system} == {"sweep", "send_outbox", *BENEFIT_JOBS}


# --- export: one application's audit history, replayed on a fresh database -----------------------------

CHINA = ZoneInfo("Asia/Shanghai")
ROAD = "330100-TRANSPORT-003"


class Office:
    """Builds real applications through the casework services, on a clock that moves like a working week."""

    def __init__(self, session, catalog, store):
        self.session, self.catalog, self.store = session, catalog, store
        self.clock = clock.FrozenClock(datetime(2026, 3, 2, 9, 0, tzinfo=CHINA))
        clock.use_clock(self.clock)
        self.desk = make_staff(session, Role.FRONT_DESK)
        self.supervisor = make_staff(session, Role.SUPERVISOR)
        self.clerks: dict[str, object] = {}

    def later(self, **delta) -> None:
        self.clock.advance(timedelta(**delta))

    def clerk(self, department: str, second: bool = False):
        name = department + ("-2" if second else "")
        if name not in self.clerks:
            self.clerks[name] = make_staff(self.session, Role.CLERK, department)
        return self.clerks[name]

    def submit(self, code: str = ROAD, **options):
        self.applicant, application = submitted(self.session, self.catalog, self.store, code, **options)
        self.later(minutes=20)
        return application

    def case(self, application, call, **arguments):
        call(session=self.session, actor=self.desk, key=application.key, catalog=self.catalog, **arguments)
        self.later(minutes=30)

    def task(self, application, item: str):
        return self.session.exec(
            select(Task).where(Task.application_id == application.id, Task.item_code == item)
        ).one()

    def work(self, application, item: str, call, clerk=None, **arguments):
        actor = clerk or (
            self.supervisor if call is tasks.decide_extension else self.clerk(self.catalog.items[item].department)
        )
        call(session=self.session, actor=actor, key=self.task(application, item).key, catalog=self.catalog, **arguments)
        self.later(hours=2)

    def decide(self, application, item: str = ROAD, approve: bool = True):
        self.work(application, item, tasks.claim_task)
        if approve:
            self.work(application, item, tasks.approve_task, note="材料齐全")
        else:
            self.work(application, item, tasks.reject_task, reason="考试成绩已过期")

    def decide_everything(self, application):
        """Every department decides what is ready, until nothing is."""
        while True:
            ready = self.session.exec(
                select(Task).where(Task.application_id == application.id, Task.status == TaskStatus.READY)
            ).all()
            if not ready:
                return
            for task in ready:
                self.decide(application, task.item_code)

    def applicant_does(self, application, call, **arguments):
        call(session=self.session, actor=self.applicant, key=application.key, catalog=self.catalog, **arguments)
        self.later(hours=1)


def only_submitted(o):
    return o.submit()


def withdrawn(o):
    application = o.submit()
    o.applicant_does(application, submission.withdraw_application, reason="applied by mistake")
    return application


def not_accepted(o):
    application = o.submit()
    o.case(application, desk.refuse_application, reason="wrong city")
    return application


def notice_open(o):
    application = o.submit()
    o.case(application, desk.issue_notice, items=[desk.NoticeItem("material", "exam_pass_certificate", "blurred")])
    return application


def corrected_and_completed(o):
    application = notice_open(o)
    attach_upload(
        session=o.session,
        actor=o.applicant,
        key=application.key,
        material_key="exam_pass_certificate",
        filename="exam.png",
        data=PNG,
        store=o.store,
        catalog=o.catalog,
    )
    o.applicant_does(application, submission.resubmit_application)
    o.case(application, desk.accept_application)
    o.decide(application)
    return application


def in_review(o):
    application = o.submit()
    o.case(application, desk.accept_application)
    o.work(application, ROAD, tasks.claim_task)
    return application


def completed(o):
    application = o.submit()
    o.case(application, desk.accept_application)
    o.later(days=1)
    o.decide(application)
    return application


def rejected(o):
    application = o.submit()
    o.case(application, desk.accept_application)
    o.decide(application, approve=False)
    return application


def suspended(o):
    application = in_review(o)
    o.work(application, ROAD, tasks.suspend_task, procedure="expert_review", reason="unusual licence class")
    return application


def suspended_then_completed(o):
    application = suspended(o)
    o.later(days=5)
    o.work(application, ROAD, tasks.resume_task)
    o.work(application, ROAD, tasks.approve_task)
    return application


def tolerated_then_supplied(o):
    application = o.submit("330100-TRANSPORT-001", leave_out=("id_photo",))
    o.case(application, desk.accept_application, tolerate=True)
    o.work(application, "330100-TRANSPORT-001", tasks.claim_task)
    submission.supplement_material(
        session=o.session,
        actor=o.applicant,
        key=application.key,
        material_key="id_photo",
        filename="photo.png",
        data=PNG,
        store=o.store,
        catalog=o.catalog,
    )
    o.later(hours=3)
    o.work(application, "330100-TRANSPORT-001", tasks.approve_task)
    return application


def tolerated_then_terminated(o):
    application = o.submit("330100-CIVIL-005", leave_out=("income_proof",))
    o.case(application, desk.accept_application, tolerate=True)
    o.later(days=9)
    sweep(session=o.session, catalog=o.catalog)
    return application


def newborn_completed(o):
    application = o.submit("BUNDLE-NEWBORN", delivery_method="e_certificate")
    o.case(application, desk.accept_application)
    o.decide_everything(application)
    return application


def partial_bundle(o):
    application = o.submit("BUNDLE-TALENT-APARTMENT", delivery_method="e_certificate")
    o.case(application, desk.accept_application)
    o.decide(application, "330100-HRSS-006", approve=False)
    o.decide_everything(application)
    return application


def posted(o):
    application = o.submit("330100-PSB-007", delivery_method="post")
    o.case(application, desk.accept_application)
    o.decide(application, "330100-PSB-007")
    o.later(days=1)
    desk.deliver_task(
        session=o.session,
        actor=o.desk,
        task_key=o.task(application, "330100-PSB-007").key,
        catalog=o.catalog,
        tracking_number="EMS1234567890",
    )
    return application


def collected_at_the_window(o):
    application = o.submit("330100-PSB-008", delivery_method="window")
    o.case(application, desk.accept_application)
    o.decide(application, "330100-PSB-008")
    desk.deliver_task(
        session=o.session, actor=o.desk, task_key=o.task(application, "330100-PSB-008").key, catalog=o.catalog
    )
    return application


def visit_beyond_promise(o):
    application = o.submit()
    o.case(application, desk.record_visit, purpose="showed the original certificate")
    o.case(application, desk.accept_application)
    o.decide(application)
    return application


def rated_poorly_and_answered(o):
    application = completed(o)
    o.applicant_does(application, submission.rate_application, score=1, comment="too slow")
    rectification = o.session.exec(select(Rectification)).one()
    answer_rectification(session=o.session, actor=o.supervisor, key=rectification.key, answer="We have sped up.")
    return application


def extension_granted(o):
    application = in_review(o)
    o.work(application, ROAD, tasks.request_extension, days=4, reason="waiting for the exam centre")
    o.work(application, ROAD, tasks.decide_extension, grant=True, answer="once")
    o.later(days=6)
    o.work(application, ROAD, tasks.approve_task)
    return application


def extension_refused(o):
    application = in_review(o)
    o.work(application, ROAD, tasks.request_extension, days=4, reason="busy")
    o.work(application, ROAD, tasks.decide_extension, grant=False, answer="three days are enough")
    return application


def instant_at_acceptance(o):
    application = o.submit("330100-PSB-009")
    o.case(application, desk.accept_application)
    return application


def department_asked_for_a_notice(o):
    application = o.submit("330100-PSB-006", delivery_method="e_certificate")
    o.case(application, desk.accept_application)
    o.work(application, "330100-PSB-006", tasks.claim_task)
    o.work(application, "330100-PSB-006", tasks.request_notice, reason="unsigned health certificate")
    o.case(application, desk.issue_notice, items=[desk.NoticeItem("material", "driver_health_certificate", "unsigned")])
    attach_upload(
        session=o.session,
        actor=o.applicant,
        key=application.key,
        catalog=o.catalog,
        material_key="driver_health_certificate",
        filename="signed.pdf",
        data=PDF,
        store=o.store,
    )
    o.applicant_does(application, submission.resubmit_application)
    o.work(application, "330100-PSB-006", tasks.approve_task)
    return application


def released_and_taken_over(o):
    application = o.submit()
    o.case(application, desk.accept_application)
    o.work(application, ROAD, tasks.claim_task)
    o.work(application, ROAD, tasks.release_task)
    other = o.clerk("TRANSPORT", second=True)
    o.work(application, ROAD, tasks.claim_task, clerk=other)
    o.work(application, ROAD, tasks.approve_task, clerk=other)
    return application


def second_notice_with_a_new_fact(o):
    application = o.submit("330100-PSB-008", delivery_method="post")
    o.case(application, desk.issue_notice, items=[desk.NoticeItem("material", "id_photo", "older than six months")])
    attach_upload(
        session=o.session,
        actor=o.applicant,
        key=application.key,
        material_key="id_photo",
        filename="new.png",
        data=PNG,
        store=o.store,
        catalog=o.catalog,
    )
    o.applicant_does(application, submission.resubmit_application)
    o.case(application, desk.accept_application)
    o.case(
        application,
        desk.issue_notice,
        new_fact="an old passport turned up",
        items=[desk.NoticeItem("material", "previous_passport", "hand in the old passport")],
    )
    attach_upload(
        session=o.session,
        actor=o.applicant,
        key=application.key,
        material_key="previous_passport",
        filename="old.pdf",
        data=PDF,
        store=o.store,
        catalog=o.catalog,
    )
    o.applicant_does(application, submission.resubmit_application)
    o.decide(application, "330100-PSB-008")
    return application


def draft_only(o):
    applicant = make_citizen(o.session)
    return start_draft(session=o.session, actor=applicant, service_code=ROAD, catalog=o.catalog)


FATES = [
    only_submitted,
    withdrawn,
    not_accepted,
    notice_open,
    corrected_and_completed,
    in_review,
    completed,
    rejected,
    suspended,
    suspended_then_completed,
    tolerated_then_supplied,
    tolerated_then_terminated,
    newborn_completed,
    partial_bundle,
    posted,
    collected_at_the_window,
    visit_beyond_promise,
    rated_poorly_and_answered,
    extension_granted,
    extension_refused,
    instant_at_acceptance,
    department_asked_for_a_notice,
    released_and_taken_over,
    second_notice_with_a_new_fact,
    draft_only,
]


@pytest.fixture
def office(session, catalog, tmp_path):
    previous = clock.current_clock()
    yield Office(session, catalog, FileStore(tmp_path / "files"))
    clock.use_clock(previous)


@pytest.mark.parametrize("fate", FATES, ids=[fate.__name__ for fate in FATES])
def test_an_exported_history_replays_to_the_same_states_visits_and_certificates(
    fate, office, session, catalog, in_process
):
    application = fate(office)
    session.expire_all()
    text = export_journey(session=session, catalog=catalog, number=application.number or application.key)
    journey = read_journey(text, f"{fate.__name__}.yaml", catalog)
    final = journey.steps[-1]
    original = session.get(Application, application.id)
    assert final.kind == "expect" and final.args["status"] == original.status
    result = run_journey(journey, in_process, catalog)
    assert result.passed, failure_text(result) + "\n\n" + text
