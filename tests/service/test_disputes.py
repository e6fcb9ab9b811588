"""Dispute mediation on a real database: filing, intake, mediation, agreement, referral, escalation, extension."""

import io
import threading
from datetime import date, timedelta

import pytest
from PIL import Image
from sqlmodel import col, select

from services import clock
from services.audit import history
from services.audit_check import verify_chains
from services.db import new_session
from services.disputes import filing, handling, queries
from services.disputes.evidence import EvidenceFile
from services.errors import Conflict, Invalid, NotAllowed, NotFound
from services.models import (
    Certificate,
    Dispute,
    DisputeEvidence,
    DisputeStatus,
    DisputeTaskStatus,
    DisputeVisit,
    Notification,
    Rating,
    Rectification,
    Role,
    Task,
)
from services.sla import SweepReport, sweep
from tests.conftest import EXE, PDF, PNG
from tests.factories import make_citizen, make_company, make_staff

TOWNSHIP = "HZ_XIHU_XIXI"  # hosts people's mediation, petitions and joint sessions
COUNTY = "HZ_XIHU"  # its parent: hosts every route
LOST = "someone else changed this first; reload and try again"


@pytest.fixture
def resident(session):
    return make_citizen(session)


@pytest.fixture
def firm(session):
    return make_company(session)


@pytest.fixture
def intake(session):
    return make_staff(session, Role.FRONT_DESK)


def agency_clerk(session, route):
    return make_staff(session, Role.CLERK, department=route)


def file(session, catalog, store, applicant, counterparty, **overrides):
    fields = dict(
        counterparty_number=counterparty.credit_code or counterparty.id_number,
        kind_code="contract",
        centre_code=TOWNSHIP,
        claim="货款 3 万元逾期未付。",
        evidence=[EvidenceFile("合同.pdf", PDF), EvidenceFile("聊天记录.png", PNG)],
    )
    fields.update(overrides)
    return filing.file_dispute(session=session, actor=applicant, store=store, catalog=catalog, **fields)


def registered(session, catalog, store, applicant, counterparty, intake, routes=("people_mediation",), **overrides):
    dispute = file(session, catalog, store, applicant, counterparty, **overrides)
    handling.register_dispute(session=session, actor=intake, key=dispute.key, routes=list(routes), catalog=catalog)
    return dispute


def tasks_of(session, dispute):
    return {task.item_code: task for task in handling.tasks_of_dispute(session, dispute)}


def in_two_days():
    return clock.now() + timedelta(days=2)


def mediating(session, catalog, dispute, route="people_mediation", place="online"):
    """A clerk of the route's agency takes the task up and schedules a session; the clerk is returned."""
    mediator = agency_clerk(session, route)
    task = tasks_of(session, dispute)[route]
    handling.claim_dispute_task(session=session, actor=mediator, key=task.key, catalog=catalog)
    handling.schedule_mediation_session(
        session=session, actor=mediator, key=task.key, at=in_two_days(), place=place, catalog=catalog
    )
    return mediator, task


def messages_to(session, user):
    return [n.template for n in session.exec(select(Notification).where(Notification.user_id == user.id))]


# --- filing ---------------------------------------------------------------------------


def test_a_resident_files_a_dispute_online_against_a_registered_firm(session, catalog, store, resident, firm, intake):
    dispute = file(session, catalog, store, resident, firm)
    today = clock.china_today()
    assert dispute.status == DisputeStatus.FILED
    assert dispute.number.startswith(f"TJ-{today:%Y%m%d}-") and len(dispute.number) == len("TJ-20261102-000001")
    assert dispute.counterparty_id == firm.id and dispute.channel == "online"
    evidence = session.exec(select(DisputeEvidence).where(DisputeEvidence.dispute_id == dispute.id)).all()
    assert sorted(e.content_type for e in evidence) == ["application/pdf", "image/png"]
    assert all(store.path(e.storage_name).exists() for e in evidence)
    # The intake's clock: registered within one working day.
    assert dispute.deadline is not None and 1 <= (dispute.deadline - today).days <= 3
    assert [event.event for event in history(session=session, case=dispute)] == ["dispute.file"]
    assert any("waits to be registered" in t for t in messages_to(session, intake))
    assert session.exec(select(DisputeVisit)).all() == []  # online: no visit


