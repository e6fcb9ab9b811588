"""Draft, pre-check, upload and submit on a real database, without Flask."""

import threading

import pytest
from sqlmodel import select

from services.applications.drafts import attach_upload, save_draft, start_draft
from services.applications.queries import get_application
from services.applications.submission import submit_application, withdraw_application
from services.audit_check import verify_chains
from services.db import new_session
from services.errors import Conflict, Invalid, NotAllowed, NotFound
from services.models import Application, ApplicationStatus, Attachment, AuditEvent, Role
from services.requirements.precheck import precheck
from services.uploads import FileStore
from tests.conftest import EXE, PDF, PNG
from tests.factories import make_certificate, make_citizen, make_company, make_staff
from tests.sample import complete_values, newborn


@pytest.fixture
def store(tmp_path):
    return FileStore(tmp_path / "files")


def test_a_second_click_on_apply_resumes_the_same_draft(session, catalog):
    citizen = make_citizen(session)
    first = start_draft(session=session, actor=citizen, service_code=newborn(catalog).code, catalog=catalog)
    second = start_draft(session=session, actor=citizen, service_code=newborn(catalog).code, catalog=catalog)
    assert first.key == second.key
    assert session.exec(select(Application)).all() == [first]


def test_draft_is_prefilled_from_profile_and_wallet(session, catalog):
    bundle = newborn(catalog)
    citizen = make_citizen(session)
    wallet_fields = [f for f in bundle.fields if f.prefill and f.prefill.startswith("wallet.")]
    by_type: dict[str, dict] = {}
    for spec in wallet_fields:
        _, cert_type, data_key = spec.prefill.split(".")
        by_type.setdefault(cert_type, {})[data_key] = "预填值"
    for cert_type, data in by_type.items():
        make_certificate(session, citizen, cert_type, data=data)
    draft = start_draft(session=session, actor=citizen, service_code=bundle.code, catalog=catalog)
    profile_fields = [f for f in bundle.fields if f.prefill == "profile.full_name"]
    for spec in profile_fields:
        assert draft.form_data[spec.key] == citizen.full_name
    for spec in wallet_fields:
        assert draft.form_data[spec.key] == "预填值"


def test_wallet_certificates_are_attached_not_uploaded(session, catalog):
    bundle = newborn(catalog)
    citizen = make_citizen(session)
    # The applicant's own certificates; the spouse's come only with a marriage record (test_family.py).
    covered = [m for m in bundle.materials if m.wallet_cert and m.holder == "self"]
    assert covered, "the newborn bundle should take something from the wallet"
    for material in covered:
        make_certificate(session, citizen, material.wallet_cert)
    draft = start_draft(session=session, actor=citizen, service_code=bundle.code, catalog=catalog)
    rows = session.exec(select(Attachment).where(Attachment.application_id == draft.id)).all()
    assert {r.material_key for r in rows} == {m.key for m in covered}
    assert all(r.source == "wallet" and r.storage_name is None for r in rows)


def test_precheck_lists_every_gap_at_once(session, catalog):
    bundle = newborn(catalog)
    citizen = make_citizen(session)
    draft = start_draft(session=session, actor=citizen, service_code=bundle.code, catalog=catalog)
    gaps = precheck(session=session, application=draft, catalog=catalog)
    required_fields = {f.key for f in bundle.fields if f.required and not draft.form_data.get(f.key)}
    required_materials = {m.key for m in bundle.materials if m.required}
    assert {g.key for g in gaps if g.kind == "field"} == required_fields
    assert {g.key for g in gaps if g.kind == "material"} == required_materials


def test_saving_keeps_what_was_typed_even_when_invalid(session, catalog):
    bundle = newborn(catalog)
    id_field = next(f for f in bundle.fields if f.type == "id_number")
    citizen = make_citizen(session)
    draft = start_draft(session=session, actor=citizen, service_code=bundle.code, catalog=catalog)
    problems = save_draft(
        session=session, actor=citizen, key=draft.key, values={id_field.key: "330106199001010000"}, catalog=catalog
    )
    assert id_field.key in problems
    session.expire_all()
    assert session.get(Application, draft.id).form_data[id_field.key] == "330106199001010000"
    gaps = precheck(session=session, application=session.get(Application, draft.id), catalog=catalog)
    assert any(g.key == id_field.key and "check digit" in g.reason for g in gaps)


