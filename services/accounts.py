"""Accounts: citizens and companies register themselves; staff are created by an administrator."""
import re
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, or_, select
from werkzeug.security import check_password_hash, generate_password_hash

from services.catalog import Catalog
from services.db import transactional
from services.errors import Invalid
from services.i18n import N_
from services.identity import IdentityError, validate_credit_code, validate_id_number, validate_mobile
from services.models import Role, User

MIN_PASSWORD = 8
# Checked against when the login name is unknown, so both failures cost the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


@dataclass(frozen=True)
class CitizenRegistration:
    full_name: str
    id_number: str
    mobile: str
    password: str
    address: str = ""
    email: str = ""


@dataclass(frozen=True)
class CompanyRegistration:
    company_name: str
    credit_code: str
    legal_representative: str
    mobile: str
    password: str
    address: str = ""
    email: str = ""


EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _check_email(errors: dict[str, str], email: str) -> str | None:
    """Optional; when given, messages are also sent there."""
    email = email.strip()
    if email and (len(email) > 254 or not EMAIL.fullmatch(email)):
        errors["email"] = N_("Enter an e-mail address like name@example.cn, or leave it empty.")
    return email or None


def _check(errors: dict[str, str], field: str, validator, value: str) -> str:
    try:
        return validator(value)
    except IdentityError as error:
        errors[field] = str(error)
        return value


def _check_password(errors: dict[str, str], password: str) -> None:
    if len(password) < MIN_PASSWORD:
        errors["password"] = N_("Password must be at least 8 characters.")


def _insert(session: Session, user: User, taken_field: str) -> User:
    session.add(user)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise Invalid("already registered", {taken_field: N_("An account with this number already exists.")}) from None
    return user


@transactional
def register_citizen(*, session: Session, data: CitizenRegistration) -> User:
    errors: dict[str, str] = {}
    if not data.full_name.strip():
        errors["full_name"] = N_("Name is required.")
    id_number = _check(errors, "id_number", validate_id_number, data.id_number)
    mobile = _check(errors, "mobile", validate_mobile, data.mobile)
    email = _check_email(errors, data.email)
    _check_password(errors, data.password)
    if errors:
        raise Invalid("please correct the marked fields", errors)
    user = User(
        role=Role.CITIZEN,
        email=email,
        login_name=id_number,
        id_number=id_number,
        full_name=data.full_name.strip(),
        mobile=mobile,
        address=data.address.strip() or None,
        password_hash=generate_password_hash(data.password),
    )
    return _insert(session, user, "id_number")


@transactional
def register_company(*, session: Session, data: CompanyRegistration) -> User:
    errors: dict[str, str] = {}
    if not data.company_name.strip():
        errors["company_name"] = N_("Company name is required.")
    if not data.legal_representative.strip():
        errors["legal_representative"] = N_("Legal representative is required.")
    credit_code = _check(errors, "credit_code", validate_credit_code, data.credit_code)
    mobile = _check(errors, "mobile", validate_mobile, data.mobile)
    email = _check_email(errors, data.email)
    _check_password(errors, data.password)
    if errors:
        raise Invalid("please correct the marked fields", errors)
    user = User(
        role=Role.COMPANY,
        email=email,
        login_name=credit_code,
        credit_code=credit_code,
        full_name=data.company_name.strip(),
        legal_representative=data.legal_representative.strip(),
        mobile=mobile,
        address=data.address.strip() or None,
        password_hash=generate_password_hash(data.password),
    )
    return _insert(session, user, "credit_code")


@transactional
def create_staff(
    *, session: Session, username: str, full_name: str, role: str, password: str,
    department: str | None, catalog: Catalog,
) -> User:
    errors: dict[str, str] = {}
    if role not in Role.STAFF:
        errors["role"] = f"Role must be one of {', '.join(Role.STAFF)}."
    if role == Role.CLERK and not department:
        errors["department"] = "A department clerk needs a department."
    if department and department not in catalog.departments:
        errors["department"] = f"Unknown department {department!r}."
    if not username.strip() or not username.replace("_", "").replace(".", "").isalnum():
        errors["username"] = "Username may hold letters, digits, dots and underscores."
    _check_password(errors, password)
    if errors:
        raise Invalid("cannot create the account", errors)
    user = User(
        role=role,
        login_name=username.strip().lower(),
        full_name=full_name.strip() or username,
        department=department,
        password_hash=generate_password_hash(password),
    )
    return _insert(session, user, "username")


def authenticate(*, session: Session, login: str, password: str) -> User | None:
    """The user for these credentials, or None; never says which part was wrong."""
    name = login.strip().upper() if login.strip()[:1].isdigit() else login.strip().lower()
    candidates = session.exec(
        select(User).where(
            User.is_active == True,  # noqa: E712
            or_(User.login_name == name, User.login_name == login.strip(), User.mobile == login.strip()),
        )
    ).all()
    if not candidates:
        check_password_hash(_DUMMY_HASH, password)
    return next((user for user in candidates if check_password_hash(user.password_hash, password)), None)


def load_user(*, session: Session, key: str) -> User | None:
    return session.exec(select(User).where(User.key == key, User.is_active == True)).first()  # noqa: E712
