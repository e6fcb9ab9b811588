"""What a firm does with its requests: raise one, withdraw it, confirm it solved, reopen it once, rate it."""

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from services.applications.drafts import check_upload
from services.catalog import Catalog
from services.db import transactional
from services.enterprise.access import get_request
from services.errors import Invalid, Message, NotAllowed
from services.i18n import N_
from services.models import Application, EnterpriseRequest, RequestAttachment, Role, User
from services.models.enterprise import FORM_TOKEN_MAX_LENGTH, REQUEST_DESCRIPTION_MAX_LENGTH
from services.requirements.fields import TooLong
from services.uploads import FileStore, StoredFile, safe_filename
from services.workflow.engine import fire

MAX_REQUEST_FILES = 5


@dataclass(frozen=True)
class UploadedFile:
    filename: str
    data: bytes


def _checked(
    session: Session,
    actor: User,
    catalog: Catalog,
    category: str,
    description: str,
    concerns_number: str,
    concerns_department: str,
    files: list[UploadedFile],
) -> list[tuple[UploadedFile, str, bytes]]:
    """Every mistake at once, each under its field; the files that may be kept, as they will be stored."""
    errors: dict[str, Message] = {}
    if category not in catalog.request_categories:
        errors["category"] = N_("Choose the category of your request.")
    if not description:
        errors["description"] = N_("Describe the problem you want solved.")
    elif len(description) > REQUEST_DESCRIPTION_MAX_LENGTH:
        errors["description"] = TooLong(N_("At most %(limit)s characters."), limit=REQUEST_DESCRIPTION_MAX_LENGTH)
    if (
        concerns_number
        and not session.exec(
            select(Application.id).where(
                col(Application.number) == concerns_number, col(Application.applicant_id) == actor.id
            )
        ).first()
    ):
        errors["concerns_number"] = N_("None of your applications has this number.")
    if concerns_department and concerns_department not in catalog.departments:
        errors["concerns_department"] = N_("Choose a department from the list.")
    checked = []
    if len(files) > MAX_REQUEST_FILES:
        errors["attachments"] = N_("Attach at most five files.")
    else:
        for upload in files:
            try:
                content_type, data = check_upload("attachments", upload.data)
            except Invalid as error:
                errors.update(error.errors)
                continue
            checked.append((upload, content_type, data))
    if errors:
        raise Invalid(N_("the request cannot be raised as it is"), errors)
    return checked


def raise_request(
    *,
    session: Session,
    actor: User,
    catalog: Catalog,
    store: FileStore,
    category: str,
    description: str,
    concerns_number: str = "",
    concerns_department: str = "",
    files: list[UploadedFile] | None = None,
    form_token: str = "",
) -> EnterpriseRequest:
    """企呼我应: a firm raises a request; it gets its public number and goes to the office's triage.

    Everything is checked before anything is stored, so a refused request leaves nothing behind;
    the files are removed again if the transaction fails after they were written. The same form sent
    twice (`form_token`: a double click, a retry, two tabs) gives the one request the first made.
    """
    if actor.role != Role.COMPANY:
        raise NotAllowed(N_("only a company may raise an enterprise request"))
    token = form_token.strip() if 0 < len(form_token.strip()) <= FORM_TOKEN_MAX_LENGTH else None
    earlier = _raised_with(session, actor, token)
    if earlier is not None:
        return earlier
    description = description.strip()
    concerns_number = concerns_number.strip().upper()
    checked = _checked(
        session, actor, catalog, category, description, concerns_number, concerns_department.strip(), files or []
    )
    assert actor.id is not None  # a signed-in account
    stored: list[StoredFile] = []
    try:
        request = EnterpriseRequest(
            applicant_id=actor.id,
            category=category,
            description=description,
            concerns_number=concerns_number or None,
            concerns_department=concerns_department.strip() or None,
            form_token=token,
        )
        session.add(request)
        session.flush()
        assert request.id is not None  # flushed just now
        attachments = []
        for upload, content_type, data in checked:
            saved = store.save(data)
            stored.append(saved)
            attachment = RequestAttachment(
                request_id=request.id,
                filename=safe_filename(upload.filename, content_type),
                content_type=content_type,
                size=saved.size,
                sha256=saved.sha256,
                storage_name=saved.storage_name,
            )
            session.add(attachment)
            attachments.append(attachment)
        session.flush()
        fire(
            session=session,
            subject=request,
            event="raise",
            actor=actor,
            catalog=catalog,
            applicant=actor,
            given={"attachments": [{"file": a.key, "sha256": a.sha256} for a in attachments]},
        )
        session.commit()
    except BaseException as error:
        session.rollback()
        for saved in stored:
            store.delete(saved.storage_name)
        # The same form, sent at the same moment, made its request first.
        earlier = _raised_with(session, actor, token) if isinstance(error, IntegrityError) else None
        if earlier is None:
            raise
        return earlier
    return request


def _raised_with(session: Session, actor: User, token: str | None) -> EnterpriseRequest | None:
    if token is None:
        return None
    return session.exec(
        select(EnterpriseRequest).where(
            col(EnterpriseRequest.applicant_id) == actor.id, col(EnterpriseRequest.form_token) == token
        )
    ).first()


def _fire_own(session: Session, actor: User, key: str, catalog: Catalog, event: str, **kwargs) -> EnterpriseRequest:
    request = get_request(session, actor, key, for_update=True)
    fire(session=session, subject=request, event=event, actor=actor, catalog=catalog, **kwargs)
    return request


@transactional
def withdraw_request(*, session: Session, actor: User, key: str, catalog: Catalog) -> EnterpriseRequest:
    return _fire_own(session, actor, key, catalog, "withdraw")


@transactional
def confirm_request_solved(*, session: Session, actor: User, key: str, catalog: Catalog) -> EnterpriseRequest:
    return _fire_own(session, actor, key, catalog, "confirm_solved")


@transactional
def reopen_request(*, session: Session, actor: User, key: str, catalog: Catalog, reason: str) -> EnterpriseRequest:
    """Once, with a reason; the office's supervisor gives the second answer."""
    return _fire_own(session, actor, key, catalog, "reopen", reason=reason)


@transactional
def close_request_unsolved(*, session: Session, actor: User, key: str, catalog: Catalog) -> EnterpriseRequest:
    return _fire_own(session, actor, key, catalog, "close_unsolved")


@transactional
def rate_request(
    *, session: Session, actor: User, key: str, catalog: Catalog, score: int, comment: str = ""
) -> EnterpriseRequest:
    return _fire_own(session, actor, key, catalog, "rate", given={"score": score, "comment": comment})
