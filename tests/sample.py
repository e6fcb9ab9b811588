"""Valid answers for any catalogue form, for tests that need a complete application."""

from tests.factories import credit_code, id_number

SAMPLES = {
    "text": "测试",
    "date": "2026-11-02",
    "address": "杭州市西湖区文三路 90 号",
    "phone": "13912345678",
    "id_number": id_number(7),
    "credit_code": credit_code(7),
}


def sample_value(spec) -> str:
    if spec.type == "select":
        return spec.options[0].value
    if spec.type == "number":
        return f"{spec.min:g}" if spec.min is not None else "1"
    return SAMPLES[spec.type]


def complete_values(service) -> dict[str, str]:
    return {spec.key: sample_value(spec) for spec in service.fields}


def newborn(catalog):
    return catalog.bundles["BUNDLE-NEWBORN"]


def submitted(
    session,
    catalog,
    store,
    code: str,
    applicant=None,
    leave_out: tuple[str, ...] = (),
    delivery_method: str | None = None,
):
    """An application for `code` submitted through the real services, every material given but `leave_out`."""
    from services.applications.drafts import attach_upload, save_draft, start_draft
    from services.applications.submission import submit_application
    from tests.conftest import PDF
    from tests.factories import make_certificate, make_citizen, make_company

    service = catalog.service(code)
    applicant = applicant or (make_citizen(session) if "citizen" in service.applicant_types else make_company(session))
    for material in service.materials:
        if material.wallet_cert and material.key not in leave_out:
            make_certificate(session, applicant, material.wallet_cert)
    draft = start_draft(session=session, actor=applicant, service_code=code, catalog=catalog)
    save_draft(
        session=session,
        actor=applicant,
        key=draft.key,
        values=complete_values(service),
        catalog=catalog,
        delivery_method=delivery_method,
    )
    for material in service.materials:
        if material.key in leave_out or material.wallet_cert:
            continue
        attach_upload(
            session=session,
            actor=applicant,
            key=draft.key,
            material_key=material.key,
            filename=f"{material.key}.pdf",
            data=PDF,
            store=store,
            catalog=catalog,
        )
    return applicant, submit_application(session=session, actor=applicant, key=draft.key, catalog=catalog)


def raised_request(session, catalog, store, firm=None, category: str = "policy_question", **fields):
    """An enterprise request raised through the real service by `firm` (a new company unless given)."""
    from services.enterprise.raising import raise_request
    from tests.factories import make_company

    firm = firm or make_company(session)
    values = dict(category=category, description="园区用电增容申请迟迟没有进展，请协调。") | fields
    return firm, raise_request(session=session, actor=firm, catalog=catalog, store=store, **values)
