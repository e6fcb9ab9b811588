"""Starting, saving and attaching materials to a draft application."""

from functools import partial
from weakref import WeakValueDictionary

from sqlalchemy import bindparam, inspect, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from services import clock
from services.applications.family import Family, find_family, wallet_by_type
from services.audit import record_event
from services.catalog import Catalog
from services.db import rows_matched, transactional
from services.errors import Conflict, Invalid, Message, NotAllowed, NotFound
from services.i18n import N_
from services.models import Application, ApplicationStatus, Attachment, Certificate, User
from services.policy import may_apply_for, owns
from services.requirements.fields import FieldError, TooLong, clean_value
from services.uploads import MAX_FILE_MB, FileStore, Refused, StoredFile, clean_upload, safe_filename

# Answers and materials can change while the applicant still holds the application.
EDITABLE = frozenset({ApplicationStatus.DRAFT, ApplicationStatus.NEEDS_CORRECTION})

PROFILE_ATTRIBUTES = {
    "full_name": "full_name",
    "company_name": "full_name",
    "id_number": "id_number",
    "credit_code": "credit_code",
    "mobile": "mobile",
    "address": "address",
}


# session.info entry: the applications a session has read, by key, held weakly.
_BY_KEY = "applications_by_key"
# Built once (every request on an application runs them): building costs more CPU than running.
_BY_KEY_QUERY = select(Application).where(col(Application.key) == bindparam("key"))
_ATTACHED_KEYS = select(Attachment.material_key).where(col(Attachment.application_id) == bindparam("application_id"))


def own_application(session: Session, actor: User, key: str) -> Application:
    application = _in_session(session, key)
    if application is None:
        application = session.scalars(_BY_KEY_QUERY, {"key": key}).first()
        if application is not None:
            session.info.setdefault(_BY_KEY, WeakValueDictionary())[key] = application
    if application is None or not owns(actor, application):
        raise NotFound("no such application")
    return application


def _in_session(session: Session, key: str) -> Application | None:
    """The application this session read before, so a request reads its row once, not once per service call.

    A query would hand back that same object without refreshing it; after a rollback (which
    expires it) or once it has left the session, the query runs again and reads it afresh.
    """
    application = session.info.get(_BY_KEY, {}).get(key)
    if application is None or application not in session or "key" not in inspect(application).dict:
        return None
    return application


def own_editable_application(session: Session, actor: User, key: str) -> Application:
    application = own_application(session, actor, key)
    if application.status not in EDITABLE:
        raise Conflict(N_("this application has been submitted and can no longer be edited"), status=application.status)
    return application


def material_sources(*, session: Session, application: Application) -> dict[str, str]:
    """Where each material given so far came from ("upload" or "wallet"), by material key."""
    return dict(
        session.exec(
            select(Attachment.material_key, Attachment.source).where(Attachment.application_id == application.id)
        ).all()
    )


def prefilled_values(service, actor: User, wallet: dict[str, Certificate], family: Family) -> dict[str, str]:
    values = {}
    for spec in service.fields:
        if not spec.prefill:
            continue
        source, _, path = spec.prefill.partition(".")
        if source == "profile":
            value = getattr(actor, PROFILE_ATTRIBUTES[path], None)
        elif source == "family":
            role, _, attribute = path.partition(".")
            value = family.person(actor, role).get(attribute)
        else:
            cert_type, _, data_key = path.partition(".")
            certificate = wallet.get(cert_type)
            value = certificate.data.get(data_key) if certificate else None
        if value:
            values[spec.key] = str(value)
    return values


def account_identity(service, actor: User) -> dict[str, str]:
    """The service's identity fields as the applicant's verified account has them."""
    return {
        spec.key: str(getattr(actor, PROFILE_ATTRIBUTES[spec.prefill.partition(".")[2]], None) or "")
        for spec in service.fields
        if spec.from_account
    }


def stamp_identity(application: Application, service, actor: User) -> None:
    """Put the account's identity into the answers (a draft saved before the fields were locked may differ)."""
    identity = account_identity(service, actor)
    if any(application.form_data.get(key) != value for key, value in identity.items()):
        application.form_data = {**application.form_data, **identity}


