"""Accounts: citizens and companies register themselves; staff are created by an administrator."""

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, or_, select

from services.catalog import Catalog
from services.db import transactional
from services.errors import Invalid, Message
from services.i18n import N_
from services.identity import IdentityError, validate_credit_code, validate_id_number, validate_mobile
from services.models import Role, User
from services.notifications import notify
from services.passwords import hash_password, password_matches, password_problem
from services.requirements.fields import FieldError

LOGIN_MAX = 64
# Told to the owner of a number someone tried to register again; the visitor sees only what a new
# registration sees, so the page never tells whether a number has an account.
SOMEONE_REGISTERED_AGAIN = N_(
    "Someone tried to open a new account with your number. If it was you, log in with "
    "your existing account (or reset its password at a service hall); if not, no action "
    "is needed: no account was created."
)


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


def _check_email(errors: dict[str, Message], email: str) -> str | None:
    """Optional; when given, messages are also sent there."""
    email = email.strip()
    if email and (len(email) > 254 or not EMAIL.fullmatch(email)):
        errors["email"] = N_("Enter an e-mail address like name@example.cn, or leave it empty.")
    return email or None


def _check(errors: dict[str, Message], field: str, validator, value: str) -> str:
    try:
        return validator(value)
    except IdentityError as error:
        errors[field] = str(error)
        return value


def _check_password(errors: dict[str, Message], password: str, *personal: str | None) -> None:
    problem = password_problem(password, personal)
    if problem:
        errors["password"] = problem


def _find_by_login(session: Session, login_name: str) -> User | None:
    return session.exec(select(User).where(User.login_name == login_name)).first()


def _insert_applicant(session: Session, user: User) -> User | None:
    """The new account, or None when the number has one already: then its owner is told instead."""
    owner = _find_by_login(session, user.login_name)
    if owner is None:
        session.add(user)
        try:
            session.flush()
            return user
        except IntegrityError:  # registered by a simultaneous request
            session.rollback()
            owner = _find_by_login(session, user.login_name)
            assert owner is not None  # the insert failed on this login name's unique key: its row exists
    notify(session, user=owner, template=SOMEONE_REGISTERED_AGAIN)
    return None


@transactional
def register_citizen(*, session: Session, data: CitizenRegistration) -> User | None:
    """The new account, or None (and a message to its owner) when the ID number has one already."""
    errors: dict[str, Message] = {}
    if not data.full_name.strip():
        errors["full_name"] = N_("Name is required.")
    id_number = _check(errors, "id_number", validate_id_number, data.id_number)
    mobile = _check(errors, "mobile", validate_mobile, data.mobile)
    email = _check_email(errors, data.email)
    _check_password(errors, data.password, id_number, mobile)
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
        password_hash=hash_password(data.password),
    )
    return _insert_applicant(session, user)


@transactional
def register_company(*, session: Session, data: CompanyRegistration) -> User | None:
    """The new account, or None (and a message to its owner) when the credit code has one already."""
    errors: dict[str, Message] = {}
    if not data.company_name.strip():
        errors["company_name"] = N_("Company name is required.")
    if not data.legal_representative.strip():
        errors["legal_representative"] = N_("Legal representative is required.")
    credit_code = _check(errors, "credit_code", validate_credit_code, data.credit_code)
    mobile = _check(errors, "mobile", validate_mobile, data.mobile)
    email = _check_email(errors, data.email)
    _check_password(errors, data.password, credit_code, mobile)
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
        password_hash=hash_password(data.password),
    )
    return _insert_applicant(session, user)


@transactional
def create_staff(
    *,
    session: Session,
    username: str,
    full_name: str,
    role: str,
    password: str,
    department: str | None,
    catalog: Catalog,
    totp_secret: str | None = None,
) -> User:
    """A staff account; without `totp_secret` it enrols in the second factor at its first sign-in."""
    errors: dict[str, Message] = {}
    errors.update(staff_post_problems(role, department, catalog))
    # Stored as sign-in folds what is typed, so the check below meets any account the name would sign in to.
    login_name = normalise_login(username)
    if not username.strip() or not username.replace("_", "").replace(".", "").isalnum():
        errors["username"] = N_("Username may hold letters, digits, dots and underscores.")
    elif _find_by_login(session, login_name):
        errors["username"] = _username_taken(login_name)
    _check_password(errors, password, username.strip())
    if errors:
        raise Invalid("cannot create the account", errors)
    user = User(
        role=role,
        login_name=login_name,
        full_name=full_name.strip() or username,
        department=department,
        password_hash=hash_password(password),
        totp_secret=totp_secret,
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError:  # created by a simultaneous command: the name is its now
        raise Invalid("cannot create the account", {"username": _username_taken(login_name)}) from None
    return user


def staff_post_problems(role: str, department: str | None, catalog: Catalog) -> dict[str, Message]:
    """What is wrong with a staff role and department, by field (empty when nothing is)."""
    errors: dict[str, Message] = {}
    if role not in Role.STAFF:
        errors["role"] = FieldError(N_("Role must be one of %(roles)s."), roles=", ".join(Role.STAFF))
    if role == Role.CLERK and not department:
        errors["department"] = N_("A department clerk needs a department.")
    # A department of the catalogue, or the agency of a dispute route (people's mediation, the court…).
    if department and department not in catalog.departments and department not in catalog.dispute_routes:
        errors["department"] = FieldError(N_("Unknown department %(code)s."), code=department)
    return errors


def _username_taken(login_name: str) -> FieldError:
    return FieldError(N_("The username '%(name)s' is taken; choose another."), name=login_name)


def normalise_login(login: str) -> str:
    """The login as stored: full-width characters folded (as registration does), ID and credit codes in
    capitals, staff usernames in lower case."""
    name = re.sub(r"\s+", "", unicodedata.normalize("NFKC", login))
    return name.upper() if name[:1].isdigit() else name.lower()


def find_login(*, session: Session, name: str) -> list[User]:
    """Active accounts this normalised login may mean: by login name, or a citizen's mobile number."""
    return list(
        session.exec(
            select(User).where(User.is_active == True, or_(User.login_name == name, User.mobile == name))  # noqa: E712
        ).all()
    )


def check_password(*, session: Session, name: str, password: str) -> User | None:
    """The account for this normalised login and password, or None; never says which part was wrong."""
    candidates = find_login(session=session, name=name)
    if not candidates:
        password_matches(None, password)
    return next((user for user in candidates if password_matches(user.password_hash, password)), None)