def test_an_unknown_counterparty_is_refused_naming_the_field_and_nothing_is_stored(session, catalog, store, resident):
    with pytest.raises(Invalid) as refused:
        file(session, catalog, store, resident, resident, counterparty_number="91330106MA2999999X")
    assert set(refused.value.errors) == {"counterparty"}
    assert "No registered person or company" in refused.value.errors["counterparty"]
    assert session.exec(select(Dispute)).all() == []
    assert not (store.root.exists() and any(store.root.iterdir()))


def test_a_dispute_against_oneself_is_refused(session, catalog, store, resident):
    with pytest.raises(Invalid) as refused:
        file(session, catalog, store, resident, resident)
    assert "against yourself" in refused.value.errors["counterparty"]
    assert session.exec(select(Dispute)).all() == []


def test_evidence_that_is_not_pdf_jpeg_or_png_is_refused_by_name_and_nothing_is_stored(
    session, catalog, store, resident, firm
):
    files = [EvidenceFile("合同.pdf", PDF), EvidenceFile("invoice.exe", EXE), EvidenceFile("notes.docx", b"PK\x03\x04")]
    with pytest.raises(Invalid) as refused:
        file(session, catalog, store, resident, firm, evidence=files)
    error = refused.value.errors["evidence"]
    assert error.params["names"] == "invoice.exe, notes.docx"
    assert session.exec(select(Dispute)).all() == [] and session.exec(select(DisputeEvidence)).all() == []
    assert not (store.root.exists() and any(store.root.iterdir()))


def test_a_photo_given_as_evidence_is_kept_without_what_rode_along_and_a_broken_one_is_refused(
    session, catalog, store, resident, firm
):
    photo = io.BytesIO()
    Image.new("RGB", (16, 16), (30, 90, 200)).save(photo, "JPEG", comment=b"<script>alert(1)</script>")
    kept = file(session, catalog, store, resident, firm, evidence=[EvidenceFile("../现场照片.jpg", photo.getvalue())])
    evidence = session.exec(select(DisputeEvidence).where(DisputeEvidence.dispute_id == kept.id)).one()
    assert evidence.filename == "现场照片.jpg"
    assert b"<script>" not in store.path(evidence.storage_name).read_bytes()
    with pytest.raises(Invalid) as refused:
        file(session, catalog, store, resident, firm, evidence=[EvidenceFile("broken.png", PNG[:40])])
    assert refused.value.errors["evidence"].params["names"] == "broken.png"


def test_every_field_is_told_at_once(session, catalog, store, resident, firm):
    with pytest.raises(Invalid) as refused:
        file(session, catalog, store, resident, firm, kind_code="duel", centre_code="MOON", claim="  ")
    assert set(refused.value.errors) == {"kind", "centre", "claim"}


def test_the_window_files_for_a_walk_in_party_and_that_is_their_one_visit(
    session, catalog, store, resident, firm, intake
):
    dispute = filing.record_dispute_at_window(
        session=session,
        actor=intake,
        applicant_number=resident.id_number,
        counterparty_number=firm.credit_code,
        kind_code="consumer",
        centre_code=TOWNSHIP,
        claim="买到的冰箱不制冷，商家拒绝退换。",
        evidence=[],
        store=store,
        catalog=catalog,
    )
    assert dispute.applicant_id == resident.id and dispute.channel == "window"
    visits = session.exec(select(DisputeVisit).where(DisputeVisit.dispute_id == dispute.id)).all()
    assert [(v.centre_code, v.recorded_by_id) for v in visits] == [(TOWNSHIP, intake.id)]
    with pytest.raises(NotAllowed):
        filing.record_dispute_at_window(
            session=session,
            actor=resident,
            applicant_number=resident.id_number,
            counterparty_number=firm.credit_code,
            kind_code="consumer",
            centre_code=TOWNSHIP,
            claim="x",
            evidence=[],
            store=store,
            catalog=catalog,
        )


# --- intake -----------------------------------------------------------------------------


