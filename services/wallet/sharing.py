"""Sharing a wallet certificate with an application: confirmed by the applicant, recorded on the case's chain."""

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from services.audit import record_event
from services.models import Application, Attachment, Certificate, User

SHARE_EVENT = "share_certificate"
# Built once (every submit runs it): building a statement costs more CPU than running it.
_SHARED = (
    select(Attachment, Certificate)
    .join(Certificate, col(Certificate.id) == col(Attachment.certificate_id))
    .where(col(Attachment.application_id) == bindparam("application_id"), col(Attachment.source) == "wallet")
    .order_by(col(Attachment.material_key))
)


def record_certificate_shares(session: Session, *, actor: User, application: Application) -> list[Certificate]:
    """One audit event per wallet certificate the application carries, when the applicant sends it.

    The check-answers page says, above its submit button, which certificates submitting shares (the
    spouse's too): pressing it is the applicant's confirmation, and each event names the certificate
    and the material it stands for.
    """
    rows = session.execute(_SHARED, {"application_id": application.id}).all()
    for attachment, certificate in rows:
        payload = {
            "material": attachment.material_key,
            "certificate": certificate.number,
            "cert_type": certificate.cert_type,
        }
        if certificate.owner_id != actor.id:
            # A spouse's certificate, drawn from the marriage records: the event says whose it is.
            payload["holder"] = "spouse"
        record_event(session, actor=actor, event=SHARE_EVENT, case=application, payload=payload)
    return [certificate for _, certificate in rows]
