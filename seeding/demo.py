"""Demo accounts with fixed, printed logins, so a newcomer lands in a living system."""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from services.accounts import CitizenRegistration, CompanyRegistration, create_staff, register_citizen, register_company
from services.applications.drafts import save_draft, start_draft
from services.applications.submission import submit_application
from services.catalog import Catalog
from services.db import transactional
from services.identity import credit_code_check_char, id_number_birth_date, id_number_check_char, id_number_gender
from services.models import Certificate, User

DEMO_PASSWORD = "demo-pass-2026"
# The demo's staff are enrolled in the second factor with this key: add it to an authenticator app,
# or ask `flask --app app users otp-code USERNAME` (development only) for the current code.
DEMO_TOTP_SECRET = "ATMOSTONCEDEMOSTAFFKEYTWOSIXSIXZ"


def _id_number(first17: str) -> str:
    return first17 + id_number_check_char(first17)


CITIZEN = CitizenRegistration(
    "王小明", _id_number("33010619900307123"), "13800000001", DEMO_PASSWORD, "杭州市西湖区文三路 90 号 3 幢 501 室"
)
SPOUSE = CitizenRegistration(
    "李芳", _id_number("33010819920815234"), "13800000002", DEMO_PASSWORD, "杭州市西湖区文三路 90 号 3 幢 501 室"
)
COMPANY_CODE = "91330106MA2KD7QX4"
COMPANY = CompanyRegistration(
    "杭州云帆科技有限公司",
    COMPANY_CODE + credit_code_check_char(COMPANY_CODE),
    "王小明",
    "13800000003",
    DEMO_PASSWORD,
    "杭州市滨江区江南大道 3588 号",
)


@dataclass(frozen=True)
class DemoLogin:
    role: str
    login: str
    name: str


def _wallet_for(holder: User, spouse: User, head: User, serial: int) -> list[tuple[str, str, dict, str, date]]:
    """Certificates issued before this system existed, as the shared-data platform would hold them.

    The couple each hold their ID card, an entry in one household register (the head's) and a
    marriage certificate naming the other: what lets one of them draw on the other's records.
    """
    married = date(2021, 5, 20)
    assert holder.id_number is not None and spouse.id_number is not None  # citizens
    return [
        (
            "id_card",
            f"ID-{holder.id_number}",
            {
                "full_name": holder.full_name,
                "id_number": holder.id_number,
                "gender": id_number_gender(holder.id_number),
                "birth_date": id_number_birth_date(holder.id_number).isoformat(),
                "address": holder.address,
                "valid_until": "2040-03-01",
            },
            "PSB",
            date(2020, 3, 1),
        ),
        (
            "hukou_booklet",
            f"HK-330106-{12345 + serial:07d}",
            {"household_head": head.full_name, "household_number": "330106012345", "hukou_address": head.address},
            "PSB",
            date(2018, 6, 12),
        ),
        (
            "marriage_certificate",
            f"J330106-2021-{4512 + serial:06d}",
            {
                "full_name": holder.full_name,
                "id_number": holder.id_number,
                "spouse_name": spouse.full_name,
                "spouse_id_number": spouse.id_number,
                "registered_on": married.isoformat(),
            },
            "CIVIL",
            married,
        ),
    ]


@transactional
def _add_wallet(*, session: Session, citizen: User, spouse: User, catalog: Catalog) -> None:
    couple = [(citizen, spouse, 0), (spouse, citizen, 1)]
    for holder, partner, serial in couple:
        for cert_type, number, data, issuer, issued_on in _wallet_for(holder, partner, citizen, serial):
            declared = catalog.certificate_types.get(cert_type)
            if declared is None:
                continue
            session.add(
                Certificate(
                    owner_id=holder.id,
                    cert_type=cert_type,
                    number=number,
                    data={k: v for k, v in data.items() if k in declared.data_keys},
                    issued_by=issuer,
                    issued_on=issued_on,
                )
            )