def test_registration_routes_to_one_task_per_agency_and_tells_the_other_party(
    session, catalog, store, resident, firm, intake
):
    dispute = registered(session, catalog, store, resident, firm, intake, routes=["people_mediation", "joint_session"])
    assert dispute.status == DisputeStatus.IN_MEDIATION
    tasks = tasks_of(session, dispute)
    assert {(code, t.department, t.status) for code, t in tasks.items()} == {
        ("people_mediation", "people_mediation", DisputeTaskStatus.READY),
        ("joint_session", "joint_session", DisputeTaskStatus.READY),
    }
    # A contract dispute: 30 calendar days from registration.
    assert dispute.deadline == clock.china_today() + timedelta(days=30)
    assert all(t.deadline == dispute.deadline for t in tasks.values())
    assert any("against you" in t for t in messages_to(session, firm))


def test_a_limit_counted_in_working_days_ends_on_a_working_day_later_than_the_calendar_count(
    session, catalog, store, resident, firm, intake
):
    dispute = registered(session, catalog, store, resident, firm, intake, kind_code="consumer")
    assert dispute.deadline > clock.china_today() + timedelta(days=45)  # 45 working days


def test_routes_are_those_of_the_kind_and_of_the_centre(session, catalog, store, resident, firm, intake):
    dispute = file(session, catalog, store, resident, firm, kind_code="neighbour")
    register = lambda routes: handling.register_dispute(  # noqa: E731
        session=session, actor=intake, key=dispute.key, routes=routes, catalog=catalog
    )
    with pytest.raises(Invalid) as wrong_kind:
        register(["labour_arbitration"])
    assert "does not take" in wrong_kind.value.errors["routes"]
    with pytest.raises(Invalid) as not_hosted:
        register(["court_mediation"])  # a neighbour dispute may go to court mediation, but not in a township
    assert "escalate" in not_hosted.value.errors["routes"]
    with pytest.raises(Invalid):
        register([])
    assert session.get(Dispute, dispute.id).status == DisputeStatus.FILED


def test_only_the_centre_registers(session, catalog, store, resident, firm):
    dispute = file(session, catalog, store, resident, firm)
    with pytest.raises(NotAllowed):
        handling.register_dispute(
            session=session, actor=resident, key=dispute.key, routes=["people_mediation"], catalog=catalog
        )


# --- outcomes ---------------------------------------------------------------------------


def test_agreement_puts_a_certificate_in_both_wallets_and_the_court_confirms_it(
    session, catalog, store, resident, firm, intake
):
    dispute = registered(session, catalog, store, resident, firm, intake, routes=["people_mediation", "joint_session"])
    handling.answer_dispute(
        session=session, actor=firm, key=dispute.key, answer="货已部分交付，同意调解。", catalog=catalog
    )
    mediator, task = mediating(session, catalog, dispute)
    handling.record_agreement(
        session=session, actor=mediator, key=task.key, terms="被申请人于 30 日内支付 2.5 万元。", catalog=catalog
    )
    session.refresh(dispute)
    assert dispute.status == DisputeStatus.AGREED and dispute.answer.startswith("货已")
    wallets = {
        c.owner_id: c for c in session.exec(select(Certificate).where(Certificate.cert_type == "mediation_agreement"))
    }
    assert set(wallets) == {resident.id, firm.id}
    assert {c.data["agreement_terms"] for c in wallets.values()} == {"被申请人于 30 日内支付 2.5 万元。"}
    assert sorted(dispute.certificate_numbers) == sorted(c.number for c in wallets.values())
    assert tasks_of(session, dispute)["joint_session"].status == DisputeTaskStatus.CANCELLED

    handling.request_judicial_confirmation(session=session, actor=firm, key=dispute.key, catalog=catalog)
    confirmation = tasks_of(session, dispute)["judicial_confirmation"]
    assert confirmation.department == "court_mediation"
    judge = agency_clerk(session, "court_mediation")
    handling.claim_dispute_task(session=session, actor=judge, key=confirmation.key, catalog=catalog)
    with pytest.raises(NotAllowed):  # the court's clerk confirms; mediation rows are the mediator's
        handling.record_agreement(session=session, actor=judge, key=confirmation.key, terms="x", catalog=catalog)
    handling.confirm_agreement(session=session, actor=judge, key=confirmation.key, catalog=catalog)
    session.refresh(dispute)
    assert dispute.status == DisputeStatus.CONFIRMED and dispute.closed_at is not None
    handling.report_agreement_honoured(session=session, actor=resident, key=dispute.key, catalog=catalog)
    assert session.get(Dispute, dispute.id).honoured
    with pytest.raises(Conflict):
        handling.report_agreement_honoured(session=session, actor=resident, key=dispute.key, catalog=catalog)
    assert verify_chains(session=session).ok


