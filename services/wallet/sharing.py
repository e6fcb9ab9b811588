"""Sharing a wallet certificate with an application: confirmed by the applicant, recorded on the case's chain."""

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from services.audit import record_event
from services.models import Application, Attachment, Certificate, User

SHARE_EVENT = "share_certificate"
# Built once (every submit runs it): building a statement costs more CPU than running it.
# The four values the events name, not the rows as objects: nothing else of them is needed.
_SHARED = (
    select(Attachment.material_key, Certificate.number, Certificate.cert_type, Certificate.owner_id)
    .join(Certificate, col(Certificate.id) == col(Attachment.certificate_id))
    .where(col(Attachment.application_id) == bindparam("application_id"), col(Attachment.source) == "wallet")
    .order_by(col(Attachment.material_key))
)


def record_certificate_shares(session: Session, *, actor: User, application: Application) -> None:
    """One audit event per wallet certificate the application carries, when the applicant sends it.

    The check-answers page says, above its submit button, which certificates submitting shares (the
    spouse's too): pressing it is the applicant's confirmation, and each event names the certificate
    and the material it stands for.
    """
    rows = session.execute(_SHARED, {"application_id": application.id}).all()
    for material_key, number, cert_type, owner_id in rows:
        payload = {"material": material_key, "certificate": number, "cert_type": cert_type}
        if owner_id != actor.id:
            # A spouse's certificate, drawn from the marriage records: the event says whose it is.
            payload["holder"] = "spouse"
        record_event(session, actor=actor, event=SHARE_EVENT, case=application, payload=payload)