def attach_wallet_certificates(session: Session, application: Application, service, owner_id: int) -> set[str]:
    """Materials a wallet certificate covers are attached from the wallet, never uploaded again.

    Returns the keys of every material now attached, so the submit's pre-check need not read them again.
    """
    assert application.id is not None  # flushed before anything is attached to it
    attached = set(session.scalars(_ATTACHED_KEYS, {"application_id": application.id}))
    open_from_wallet = [spec for spec in service.materials if spec.wallet_cert and spec.key not in attached]
    # Usually attached when the draft was started: then the wallet need not be read at all.
    wallet = wallet_by_type(session, owner_id) if open_from_wallet else {}
    family = Family()
    if any(spec.holder != "self" for spec in open_from_wallet):
        owner = session.get(User, owner_id)
        family = find_family(session, owner, wallet) if owner is not None else family
    for spec in open_from_wallet:
        assert spec.wallet_cert is not None  # selected above
        certificate = (
            wallet.get(spec.wallet_cert) if spec.holder == "self" else family.certificate(spec.holder, spec.wallet_cert)
        )
        if certificate is None:
            continue
        attached.add(spec.key)
        session.add(
            Attachment(
                application_id=application.id,
                material_key=spec.key,
                source="wallet",
                certificate_id=certificate.id,
                filename=certificate.number,
            )
        )
    session.flush()
    return attached


def list_drafts(*, session: Session, actor: User, service_code: str) -> list[Application]:
    """The applicant's drafts for a service, the one touched last first."""
    return list(
        session.exec(
            select(Application)
            .where(
                Application.applicant_id == actor.id,
                Application.service_code == service_code,
                Application.status == ApplicationStatus.DRAFT,
            )
            .order_by(col(Application.updated_at).desc(), col(Application.id).desc())
        )
    )


@transactional
def start_draft(
    *, session: Session, actor: User, service_code: str, catalog: Catalog, fresh: bool = False
) -> Application:
    """Open the applicant's draft for a service; a second click resumes the same draft.

    `fresh`: the applicant chose to start a new application although a draft exists; the old one stays.
    """
    try:
        service = catalog.service(service_code)
    except KeyError:
        raise NotFound("no such service") from None
    if not may_apply_for(actor, service):
        raise NotAllowed(N_("this service is not for your kind of account"))
    if service_code in catalog.review_items():
        # Filed by a dispute with the offer's number and amounts; one started here would concern no offer.
        raise NotAllowed(N_("an amount review is asked for from the benefit offer's page: dispute its amount there"))
    assert actor.id is not None  # a signed-in account is a stored row
    existing = None
    if not fresh:
        existing = session.exec(
            select(Application).where(
                Application.applicant_id == actor.id,
                Application.service_code == service_code,
                Application.status == ApplicationStatus.DRAFT,
            )
        ).first()
    if existing is not None:
        attach_wallet_certificates(session, existing, service, actor.id)
        return existing
    application = Application(
        applicant_id=actor.id, service_code=service_code, form_data=opening_values(session, service, actor)
    )
    session.add(application)
    session.flush()
    attach_wallet_certificates(session, application, service, actor.id)
    record_event(session, actor=actor, event="start", case=application, to_status=application.status)
    return application


def opening_values(session: Session, service, applicant: User) -> dict[str, str]:
    """A new draft's answers: what the applicant's account, wallet and family records already say."""
    assert applicant.id is not None  # an applicant is a stored row
    wallet = wallet_by_type(session, applicant.id)
    family = find_family(session, applicant, wallet) if _asks_family(service) else Family()
    return prefilled_values(service, applicant, wallet, family)


def _asks_family(service) -> bool:
    return any((spec.prefill or "").startswith("family.") for spec in service.fields) or any(
        spec.holder != "self" for spec in service.materials
    )


@transactional
def save_draft(
    *,
    session: Session,
    actor: User,
    key: str,
    values: dict[str, str],
    catalog: Catalog,
    delivery_method: str | None = None,
) -> dict[str, FieldError]:
    """Keep everything typed, even what is not valid yet; return the problems found.

    A value over its field's hard cap is the one exception: it is refused (a TooLong problem)
    and the value saved before stays.
    """
    application = own_editable_application(session, actor, key)
    service = catalog.service(application.service_code)
    chosen = delivery_method if delivery_method in service.delivery else application.delivery_method
    known = {spec.key: spec for spec in service.fields}
    form_data = dict(application.form_data)
    problems: dict[str, FieldError] = {}
    for field_key, raw in values.items():
        spec = known.get(field_key)
        if spec is None or spec.from_account:  # the applicant's identity is never taken from a form
            continue
        typed = "" if raw is None else str(raw).strip()
        try:
            form_data[field_key] = clean_value(spec, typed) or typed
        except TooLong as error:
            problems[field_key] = error
        except FieldError as error:
            form_data[field_key] = typed
            problems[field_key] = error
    form_data.update(account_identity(service, actor))
    saved = rows_matched(
        session,
        update(Application)
        .where(col(Application.id) == application.id, col(Application.status).in_(EDITABLE))
        .values(form_data=form_data, delivery_method=chosen, updated_at=clock.now())
        .execution_options(synchronize_session=False),
    )
    if saved != 1:
        raise Conflict(N_("this application has been submitted and can no longer be edited"))
    set_committed_value(application, "form_data", form_data)
    set_committed_value(application, "delivery_method", chosen)
    return problems