def test_no_outcome_before_a_session_is_scheduled(session, catalog, store, resident, firm, intake):
    dispute = registered(session, catalog, store, resident, firm, intake)
    mediator = agency_clerk(session, "people_mediation")
    task = tasks_of(session, dispute)["people_mediation"]
    handling.claim_dispute_task(session=session, actor=mediator, key=task.key, catalog=catalog)
    with pytest.raises(Conflict, match="schedule a mediation session"):
        handling.record_agreement(session=session, actor=mediator, key=task.key, terms="x", catalog=catalog)
    with pytest.raises(Invalid) as past:
        handling.schedule_mediation_session(
            session=session,
            actor=mediator,
            key=task.key,
            at=clock.now() - timedelta(hours=1),
            place="online",
            catalog=catalog,
        )
    assert set(past.value.errors) == {"at"}


def test_no_agreement_on_the_last_route_refers_the_dispute_with_its_file(
    session, catalog, store, resident, firm, intake
):
    dispute = registered(session, catalog, store, resident, firm, intake, routes=["people_mediation", "joint_session"])
    first, first_task = mediating(session, catalog, dispute, "people_mediation")
    handling.record_no_agreement(
        session=session, actor=first, key=first_task.key, referral="litigation", reason="双方分歧大", catalog=catalog
    )
    assert session.get(Dispute, dispute.id).status == DisputeStatus.IN_MEDIATION  # the joint session still runs
    second, second_task = mediating(session, catalog, dispute, "joint_session")
    with pytest.raises(Invalid) as unchosen:
        handling.record_no_agreement(
            session=session, actor=second, key=second_task.key, referral="duel", reason="x", catalog=catalog
        )
    assert set(unchosen.value.errors) == {"referral"}
    handling.record_no_agreement(
        session=session,
        actor=second,
        key=second_task.key,
        referral="litigation",
        reason="仍未达成一致",
        catalog=catalog,
    )
    session.refresh(dispute)
    assert dispute.status == DisputeStatus.REFERRED and dispute.referral == "litigation"
    referred = [e for e in history(session=session, case=dispute) if e.event == "dispute.refer"]
    assert referred[0].payload["evidence_forwarded"] == 2
    assert any("forwarded to the court" in t for t in messages_to(session, firm))


def test_withdrawal_cancels_the_agencies_tasks(session, catalog, store, resident, firm, intake):
    dispute = registered(session, catalog, store, resident, firm, intake)
    with pytest.raises(NotAllowed):
        handling.withdraw_dispute(session=session, actor=firm, key=dispute.key, catalog=catalog)
    handling.withdraw_dispute(session=session, actor=resident, key=dispute.key, catalog=catalog)
    assert session.get(Dispute, dispute.id).status == DisputeStatus.WITHDRAWN
    assert {t.status for t in tasks_of(session, dispute).values()} == {DisputeTaskStatus.CANCELLED}


# --- extension with both parties' consent -----------------------------------------------


def test_an_extension_needs_both_parties(session, catalog, store, resident, firm, intake):
    dispute = registered(session, catalog, store, resident, firm, intake)
    limit = dispute.deadline
    mediator, task = mediating(session, catalog, dispute)
    with pytest.raises(Conflict):
        handling.consent_to_extension(session=session, actor=resident, key=dispute.key, catalog=catalog)
    handling.propose_extension(
        session=session, actor=mediator, key=task.key, days=15, reason="鉴定未出", catalog=catalog
    )
    handling.consent_to_extension(session=session, actor=resident, key=dispute.key, catalog=catalog)
    assert session.get(Dispute, dispute.id).deadline == limit  # one consent is not enough
    with pytest.raises(Conflict):
        handling.consent_to_extension(session=session, actor=resident, key=dispute.key, catalog=catalog)
    with pytest.raises(NotAllowed):
        handling.consent_to_extension(session=session, actor=intake, key=dispute.key, catalog=catalog)
    handling.consent_to_extension(session=session, actor=firm, key=dispute.key, catalog=catalog)
    session.refresh(dispute)
    assert dispute.deadline == limit + timedelta(days=15) and dispute.extension == {}
    assert tasks_of(session, dispute)["people_mediation"].deadline == dispute.deadline


