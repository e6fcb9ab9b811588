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


# --- enterprise requests (企呼我应) -----------------------------------------------------------


def request_staff(session) -> dict:
    """A clerk and the supervisor of the business-environment office, and a clerk of two departments."""
    from services.models import Role
    from services.workflow.enterprise.actors import OFFICE_DEPARTMENT
    from tests.factories import make_staff

    return {
        "office": make_staff(session, Role.CLERK, OFFICE_DEPARTMENT),
        "supervisor": make_staff(session, Role.SUPERVISOR, OFFICE_DEPARTMENT),
        "URBAN": make_staff(session, Role.CLERK, "URBAN"),
        "NRPB": make_staff(session, Role.CLERK, "NRPB"),
    }


def request_tasks(session, request) -> dict:
    """The request's tasks by role (triage, lead, co_handler), oldest first, read afresh."""
    from sqlmodel import col, select

    from services.models import Task

    session.expire_all()
    found: dict = {}
    for task in session.exec(
        select(Task).where(Task.case_kind == request.CHAIN_KIND, Task.case_id == request.id).order_by(col(Task.id))
    ):
        found.setdefault(task.item_code, []).append(task)
    return found


def reloaded_request(session, request):
    from services.models import EnterpriseRequest

    session.expire_all()
    return session.get(EnterpriseRequest, request.id)


def in_app_messages(session, user) -> list:
    from sqlmodel import select

    from services.models import Notification

    return list(
        session.exec(select(Notification).where(Notification.user_id == user.id, Notification.channel == "in_app"))
    )


def request_events(session, request) -> list[str]:
    """The names of the events in the request's chain, in order."""
    from sqlmodel import col, select

    from services.models import AuditEvent

    session.expire_all()
    return list(
        session.exec(
            select(AuditEvent.event).where(AuditEvent.chain == request.chain).order_by(col(AuditEvent.position))
        )
    )


def routed_request(session, catalog, store, staff, co_handlers=("NRPB",)):
    """A land-and-utilities request the office routed to URBAN, with these co-handlers."""
    from services.enterprise import office

    firm, request = raised_request(session, catalog, store, category="land_utilities")
    office.route_request(
        session=session,
        actor=staff["office"],
        key=request.key,
        catalog=catalog,
        lead="URBAN",
        co_handlers=list(co_handlers),
    )
    return firm, reloaded_request(session, request)


def answered_request(session, catalog, store, staff):
    """A routed request whose co-handler gave its input and whose lead answered."""
    from services.enterprise import handling
    from services.models import EnterpriseTaskRole

    firm, request = routed_request(session, catalog, store, staff)
    tasks = request_tasks(session, request)
    co, lead = tasks[EnterpriseTaskRole.CO_HANDLER][0], tasks[EnterpriseTaskRole.LEAD][0]
    handling.claim_request_task(session=session, actor=staff["NRPB"], key=co.key, catalog=catalog)
    handling.give_request_input(session=session, actor=staff["NRPB"], key=co.key, catalog=catalog, text="用地已落实。")
    handling.claim_request_task(session=session, actor=staff["URBAN"], key=lead.key, catalog=catalog)
    handling.draft_request_answer(
        session=session, actor=staff["URBAN"], key=lead.key, catalog=catalog, answer="增容已排入本月计划。"
    )
    return firm, reloaded_request(session, request)