def check_upload(material_key: str, data: bytes) -> tuple[str, bytes]:
    """The content type of an acceptable file and the bytes to store, or Invalid naming the material."""
    try:
        return clean_upload(data)
    except Refused as refused:
        raise Invalid(
            f"the file is refused ({refused.why.replace('_', ' ')})", {material_key: UPLOAD_REFUSALS[refused.why]}
        ) from None


UPLOAD_REFUSALS: dict[str, Message] = {
    "empty": N_("The file is empty."),
    "too_large": FieldError(N_("The file is larger than %(limit)s MB."), limit=MAX_FILE_MB),
    "unknown_type": N_("Only PDF, JPEG or PNG files are accepted; this file is none of them."),
    "unreadable_image": N_(
        "This file looks like an image (JPEG or PNG) but cannot be read as one. "
        "Please scan or photograph the material again."
    ),
}


def store_attachment(
    *,
    session: Session,
    actor: User,
    application: Application,
    material_key: str,
    filename: str,
    data: bytes,
    store: FileStore,
    then=None,
) -> Attachment:
    """Save the file and its row, replacing the file given before for that material, and commit.

    `then(session)` runs inside the same transaction (the workflow's supplement event).
    The replaced file is removed only after the commit, so a failure loses nothing.
    """
    content_type, data = check_upload(material_key, data)
    assert application.id is not None  # an application one may attach to is a stored row
    stored = store.save(data)
    previous = session.exec(
        select(Attachment).where(Attachment.application_id == application.id, Attachment.material_key == material_key)
    ).first()
    replaced = previous.storage_name if previous else None
    try:
        if previous is not None:
            session.delete(previous)
            session.flush()
        attachment = add_attachment(session, actor, application, material_key, filename, content_type, stored)
        if then is not None:
            then(session)
        session.commit()
    except BaseException:
        session.rollback()
        store.delete(stored.storage_name)
        raise
    if replaced:
        store.delete(replaced)
    return attachment


def add_attachment(
    session: Session,
    actor: User,
    application: Application,
    material_key: str,
    filename: str,
    content_type: str,
    stored: StoredFile,
) -> Attachment:
    """The row of a file just stored, and its audit event, in the caller's transaction."""
    assert application.id is not None  # an application one may attach to is a stored row
    attachment = Attachment(
        application_id=application.id,
        material_key=material_key,
        source="upload",
        filename=safe_filename(filename, content_type),
        content_type=content_type,
        size=stored.size,
        sha256=stored.sha256,
        storage_name=stored.storage_name,
    )
    session.add(attachment)
    record_event(
        session,
        actor=actor,
        event="attach",
        case=application,
        payload={"material": material_key, "sha256": stored.sha256, "size": stored.size},
    )
    return attachment


def attach_upload(
    *,
    session: Session,
    actor: User,
    key: str,
    material_key: str,
    filename: str,
    data: bytes,
    store: FileStore,
    catalog: Catalog,
) -> Attachment:
    """Store one material file of an application the applicant is still editing.

    Two requests giving the same material at once (a double click on submit) can both find no
    file yet; the second insert then breaks the one-file-per-material rule. Tried once more, it
    replaces the first file, or meets the case the first request submitted (Conflict).
    """
    attach = partial(
        _attach_once,
        session=session,
        actor=actor,
        key=key,
        material_key=material_key,
        filename=filename,
        data=data,
        store=store,
        catalog=catalog,
    )
    try:
        return attach()
    except IntegrityError:
        return attach()


def _attach_once(
    *,
    session: Session,
    actor: User,
    key: str,
    material_key: str,
    filename: str,
    data: bytes,
    store: FileStore,
    catalog: Catalog,
) -> Attachment:
    application = own_editable_application(session, actor, key)
    service = catalog.service(application.service_code)
    if material_key not in {spec.key for spec in service.materials}:
        raise NotFound("no such material for this service")
    return store_attachment(
        session=session,
        actor=actor,
        application=application,
        material_key=material_key,
        filename=filename,
        data=data,
        store=store,
    )