def test_a_refused_extension_leaves_the_limit(session, catalog, store, resident, firm, intake):
    dispute = registered(session, catalog, store, resident, firm, intake)
    mediator, task = mediating(session, catalog, dispute)
    handling.propose_extension(session=session, actor=mediator, key=task.key, days=10, reason="x", catalog=catalog)
    handling.refuse_extension(session=session, actor=firm, key=dispute.key, catalog=catalog)
    session.refresh(dispute)
    assert dispute.extension == {} and dispute.extension_days == 0


# --- four levels, one place --------------------------------------------------------------


def test_escalation_goes_up_to_the_county_and_an_in_person_session_stays_at_one_place(
    session, catalog, store, resident, firm, intake
):
    dispute = registered(session, catalog, store, resident, firm, intake)
    handling.record_visit_to_centre(session=session, actor=intake, key=dispute.key, purpose="递交原件", catalog=catalog)
    with pytest.raises(Invalid) as sideways:
        handling.escalate_dispute(
            session=session, actor=intake, key=dispute.key, centre="HZ_XIHU_BEISHAN", reason="x", catalog=catalog
        )
    assert set(sideways.value.errors) == {"centre"}
    handling.escalate_dispute(
        session=session, actor=intake, key=dispute.key, centre=COUNTY, reason="涉及多部门", catalog=catalog
    )
    assert session.get(Dispute, dispute.id).centre_code == COUNTY
    mediator = agency_clerk(session, "people_mediation")
    task = tasks_of(session, dispute)["people_mediation"]
    handling.claim_dispute_task(session=session, actor=mediator, key=task.key, catalog=catalog)
    with pytest.raises(Invalid) as second_place:
        handling.schedule_mediation_session(
            session=session, actor=mediator, key=task.key, at=in_two_days(), place="centre", catalog=catalog
        )
    assert "online" in second_place.value.errors["place"]
    handling.schedule_mediation_session(
        session=session, actor=mediator, key=task.key, at=in_two_days(), place="online", catalog=catalog
    )


# --- who sees what -------------------------------------------------------------------------


def test_a_dispute_is_seen_by_its_parties_the_centre_and_its_agencies_only(
    session, catalog, store, resident, firm, intake
):
    dispute = registered(session, catalog, store, resident, firm, intake)
    for viewer in (resident, firm, intake, agency_clerk(session, "people_mediation")):
        assert (
            queries.dispute_file(session=session, actor=viewer, key=dispute.key, catalog=catalog).dispute.id
            == dispute.id
        )
    for stranger in (
        make_citizen(session),
        agency_clerk(session, "labour_arbitration"),
        make_staff(session, Role.CLERK, department="PSB"),
    ):
        with pytest.raises(NotFound):
            queries.dispute_file(session=session, actor=stranger, key=dispute.key, catalog=catalog)
    as_firm = queries.dispute_file(session=session, actor=firm, key=dispute.key, catalog=catalog)
    assert as_firm.actions == ["answer", "consent_extension", "refuse_extension", "supplement"]
    assert as_firm.tasks[0].actions == []
    assert [d.id for d in queries.my_disputes(session=session, actor=firm)] == [dispute.id]


