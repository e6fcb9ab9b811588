"""A spouse's data the government holds fills the newborn bundle, only when both marriage records agree."""

from sqlmodel import col, select

from services.applications.drafts import list_drafts, save_draft, start_draft
from services.applications.family import find_family, wallet_by_type
from services.applications.submission import submit_application
from services.models import Attachment, AuditEvent, Certificate
from tests.factories import id_number, make_certificate, make_citizen
from tests.sample import complete_values, newborn


def _marriage(session, holder, partner):
    return make_certificate(
        session,
        holder,
        "marriage_certificate",
        data={
            "full_name": holder.full_name,
            "id_number": holder.id_number,
            "spouse_name": partner.full_name,
            "spouse_id_number": partner.id_number,
        },
    )


def _couple(session):
    """A husband (odd 17th digit) and a wife (even), each holding an ID card and a household register entry."""
    husband = make_citizen(session, id_number=id_number(901, "19880412"), full_name="陈建国")
    wife = make_citizen(session, id_number=id_number(902, "19900623"), full_name="林晓燕")
    for person in (husband, wife):
        make_certificate(session, person, "id_card", data={"full_name": person.full_name})
        make_certificate(session, person, "hukou_booklet", data={"household_number": "330106000901"})
    return husband, wife


def _attached(session, application) -> dict[str, Certificate]:
    rows = session.exec(
        select(Attachment.material_key, Certificate)
        .join(Certificate, col(Certificate.id) == col(Attachment.certificate_id))
        .where(Attachment.application_id == application.id)
    ).all()
    return {key: certificate for key, certificate in rows}


def test_a_married_applicant_gets_the_parents_filled_and_the_spouses_certificates_attached(session, catalog):
    husband, wife = _couple(session)
    _marriage(session, husband, wife)
    _marriage(session, wife, husband)

    draft = start_draft(session=session, actor=husband, service_code=newborn(catalog).code, catalog=catalog)

    # The mother is the wife whoever applies: the ID numbers say who is who.
    assert draft.form_data["mother_name"] == "林晓燕" and draft.form_data["mother_id_number"] == wife.id_number
    assert draft.form_data["father_name"] == "陈建国" and draft.form_data["father_id_number"] == husband.id_number
    attached = _attached(session, draft)
    assert attached["spouse_id_card"].owner_id == wife.id and attached["spouse_id_card"].cert_type == "id_card"
    assert attached["spouse_hukou_booklet"].owner_id == wife.id
    assert attached["applicant_id_card"].owner_id == husband.id


def test_the_wife_applying_finds_the_same_parents(session, catalog):
    husband, wife = _couple(session)
    _marriage(session, husband, wife)
    _marriage(session, wife, husband)
    draft = start_draft(session=session, actor=wife, service_code=newborn(catalog).code, catalog=catalog)
    assert draft.form_data["mother_id_number"] == wife.id_number
    assert draft.form_data["father_id_number"] == husband.id_number
    assert _attached(session, draft)["spouse_id_card"].owner_id == husband.id


def test_a_marriage_certificate_naming_someone_is_not_enough(session, catalog):
    husband, wife = _couple(session)
    _marriage(session, husband, wife)  # hers does not name him back: no marriage on record for her
    draft = start_draft(session=session, actor=husband, service_code=newborn(catalog).code, catalog=catalog)
    assert not {"mother_name", "mother_id_number", "father_name", "father_id_number"} & set(draft.form_data)
    assert {key for key, c in _attached(session, draft).items() if c.owner_id == wife.id} == set()
    assert find_family(session, husband, wallet_by_type(session, husband.id)).spouse is None


def test_no_spouse_data_for_someone_married_to_another(session, catalog):
    husband, wife = _couple(session)
    other = make_citizen(session, id_number=id_number(903, "19870101"))
    _marriage(session, husband, wife)
    _marriage(session, wife, other)  # her record names another man
    draft = start_draft(session=session, actor=husband, service_code=newborn(catalog).code, catalog=catalog)
    assert "mother_id_number" not in draft.form_data
    assert all(c.owner_id == husband.id for c in _attached(session, draft).values())


def test_sharing_a_spouses_certificate_is_recorded_as_the_spouses(session, catalog):
    husband, wife = _couple(session)
    _marriage(session, husband, wife)
    _marriage(session, wife, husband)
    bundle = newborn(catalog)
    draft = start_draft(session=session, actor=husband, service_code=bundle.code, catalog=catalog)
    values = {key: value for key, value in complete_values(bundle).items() if not draft.form_data.get(key)}
    save_draft(session=session, actor=husband, key=draft.key, values=values, catalog=catalog)

    submitted = submit_application(session=session, actor=husband, key=draft.key, catalog=catalog)

    shares = session.exec(
        select(AuditEvent).where(AuditEvent.application_id == submitted.id, AuditEvent.event == "share_certificate")
    ).all()
    by_material = {event.payload["material"]: event.payload for event in shares}
    wife_card = wallet_by_type(session, wife.id)["id_card"]
    assert by_material["spouse_id_card"] == {
        "material": "spouse_id_card",
        "certificate": wife_card.number,
        "cert_type": "id_card",
        "holder": "spouse",
    }
    # The applicant's own shares read as before: no holder named.
    assert "holder" not in by_material["applicant_id_card"]


def test_starting_anew_keeps_the_old_draft(session, catalog):
    citizen = make_citizen(session)
    code = newborn(catalog).code
    old = start_draft(session=session, actor=citizen, service_code=code, catalog=catalog)
    new = start_draft(session=session, actor=citizen, service_code=code, catalog=catalog, fresh=True)
    assert new.id != old.id
    assert {draft.id for draft in list_drafts(session=session, actor=citizen, service_code=code)} == {old.id, new.id}