def test_an_executable_named_pdf_is_refused(session, catalog, store):
    bundle = newborn(catalog)
    citizen = make_citizen(session)
    material = next(m for m in bundle.materials if not m.wallet_cert)
    draft = start_draft(session=session, actor=citizen, service_code=bundle.code, catalog=catalog)
    with pytest.raises(Invalid) as refused:
        attach_upload(
            session=session,
            actor=citizen,
            key=draft.key,
            material_key=material.key,
            filename="birth.pdf",
            data=EXE,
            store=store,
            catalog=catalog,
        )
    assert material.key in refused.value.errors
    assert not store.root.exists() or not any(store.root.iterdir())


def test_upload_is_typed_by_its_bytes_and_replaces_the_previous_file(session, catalog, store):
    bundle = newborn(catalog)
    citizen = make_citizen(session)
    material = next(m for m in bundle.materials if not m.wallet_cert)
    draft = start_draft(session=session, actor=citizen, service_code=bundle.code, catalog=catalog)
    first = attach_upload(
        session=session,
        actor=citizen,
        key=draft.key,
        material_key=material.key,
        filename="scan.jpg",
        data=PNG,
        store=store,
        catalog=catalog,
    )
    assert first.content_type == "image/png"
    second = attach_upload(
        session=session,
        actor=citizen,
        key=draft.key,
        material_key=material.key,
        filename="scan.pdf",
        data=PDF,
        store=store,
        catalog=catalog,
    )
    assert second.content_type == "application/pdf"
    assert [p.name for p in store.root.iterdir()] == [second.storage_name]


def test_a_file_over_the_limit_is_refused(session, catalog, store):
    bundle = newborn(catalog)
    citizen = make_citizen(session)
    material = next(m for m in bundle.materials if not m.wallet_cert)
    draft = start_draft(session=session, actor=citizen, service_code=bundle.code, catalog=catalog)
    with pytest.raises(Invalid, match="too large"):
        attach_upload(
            session=session,
            actor=citizen,
            key=draft.key,
            material_key=material.key,
            filename="big.pdf",
            data=PDF + b"0" * (5 * 1024 * 1024),
            store=store,
            catalog=catalog,
        )


def _ready_draft(session, catalog, store, citizen=None):
    bundle = newborn(catalog)
    citizen = citizen or make_citizen(session)
    for material in bundle.materials:
        if material.wallet_cert:
            make_certificate(session, citizen, material.wallet_cert)
    draft = start_draft(session=session, actor=citizen, service_code=bundle.code, catalog=catalog)
    save_draft(session=session, actor=citizen, key=draft.key, values=complete_values(bundle), catalog=catalog)
    for material in bundle.materials:
        if not material.wallet_cert:
            attach_upload(
                session=session,
                actor=citizen,
                key=draft.key,
                material_key=material.key,
                filename=f"{material.key}.pdf",
                data=PDF,
                store=store,
                catalog=catalog,
            )
    return citizen, draft


def test_submit_refuses_while_something_is_missing(session, catalog):
    citizen = make_citizen(session)
    draft = start_draft(session=session, actor=citizen, service_code=newborn(catalog).code, catalog=catalog)
    with pytest.raises(Invalid) as refused:
        submit_application(session=session, actor=citizen, key=draft.key, catalog=catalog)
    assert refused.value.details["gaps"]
    assert session.get(Application, draft.id).status == ApplicationStatus.DRAFT


def test_submit_gives_a_public_number_and_an_audit_event(session, catalog, store):
    citizen, draft = _ready_draft(session, catalog, store)
    submitted = submit_application(session=session, actor=citizen, key=draft.key, catalog=catalog)
    assert submitted.status == ApplicationStatus.SUBMITTED
    assert submitted.number.startswith("ZJ-") and len(submitted.number) == len("ZJ-20261121-000001")
    event = session.exec(select(AuditEvent).where(AuditEvent.event == "submit")).one()
    assert (event.from_status, event.to_status, event.payload["number"]) == ("draft", "submitted", submitted.number)
    assert verify_chains(session=session).ok