def seed_demo(*, session: Session, catalog: Catalog) -> list[DemoLogin]:
    """Create the demo accounts once; running it again changes nothing."""
    existing = session.exec(select(User).where(User.login_name == CITIZEN.id_number)).first()
    if existing is None:
        citizen = register_citizen(session=session, data=CITIZEN)
        spouse = register_citizen(session=session, data=SPOUSE)
        register_company(session=session, data=COMPANY)
        create_staff(
            session=session,
            username="frontdesk",
            full_name="综合受理窗口 陈静",
            role="front_desk",
            password=DEMO_PASSWORD,
            department=None,
            catalog=catalog,
            totp_secret=DEMO_TOTP_SECRET,
        )
        create_staff(
            session=session,
            username="supervisor",
            full_name="效能督查 周敏",
            role="supervisor",
            password=DEMO_PASSWORD,
            department=None,
            catalog=catalog,
            totp_secret=DEMO_TOTP_SECRET,
        )
        for code, department in catalog.departments.items():
            create_staff(
                session=session,
                username=f"clerk.{code.lower()}",
                full_name=f"{department.name.zh} 审批员",
                role="clerk",
                password=DEMO_PASSWORD,
                department=code,
                catalog=catalog,
                totp_secret=DEMO_TOTP_SECRET,
            )
        # The agencies disputes are routed to: one mediator (the court's also confirms agreements) each.
        for code, route in catalog.dispute_routes.items():
            create_staff(
                session=session,
                username=f"clerk.{code}",
                full_name=f"{route.name.zh} 调解员",
                role="clerk",
                password=DEMO_PASSWORD,
                department=code,
                catalog=catalog,
                totp_secret=DEMO_TOTP_SECRET,
            )
        _add_wallet(session=session, citizen=citizen, spouse=spouse, catalog=catalog)
        _demo_applications(session=session, citizen=citizen, catalog=catalog)
    logins = [
        DemoLogin("citizen", CITIZEN.mobile, CITIZEN.full_name),
        DemoLogin("citizen", SPOUSE.mobile, SPOUSE.full_name),
        DemoLogin("company", COMPANY.credit_code, COMPANY.company_name),
        DemoLogin("front_desk", "frontdesk", "综合受理窗口"),
        DemoLogin("supervisor", "supervisor", "效能督查"),
    ]
    logins += [DemoLogin("clerk", f"clerk.{code.lower()}", d.name.zh) for code, d in catalog.departments.items()]
    logins += [DemoLogin("clerk", f"clerk.{code}", r.name.zh) for code, r in catalog.dispute_routes.items()]
    return logins


def _sample_value(spec) -> str:
    if spec.key == "spouse_name":  # the demo citizen's spouse has a demo account of her own
        return SPOUSE.full_name
    samples = {
        "text": "示例",
        "date": "2026-11-02",
        "address": CITIZEN.address,
        "phone": CITIZEN.mobile,
        "id_number": SPOUSE.id_number,
        "credit_code": COMPANY.credit_code,
        "number": f"{spec.min:g}" if spec.min is not None else "1",
        "select": spec.options[0].value if spec.options else "",
    }
    return samples[spec.type]


def _demo_applications(*, session: Session, citizen: User, catalog: Catalog) -> None:
    """A draft bundle and a submitted item, so 'My applications' is not empty on first visit."""
    held = {c.cert_type for c in session.exec(select(Certificate).where(Certificate.owner_id == citizen.id))}
    newborn = next((b for b in catalog.bundles.values() if citizen.role in b.applicant_types), None)
    if newborn is not None:
        start_draft(session=session, actor=citizen, service_code=newborn.code, catalog=catalog)
    ready = next(
        (
            item
            for item in catalog.items.values()
            if citizen.role in item.applicant_types
            and all(not m.required or m.wallet_cert in held for m in item.materials)
        ),
        None,
    )
    if ready is None:
        return
    draft = start_draft(session=session, actor=citizen, service_code=ready.code, catalog=catalog)
    values = {f.key: _sample_value(f) for f in ready.fields if not draft.form_data.get(f.key)}
    save_draft(session=session, actor=citizen, key=draft.key, values=values, catalog=catalog)
    submit_application(session=session, actor=citizen, key=draft.key, catalog=catalog)
