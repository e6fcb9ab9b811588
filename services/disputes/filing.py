"""Filing a dispute: online by a party, or at a centre's window for a party who came in (their one visit)."""

import unicodedata

from sqlmodel import Session, col, select

from services import clock
from services.audit import record_event
from services.catalog import Catalog
from services.errors import Invalid
from services.i18n import N_
from services.models import Dispute, Role, User
from services.models.disputes import CLAIM_MAX_LENGTH
from services.notifications import notify, notify_staff
from services.policy import require_role
from services.requirements.fields import refuse_if_too_long
from services.workdays import load_calendar
from services.workflow.disputes.rules import record_dispute_visit
from services.workflow.numbers import next_number

from .evidence import CheckedEvidence, EvidenceFile, Store, check_evidence, keep_evidence

# The centre's intake registers and routes a dispute within one working day of its filing.
INTAKE_WORKING_DAYS = 1


def file_dispute(
    *,
    session: Session,
    actor: User,
    counterparty_number: str,
    kind_code: str,
    centre_code: str,
    claim: str,
    evidence: list[EvidenceFile],
    store: Store,
    catalog: Catalog,
) -> Dispute:
    """A resident or a firm brings a dispute online against a registered person or firm."""
    require_role(actor, *Role.APPLICANTS)
    return _file(
        session=session,
        applicant=actor,
        filed_by=actor,
        channel="online",
        counterparty_number=counterparty_number,
        kind_code=kind_code,
        centre_code=centre_code,
        claim=claim,
        evidence=evidence,
        store=store,
        catalog=catalog,
    )


def record_dispute_at_window(
    *,
    session: Session,
    actor: User,
    applicant_number: str,
    counterparty_number: str,
    kind_code: str,
    centre_code: str,
    claim: str,
    evidence: list[EvidenceFile],
    store: Store,
    catalog: Catalog,
) -> Dispute:
    """The centre's window files the dispute of a party who came in: that visit is the one place they go."""
    require_role(actor, Role.FRONT_DESK)
    applicant = _registered_party(session, applicant_number, "applicant")
    return _file(
        session=session,
        applicant=applicant,
        filed_by=actor,
        channel="window",
        counterparty_number=counterparty_number,
        kind_code=kind_code,
        centre_code=centre_code,
        claim=claim,
        evidence=evidence,
        store=store,
        catalog=catalog,
    )


def _file(
    *,
    session: Session,
    applicant: User,
    filed_by: User,
    channel: str,
    counterparty_number: str,
    kind_code: str,
    centre_code: str,
    claim: str,
    evidence: list[EvidenceFile],
    store: Store,
    catalog: Catalog,
) -> Dispute:
    claim = (claim or "").strip()
    counterparty, errors = _check_form(session, applicant, counterparty_number, kind_code, centre_code, claim, catalog)
    try:
        checked = check_evidence(evidence)
    except Invalid as refused:
        errors.update(refused.errors)
    if errors:
        raise Invalid("the dispute cannot be filed as it is", errors)
    assert counterparty is not None  # found, or its field has an error
    stored: list[str] = []
    try:
        dispute = _store_dispute(
            session, applicant, filed_by, channel, counterparty, kind_code, centre_code, claim, checked, store, stored
        )
        session.commit()
    except BaseException:
        session.rollback()
        for name in stored:
            store.delete(name)
        raise
    return dispute


def _check_form(
    session: Session,
    applicant: User,
    counterparty_number: str,
    kind_code: str,
    centre_code: str,
    claim: str,
    catalog: Catalog,
) -> tuple[User | None, dict]:
    """The other party, and every field's problem at once, so the party corrects them in one go."""
    errors: dict = {}
    counterparty = None
    try:
        counterparty = _registered_party(session, counterparty_number, "counterparty")
    except Invalid as refused:
        errors.update(refused.errors)
    else:
        if counterparty.id == applicant.id:
            errors["counterparty"] = N_("You cannot bring a dispute against yourself: enter the other party's number.")
    if kind_code not in catalog.dispute_kinds:
        errors["kind"] = N_("Choose the kind of dispute.")
    if centre_code not in catalog.centres:
        errors["centre"] = N_("Choose the centre.")
    if not claim:
        errors["claim"] = N_("Say what happened and what you ask for.")
    else:
        try:
            refuse_if_too_long("claim", claim, CLAIM_MAX_LENGTH)
        except Invalid as too_long:
            errors.update(too_long.errors)
    return counterparty, errors


def _registered_party(session: Session, number: str, field: str) -> User:
    """The person or firm registered under this ID number or credit code."""
    cleaned = "".join(unicodedata.normalize("NFKC", number or "").split()).upper()
    if not cleaned:
        raise Invalid("no number", {field: N_("Enter the ID number or unified social credit code.")})
    found = session.exec(
        select(User).where(
            (col(User.id_number) == cleaned) | (col(User.credit_code) == cleaned),
            col(User.role).in_(Role.APPLICANTS),
            col(User.is_active).is_(True),
        )
    ).first()
    if found is None:
        raise Invalid(
            "no such party",
            {
                field: N_(
                    "No registered person or company has this ID number or credit code. "
                    "Check it, or ask them to register first."
                )
            },
        )
    return found


def _store_dispute(
    session: Session,
    applicant: User,
    filed_by: User,
    channel: str,
    counterparty: User,
    kind_code: str,
    centre_code: str,
    claim: str,
    checked: list[CheckedEvidence],
    store: Store,
    stored: list[str],
) -> Dispute:
    assert applicant.id is not None and counterparty.id is not None and filed_by.id is not None  # stored accounts
    today = clock.china_today()
    serial = next_number(session, f"dispute-{today:%Y%m%d}")
    dispute = Dispute(
        number=f"TJ-{today:%Y%m%d}-{serial:06d}",
        applicant_id=applicant.id,
        counterparty_id=counterparty.id,
        kind_code=kind_code,
        centre_code=centre_code,
        channel=channel,
        claim=claim,
        submitted_at=clock.now(),
        # Until it is registered its deadline is the intake's: one working day.
        deadline=load_calendar(session=session).add_working_days(today, INTAKE_WORKING_DAYS),
    )
    session.add(dispute)
    session.flush()
    assert dispute.id is not None  # flushed just now
    hashes = keep_evidence(
        session, dispute_id=dispute.id, uploader_id=filed_by.id, checked=checked, store=store, stored=stored
    )
    record_event(
        session,
        actor=filed_by,
        event="dispute.file",
        case=dispute,
        payload={
            "number": dispute.number,
            "kind": kind_code,
            "centre": centre_code,
            "channel": channel,
            "counterparty": counterparty.key,
            "evidence": hashes,
        },
    )
    if channel == "window":
        record_dispute_visit(session, dispute, actor=filed_by, purpose="filed at the window")
    params = {"number": dispute.number}
    notify(
        session,
        user=applicant,
        case=dispute,
        template=N_("We have received dispute %(number)s. The centre registers it within one working day."),
        params=params,
    )
    notify_staff(
        session,
        role=Role.FRONT_DESK,
        case=dispute,
        template=N_("Dispute %(number)s waits to be registered and routed"),
        params=params,
    )
    return dispute
