"""The wallet's certificates as cards: who may open one, what it shows, and sharing it with a case."""

from datetime import date, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlmodel import select

from services import clock
from services.applications.drafts import start_draft
from services.audit_check import verify_chains
from services.errors import NotAllowed, NotFound
from services.models import AuditEvent, Certificate, Role
from services.wallet.cards import open_certificate, present_certificate
from services.wallet.counter import check_presented_code
from services.wallet.presentation import LIFETIME, Verdict
from tests.factories import make_certificate, make_citizen, make_staff
from tests.sample import submitted

ITEM = "330100-TRANSPORT-003"  # a TRANSPORT item: the ID card and the driving licence come from the wallet
KEY = Ed25519PrivateKey.from_private_bytes(bytes(32))


def _licence(session, owner) -> Certificate:
    return make_certificate(
        session,
        owner,
        "driving_licence",
        data={
            "valid_until": "2032-03-01",
            "full_name": owner.full_name,
            "vehicle_class": "C1",
            "id_number": owner.id_number,
        },
        issued_by="TRANSPORT",
        issued_on=date(2022, 3, 1),
    )


def test_the_holder_opens_a_card_with_the_data_in_the_catalogues_order_and_labels(session, catalog):
    citizen = make_citizen(session)
    certificate = _licence(session, citizen)
    card = open_certificate(session=session, actor=citizen, key=certificate.key, catalog=catalog)
    assert card.cert_type.name.zh == "机动车驾驶证"
    assert [(line.spec.label.en, line.value) for line in card.lines] == [
        ("Full name", citizen.full_name),
        ("ID number", citizen.id_number),
        ("Licence class", "C1"),
        ("Valid until", "2032-03-01"),
    ]
    assert [line.spec.type for line in card.lines] == ["text", "id_number", "select", "date"]
    assert card.holder.id == citizen.id
    assert card.uses == []


def test_another_applicant_and_staff_of_no_case_get_not_found(session, catalog):
    certificate = _licence(session, make_citizen(session))
    for stranger in (make_citizen(session), make_staff(session, Role.FRONT_DESK), make_staff(session, Role.SUPERVISOR)):
        with pytest.raises(NotFound):
            open_certificate(session=session, actor=stranger, key=certificate.key, catalog=catalog)
    with pytest.raises(NotFound):
        open_certificate(session=session, actor=make_citizen(session), key="no-such-key", catalog=catalog)


def test_staff_see_a_certificate_through_a_case_they_may_see_that_uses_it(session, catalog, store):
    applicant, application = submitted(session, catalog, store, ITEM)
    licence = session.exec(
        select(Certificate).where(Certificate.owner_id == applicant.id, Certificate.cert_type == "driving_licence")
    ).one()
    for staff in (
        make_staff(session, Role.FRONT_DESK),
        make_staff(session, Role.CLERK, department="TRANSPORT"),
        make_staff(session, Role.SUPERVISOR),
    ):
        card = open_certificate(session=session, actor=staff, key=licence.key, catalog=catalog)
        assert [use.application.number for use in card.uses] == [application.number]
    with pytest.raises(NotFound):
        open_certificate(
            session=session,
            actor=make_staff(session, Role.CLERK, department="HEALTH"),
            key=licence.key,
            catalog=catalog,
        )


def test_staff_learn_only_of_the_uses_they_may_see(session, catalog, store):
    applicant, transport = submitted(session, catalog, store, ITEM)
    # The same ID card, shared again with a market regulation case a transport clerk has nothing to do with.
    _, other = submitted(
        session, catalog, store, "330100-AMR-002", applicant=applicant, leave_out=("applicant_id_card",)
    )
    id_card = session.exec(
        select(Certificate).where(Certificate.owner_id == applicant.id, Certificate.cert_type == "id_card")
    ).one()
    clerk = make_staff(session, Role.CLERK, department="TRANSPORT")
    seen = open_certificate(session=session, actor=clerk, key=id_card.key, catalog=catalog).uses
    assert [use.application.number for use in seen] == [transport.number]
    every = open_certificate(session=session, actor=applicant, key=id_card.key, catalog=catalog).uses
    assert {use.application.number for use in every} == {transport.number, other.number}


