"""make_<thing>(session, **overrides): rows for tests, valid unless told otherwise."""

import itertools
from datetime import date

from werkzeug.security import generate_password_hash

from services.identity import credit_code_check_char, id_number_check_char
from services.models import Application, BenefitOffer, BenefitReviewStatus, Certificate, Role, Task, User

PASSWORD = "correct-horse-9"
# Staff are enrolled in the second factor with this secret unless a test says totp_secret=None.
STAFF_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
_serial = itertools.count(1)
# Hashing is slow on purpose; tests share one hash of the one password.
_PASSWORD_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")


def id_number(serial: int, birth: str = "19900101", place: str = "330106") -> str:
    first17 = f"{place}{birth}{serial % 1000:03d}"
    return first17 + id_number_check_char(first17)


def credit_code(serial: int) -> str:
    first17 = f"91330106MA2{serial:06d}"
    return first17 + credit_code_check_char(first17)


# The factory's citizens are registered in Shangcheng (330102), the numbers tests write by hand in Xihu (330106):
# a serial a test chose could otherwise come round again in the factory's count (mod 1000) and make two
# accounts of one ID number.
FACTORY_PLACE = "330102"


def make_citizen(session, **overrides) -> User:
    n = next(_serial)
    number = overrides.pop("id_number", id_number(n, place=FACTORY_PLACE))
    fields = dict(
        role=Role.CITIZEN,
        login_name=number,
        id_number=number,
        full_name=f"测试居民{n}",
        mobile=f"139{n:08d}",
        address="杭州市西湖区文三路 1 号",
        password_hash=_PASSWORD_HASH,
    )
    fields.update(overrides)
    return _save(session, User(**fields))


def make_company(session, **overrides) -> User:
    n = next(_serial)
    code = overrides.pop("credit_code", credit_code(n))
    fields = dict(
        role=Role.COMPANY,
        login_name=code,
        credit_code=code,
        full_name=f"杭州测试{n}有限公司",
        legal_representative="张三",
        mobile=f"137{n:08d}",
        password_hash=_PASSWORD_HASH,
    )
    fields.update(overrides)
    return _save(session, User(**fields))


def make_staff(session, role: str = Role.FRONT_DESK, department: str | None = None, **overrides) -> User:
    n = next(_serial)
    fields = dict(
        role=role,
        login_name=f"{role}.{n}",
        full_name=f"工作人员{n}",
        department=department,
        password_hash=_PASSWORD_HASH,
        totp_secret=STAFF_TOTP_SECRET,
    )
    fields.update(overrides)
    return _save(session, User(**fields))


def make_certificate(session, owner: User, cert_type: str, **overrides) -> Certificate:
    n = next(_serial)
    fields = dict(
        owner_id=owner.id,
        cert_type=cert_type,
        number=f"{cert_type.upper()}-{n:06d}",
        data={},
        issued_by="PSB",
        issued_on=date(2020, 1, 1),
    )
    fields.update(overrides)
    return _save(session, Certificate(**fields))


def make_benefit_offer(session, subject: User, policy: str, **overrides) -> BenefitOffer:
    """An offer of `policy` to `subject`, in whatever state a test needs (the sweep makes real ones)."""
    n = next(_serial)
    fields = dict(
        number=f"MS-20261102-{n:06d}",
        applicant_id=subject.id,
        policy=policy,
        amount_fen=360000,
        eligible_on=date(2026, 11, 2),
        deadline=date(2027, 1, 31),
    )
    fields.update(overrides)
    return _save(session, BenefitOffer(**fields))


def make_offer_check(session, offer: BenefitOffer, department: str, **overrides) -> Task:
    """The review task of a flagged offer, in its department's queue."""
    fields = dict(
        case_kind=BenefitOffer.CHAIN_KIND,
        case_id=offer.id,
        item_code=offer.policy,
        department=department,
        status=BenefitReviewStatus.READY,
        promised_days=5,
        started_on=date(2026, 11, 2),
        deadline=date(2026, 11, 9),
    )
    fields.update(overrides)
    return _save(session, Task(**fields))


def make_application(session, applicant: User, service_code: str, **overrides) -> Application:
    fields = dict(applicant_id=applicant.id, service_code=service_code)
    fields.update(overrides)
    return _save(session, Application(**fields))


def _save(session, row):
    session.add(row)
    session.commit()
    session.refresh(row)
    return row