def test_submitting_twice_returns_the_same_application(session, catalog, store):
    citizen, draft = _ready_draft(session, catalog, store)
    first = submit_application(session=session, actor=citizen, key=draft.key, catalog=catalog)
    again = submit_application(session=session, actor=citizen, key=draft.key, catalog=catalog)
    assert first.number == again.number
    assert len(session.exec(select(AuditEvent).where(AuditEvent.event == "submit")).all()) == 1


def test_twenty_parallel_submits_of_one_draft_make_one_application(engine, session, catalog, store):
    citizen, draft = _ready_draft(session, catalog, store)
    barrier = threading.Barrier(20)
    numbers, errors = [], []

    def submit():
        with new_session(engine) as own:
            barrier.wait()
            try:
                numbers.append(submit_application(session=own, actor=citizen, key=draft.key, catalog=catalog).number)
            except Exception as error:  # noqa: BLE001  (collected and asserted below)
                errors.append(error)

    threads = [threading.Thread(target=submit) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(numbers)) == 1 and len(numbers) == 20
    assert len(session.exec(select(AuditEvent).where(AuditEvent.event == "submit")).all()) == 1
    assert verify_chains(session=session).ok


def test_numbers_count_up_within_a_day(session, catalog, store):
    numbers = []
    for _ in range(3):
        citizen, draft = _ready_draft(session, catalog, store)
        numbers.append(submit_application(session=session, actor=citizen, key=draft.key, catalog=catalog).number)
    assert [int(n[-6:]) for n in numbers] == [1, 2, 3]


def test_a_submitted_application_cannot_be_edited(session, catalog, store):
    citizen, draft = _ready_draft(session, catalog, store)
    submit_application(session=session, actor=citizen, key=draft.key, catalog=catalog)
    with pytest.raises(Conflict):
        save_draft(session=session, actor=citizen, key=draft.key, values={}, catalog=catalog)


def test_withdraw_before_acceptance(session, catalog, store):
    citizen, draft = _ready_draft(session, catalog, store)
    submit_application(session=session, actor=citizen, key=draft.key, catalog=catalog)
    withdrawn = withdraw_application(session=session, actor=citizen, key=draft.key, catalog=catalog, reason="办错了")
    assert withdrawn.status == ApplicationStatus.WITHDRAWN and withdrawn.closed_at
    with pytest.raises(Conflict):
        withdraw_application(session=session, actor=citizen, key=draft.key, catalog=catalog)


def test_another_citizen_sees_nothing(session, catalog, store):
    owner, draft = _ready_draft(session, catalog, store)
    stranger = make_citizen(session)
    with pytest.raises(NotFound):
        get_application(session=session, actor=stranger, key=draft.key, catalog=catalog)
    with pytest.raises(NotFound):
        withdraw_application(session=session, actor=stranger, key=draft.key, catalog=catalog)


def test_staff_see_submitted_applications_but_not_drafts(session, catalog, store):
    owner, draft = _ready_draft(session, catalog, store)
    front_desk = make_staff(session, Role.FRONT_DESK)
    with pytest.raises(NotFound):
        get_application(session=session, actor=front_desk, key=draft.key, catalog=catalog)
    submit_application(session=session, actor=owner, key=draft.key, catalog=catalog)
    assert get_application(session=session, actor=front_desk, key=draft.key, catalog=catalog).id == draft.id
    involved = newborn(catalog).departments[0]
    outsider = next(code for code in catalog.departments if code not in newborn(catalog).departments)
    assert get_application(
        session=session, actor=make_staff(session, Role.CLERK, involved), key=draft.key, catalog=catalog
    )
    with pytest.raises(NotFound):
        get_application(
            session=session, actor=make_staff(session, Role.CLERK, outsider), key=draft.key, catalog=catalog
        )


def test_a_company_cannot_apply_for_a_citizen_service(session, catalog):
    company = make_company(session)
    with pytest.raises(NotAllowed):
        start_draft(session=session, actor=company, service_code=newborn(catalog).code, catalog=catalog)
