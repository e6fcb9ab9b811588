"""The assisted channel (窗口帮办): the front desk files an application for a person who walked in.

The person is found by their ID number, or given a citizen account as registration would make
it (with a one-time password the desk hands over, as an administrator's reset does); the desk
fills the service's form with what they say and uploads what they brought, and files it in one
transaction. The application is theirs, on the `assisted` channel, and their coming in is a
visit: the figures count it as one (services/metrics).
"""

import secrets
from dataclasses import dataclass

from sqlmodel import Session, select

from services.applications.drafts import (
    account_identity,
    add_attachment,
    attach_wallet_certificates,
    check_upload,
    opening_values,
)
from services.applications.form_names import field_name, material_name
from services.audit import record_event
from services.catalog import Catalog
from services.errors import Invalid, Message, NotAllowed, NotFound
from services.i18n import N_
from services.identity import IdentityError, validate_id_number, validate_mobile
from services.models import Application, Role, User
from services.models.cases import ASSISTED_CHANNEL
from services.passwords import hash_password
from services.policy import require_role
from services.requirements.fields import FieldError, clean_value
from services.uploads import FileStore
from services.workflow.engine import fire

FULL_NAME_MAX_LENGTH = 200


@dataclass(frozen=True)
class WalkIn:
    """Who came in, as their ID card says, and a mobile number to reach them."""

    id_number: str
    full_name: str
    mobile: str


@dataclass(frozen=True)
class BroughtFile:
    material_key: str
    filename: str
    data: bytes


@dataclass(frozen=True)
class AssistedFiling:
    application: Application
    applicant: User
    # Set when the person had no account: theirs to sign in with once and change.
    one_time_password: str | None


def file_for_walk_in(
    *,
    session: Session,
    actor: User,
    catalog: Catalog,
    store: FileStore,
    person: WalkIn,
    service_code: str,
    answers: dict[str, str],
    files: list[BroughtFile],
    delivery_method: str | None = None,
) -> AssistedFiling:
    """File the walk-in person's application, complete, in one transaction; every problem at once if not.

    Problems are keyed by the form's input names (services/applications/form_names.py) and the
    person's `id_number`, `full_name`, `mobile`; what the pre-check finds missing comes as its gaps.
    """
    require_role(actor, Role.FRONT_DESK)
    try:
        service = catalog.service(service_code)
    except KeyError:
        raise NotFound("no such service") from None
    if Role.CITIZEN not in service.applicant_types:
        raise NotAllowed(N_("this service is not for a resident: a company applies for it with its own account"))
    errors: dict[str, Message | FieldError] = {}
    id_number, full_name, mobile = _checked_person(person, errors)
    values = _checked_answers(service, answers, errors)
    checked = []
    for brought in files:
        if brought.material_key not in {spec.key for spec in service.materials}:
            raise NotFound("no such material for this service")
        try:
            checked.append((brought, *check_upload(brought.material_key, brought.data)))
        except Invalid as refused:
            errors[material_name(brought.material_key)] = refused.errors[brought.material_key]
    if errors:
        raise Invalid("please correct the marked fields", errors)
    stored: list[str] = []
    try:
        applicant, password = _walk_in_account(session, id_number, full_name, mobile)
        assert applicant.id is not None  # found or just flushed
        application = Application(
            applicant_id=applicant.id,
            service_code=service.code,
            channel=ASSISTED_CHANNEL,
            form_data={**opening_values(session, service, applicant), **values, **account_identity(service, applicant)},
            delivery_method=delivery_method if delivery_method in service.delivery else None,
        )
        session.add(application)
        session.flush()
        record_event(session, actor=actor, event="start", case=application, to_status=application.status)
        attached = attach_wallet_certificates(session, application, service, applicant.id)
        for brought, content_type, data in checked:
            if brought.material_key in attached:
                continue  # their wallet's certificate stands for it: the paper copy is not needed
            file = store.save(data)
            stored.append(file.storage_name)
            add_attachment(session, actor, application, brought.material_key, brought.filename, content_type, file)
            attached = attached | {brought.material_key}
        fire(
            session=session,
            subject=application,
            event="submit_at_desk",
            actor=actor,
            catalog=catalog,
            given={"attached": attached},
        )
        session.commit()
    except BaseException:
        session.rollback()
        for name in stored:
            store.delete(name)
        raise
    return AssistedFiling(application, applicant, password)


def _checked_person(person: WalkIn, errors: dict) -> tuple[str, str, str]:
    full_name = person.full_name.strip()
    if not full_name:
        errors["full_name"] = N_("Name is required.")
    elif len(full_name) > FULL_NAME_MAX_LENGTH:
        errors["full_name"] = N_("The name is too long.")
    checked = []
    for field, validator, value in (
        ("id_number", validate_id_number, person.id_number),
        ("mobile", validate_mobile, person.mobile),
    ):
        try:
            checked.append(validator(value))
        except IdentityError as error:
            errors[field] = str(error)
            checked.append(value)
    return checked[0], full_name, checked[1]


def _checked_answers(service, answers: dict[str, str], errors: dict) -> dict[str, str]:
    """The answers as the steps would keep them; a field's problem under its input's name, as the form has it."""
    values = {}
    for spec in service.fields:
        if spec.from_account or spec.key not in answers:
            continue  # the identity is the account's; an unanswered field is the pre-check's to report
        typed = (answers[spec.key] or "").strip()
        try:
            values[spec.key] = clean_value(spec, typed) or typed
        except FieldError as error:
            errors[field_name(spec.key)] = error
    return values


def _walk_in_account(session: Session, id_number: str, full_name: str, mobile: str) -> tuple[User, str | None]:
    """The person's citizen account, made now if they have none (with its one-time password)."""
    user = session.exec(select(User).where(User.login_name == id_number)).first()
    if user is not None:
        if user.role != Role.CITIZEN or user.full_name != full_name:
            raise Invalid(
                "the ID number belongs to someone else",
                {"full_name": N_("This ID number's account is in another name: check the ID card.")},
            )
        return user, None
    password = secrets.token_urlsafe(12)  # 96 random bits, shown once to the desk to hand over
    user = User(
        role=Role.CITIZEN,
        login_name=id_number,
        id_number=id_number,
        full_name=full_name,
        mobile=mobile,
        password_hash=hash_password(password),
    )
    session.add(user)
    session.flush()
    return user, password