def test_either_party_adds_evidence_during_mediation_and_the_others_are_told(
    session, catalog, store, resident, firm, intake
):
    dispute = registered(session, catalog, store, resident, firm, intake)
    mediator, _ = mediating(session, catalog, dispute)
    handling.add_evidence(
        session=session,
        actor=firm,
        key=dispute.key,
        evidence=[EvidenceFile("收货单.pdf", PDF)],
        store=store,
        catalog=catalog,
    )
    given = session.exec(select(DisputeEvidence).where(DisputeEvidence.uploaded_by_id == firm.id)).one()
    assert (given.dispute_id, given.filename) == (dispute.id, "收货单.pdf")
    added = [e for e in history(session=session, case=dispute) if e.event == "dispute.supplement"]
    assert added[0].payload["evidence"] == [{"name": "收货单.pdf", "sha256": given.sha256}]
    told = "Dispute %(number)s: %(name)s added evidence (%(count)s files)."
    assert told in messages_to(session, resident) and told in messages_to(session, mediator)
    assert told not in messages_to(session, firm)
    with pytest.raises(NotFound):
        handling.add_evidence(
            session=session,
            actor=make_citizen(session),
            key=dispute.key,
            evidence=[EvidenceFile("x.pdf", PDF)],
            store=store,
            catalog=catalog,
        )


def test_evidence_added_later_is_checked_like_the_filings_and_nothing_is_kept_of_a_refused_lot(
    session, catalog, store, resident, firm, intake
):
    dispute = registered(session, catalog, store, resident, firm, intake)
    before = sorted(p.name for p in store.root.iterdir())
    for files, wrong in (([EvidenceFile("a.pdf", PDF), EvidenceFile("virus.exe", EXE)], "virus.exe"), ([], "")):
        with pytest.raises(Invalid) as refused:
            handling.add_evidence(
                session=session, actor=resident, key=dispute.key, evidence=files, store=store, catalog=catalog
            )
        assert wrong in str(refused.value.errors["evidence"])
    assert sorted(p.name for p in store.root.iterdir()) == before
    assert len(session.exec(select(DisputeEvidence).where(DisputeEvidence.dispute_id == dispute.id)).all()) == 2


def test_no_evidence_is_added_once_the_dispute_is_over(session, catalog, store, resident, firm, intake):
    dispute = file(session, catalog, store, resident, firm)
    handling.withdraw_dispute(session=session, actor=resident, key=dispute.key, catalog=catalog)
    with pytest.raises(Conflict):
        handling.add_evidence(
            session=session,
            actor=resident,
            key=dispute.key,
            evidence=[EvidenceFile("a.pdf", PDF)],
            store=store,
            catalog=catalog,
        )
    assert len(session.exec(select(DisputeEvidence).where(DisputeEvidence.dispute_id == dispute.id)).all()) == 2


def test_the_party_who_asked_rates_a_referred_dispute_once_and_a_poor_rating_reaches_the_agency(
    session, catalog, store, resident, firm, intake
):
    dispute = registered(session, catalog, store, resident, firm, intake)
    mediator, task = mediating(session, catalog, dispute)
    with pytest.raises(Conflict):  # nothing to rate while mediation runs
        handling.rate_dispute(session=session, actor=resident, key=dispute.key, score=5, comment="", catalog=catalog)
    handling.record_no_agreement(
        session=session, actor=mediator, key=task.key, referral="litigation", reason="双方分歧大", catalog=catalog
    )
    with pytest.raises(NotAllowed):  # the other party did not ask for the service
        handling.rate_dispute(session=session, actor=firm, key=dispute.key, score=1, comment="", catalog=catalog)
    handling.rate_dispute(
        session=session, actor=resident, key=dispute.key, score=2, comment="调解员不够耐心", catalog=catalog
    )
    rating = session.exec(select(Rating).where(Rating.case_chain == dispute.chain)).one()
    assert (rating.score, rating.comment) == (2, "调解员不够耐心")
    owed = session.exec(select(Rectification).where(Rectification.rating_id == rating.id)).all()
    assert [r.department for r in owed] == ["people_mediation"]
    with pytest.raises(Conflict):
        handling.rate_dispute(session=session, actor=resident, key=dispute.key, score=5, comment="", catalog=catalog)


def test_the_agency_queue_lists_its_open_tasks(session, catalog, store, resident, firm, intake):
    dispute = registered(session, catalog, store, resident, firm, intake, routes=["people_mediation", "joint_session"])
    mediator = agency_clerk(session, "people_mediation")
    assert [(r.task.item_code, r.dispute.id) for r in queries.agency_queue(session=session, actor=mediator)] == [
        ("people_mediation", dispute.id)
    ]
    assert [d.id for d in queries.intake_queue(session=session, actor=intake).running] == [dispute.id]


# --- the case lock ----------------------------------------------------------------------------