def test_a_draft_shares_nothing_so_staff_cannot_see_its_certificates(session, catalog):
    citizen = make_citizen(session)
    licence = _licence(session, citizen)
    make_certificate(session, citizen, "id_card")
    start_draft(session=session, actor=citizen, service_code=ITEM, catalog=catalog)  # attaches both from the wallet
    assert open_certificate(session=session, actor=citizen, key=licence.key, catalog=catalog).uses == []
    with pytest.raises(NotFound):
        open_certificate(session=session, actor=make_staff(session, Role.FRONT_DESK), key=licence.key, catalog=catalog)
    assert not session.exec(select(AuditEvent).where(AuditEvent.event == "share_certificate")).all()


def test_submitting_records_each_shared_certificate_on_the_cases_chain(session, catalog, store):
    applicant, application = submitted(session, catalog, store, ITEM)
    events = session.exec(
        select(AuditEvent).where(AuditEvent.application_id == application.id).order_by(AuditEvent.position)
    ).all()
    shares = [event for event in events if event.event == "share_certificate"]
    wallet = {
        c.cert_type: c.number for c in session.exec(select(Certificate).where(Certificate.owner_id == applicant.id))
    }
    assert [share.payload for share in shares] == [
        {"material": "applicant_id_card", "certificate": wallet["id_card"], "cert_type": "id_card"},
        {"material": "driving_licence", "certificate": wallet["driving_licence"], "cert_type": "driving_licence"},
    ]
    assert all(share.actor_id == applicant.id and share.chain == application.chain for share in shares)
    # Confirmed by the submission itself: the shares come just before it, in the same write.
    names = [event.event for event in events]
    assert names.index("submit") == names.index("share_certificate") + 2
    assert verify_chains(session=session).ok


def test_the_card_lists_every_case_the_certificate_was_shared_with(session, catalog, store):
    applicant, first = submitted(session, catalog, store, ITEM)
    # The second time the wallet already holds the ID card: the same certificate is shared again.
    _, second = submitted(session, catalog, store, ITEM, applicant=applicant, leave_out=("applicant_id_card",))
    id_card = session.exec(
        select(Certificate).where(Certificate.owner_id == applicant.id, Certificate.cert_type == "id_card")
    ).one()
    card = open_certificate(session=session, actor=applicant, key=id_card.key, catalog=catalog)
    assert {use.application.number for use in card.uses} == {first.number, second.number}
    assert {use.material_key for use in card.uses} == {"applicant_id_card"}


def test_a_presented_code_certifies_the_holder_and_lives_a_few_minutes(session, catalog):
    citizen = make_citizen(session)
    card = open_certificate(session=session, actor=citizen, key=_licence(session, citizen).key, catalog=catalog)
    now = clock.now()
    code, claims = present_certificate(card, KEY, now)
    assert (claims.number, claims.holder_name, claims.holder_id) == (
        card.certificate.number,
        citizen.full_name,
        citizen.id_number,
    )
    assert claims.expires_at == now + LIFETIME
    desk = make_staff(session, Role.FRONT_DESK)
    valid = check_presented_code(
        session=session, actor=desk, text=code, public_key=KEY.public_key(), catalog=catalog, now=now
    )
    assert valid.checked.verdict == Verdict.VALID
    assert [line.value for line in valid.lines][:2] == [citizen.full_name, citizen.id_number]
    late = check_presented_code(
        session=session,
        actor=desk,
        text=code,
        public_key=KEY.public_key(),
        catalog=catalog,
        now=now + timedelta(hours=1),
    )
    assert late.checked.verdict == Verdict.EXPIRED and late.lines == ()


def test_only_staff_check_codes(session, catalog):
    citizen = make_citizen(session)
    with pytest.raises(NotAllowed):
        check_presented_code(session=session, actor=citizen, text="x", public_key=KEY.public_key(), catalog=catalog)