def test_of_two_registrations_at_once_one_wins_and_the_other_is_told(engine, session, catalog, store, resident, firm):
    dispute = file(session, catalog, store, resident, firm)
    desks = [make_staff(session, Role.FRONT_DESK) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes = []

    def register(actor):
        with new_session(engine) as own:
            barrier.wait()
            try:
                handling.register_dispute(
                    session=own, actor=actor, key=dispute.key, routes=["people_mediation"], catalog=catalog
                )
                outcomes.append("won")
            except Conflict as error:
                outcomes.append(error.message)

    threads = [threading.Thread(target=register, args=(d,)) for d in desks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # PostgreSQL: the second waits on the lock and finds it moved on; SQLite: its compare-and-set fails.
    assert sorted(outcomes) in (
        sorted(["won", "cannot register a dispute that is in mediation"]),
        sorted(["won", LOST]),
    )
    assert len(tasks_of(session, dispute)) == 1
    assert verify_chains(session=session).ok


def test_of_two_clerks_claiming_at_once_one_holds_the_task(engine, session, catalog, store, resident, firm, intake):
    dispute = registered(session, catalog, store, resident, firm, intake)
    task = tasks_of(session, dispute)["people_mediation"]
    clerks = [agency_clerk(session, "people_mediation") for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes = []

    def claim(actor):
        with new_session(engine) as own:
            barrier.wait()
            try:
                handling.claim_dispute_task(session=own, actor=actor, key=task.key, catalog=catalog)
                outcomes.append("won")
            except Conflict as error:
                outcomes.append(error.message)

    threads = [threading.Thread(target=claim, args=(c,)) for c in clerks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) in (sorted(["won", "cannot claim a dispute's task that is claimed"]), sorted(["won", LOST]))
    session.refresh(task)
    assert task.assignee_id in {c.id for c in clerks}
    assert session.exec(select(Task).where(col(Task.case_id) == dispute.id, Task.case_kind == "dispute")).all()


# --- the engine's clock ------------------------------------------------------------------------


def test_the_sla_sweep_colours_an_agency_task_by_the_legal_limit_and_warns_its_agency(
    session, catalog, store, at, resident, firm, intake
):
    dispute = registered(session, catalog, store, resident, firm, intake)  # 2026-11-02: a contract, 30 days
    assert dispute.deadline == date(2026, 12, 2)
    mediator = agency_clerk(session, "people_mediation")
    other_agency = agency_clerk(session, "petition")
    assert sweep(session=session, catalog=catalog) == SweepReport(0, 0, 0)
    at(2026, 12, 3)
    assert sweep(session=session, catalog=catalog) == SweepReport(recoloured=1, notified=1, terminated=0)
    session.expire_all()
    assert tasks_of(session, dispute)["people_mediation"].sla_colour == "red"
    assert any(
        dispute.number in str(n.params)
        for n in session.exec(select(Notification).where(Notification.user_id == mediator.id))
    )
    assert session.exec(select(Notification).where(Notification.user_id == other_agency.id)).all() == []


def test_when_the_other_party_never_answers_the_labour_dispute_goes_to_arbitration_with_its_file(
    session, catalog, store, resident, firm, intake
):
    dispute = registered(
        session,
        catalog,
        store,
        resident,
        firm,
        intake,
        routes=["labour_arbitration"],
        kind_code="labour",
        centre_code=COUNTY,
    )
    assert dispute.deadline == clock.china_today() + timedelta(days=45)  # labour: 45 days
    mediator, task = mediating(session, catalog, dispute, "labour_arbitration")
    handling.record_no_agreement(
        session=session,
        actor=mediator,
        key=task.key,
        referral="arbitration",
        reason="被申请人未到场也未答复",
        catalog=catalog,
    )
    session.refresh(dispute)
    assert dispute.status == DisputeStatus.REFERRED and dispute.referral == "arbitration" and dispute.answer is None
    referred = [e for e in history(session=session, case=dispute) if e.event == "dispute.refer"][0]
    assert referred.payload["answer_forwarded"] is False and referred.payload["evidence_forwarded"] == 2
    for party in (resident, firm):
        assert any("labour arbitration" in t for t in messages_to(session, party))
