"""A certificate opened as a card: its data as people read it, and the cases it has been shared with."""

from dataclasses import dataclass
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlmodel import Session, col, select

from services import clock
from services.catalog import Catalog
from services.catalog.model import CertificateType, DataLabel, Text
from services.db import transactional
from services.errors import NotFound
from services.models import Application, ApplicationStatus, Attachment, Certificate, User
from services.policy import may_view_application, may_view_certificate
from services.wallet.presentation import LIFETIME, Claims, sign_code


@dataclass(frozen=True)
class DataLine:
    """One line of a card: the catalogue's label and type for a data key, and the value held."""

    spec: DataLabel
    value: str


@dataclass(frozen=True)
class CertificateUse:
    """A submitted case the certificate was shared with (a draft has shared nothing yet)."""

    application: Application
    material_key: str


@dataclass(frozen=True)
class CertificateCard:
    certificate: Certificate
    cert_type: CertificateType | None  # None for a type the catalogue no longer lists
    holder: User
    lines: list[DataLine]
    uses: list[CertificateUse]


def card_lines(certificate: Certificate, cert_type: CertificateType | None) -> list[DataLine]:
    """The data in the catalogue's order, then anything the type no longer lists, labelled by its key."""
    labels = {label.key: label for label in cert_type.labels} if cert_type else {}
    known = [DataLine(labels[key], str(certificate.data[key])) for key in labels if certificate.data.get(key)]
    rest = [
        DataLine(DataLabel(key, Text(key.replace("_", " "), key.replace("_", " "))), str(value))
        for key, value in certificate.data.items()
        if key not in labels and value
    ]
    return known + rest


@transactional
def open_certificate(*, session: Session, actor: User, key: str, catalog: Catalog) -> CertificateCard:
    """The card of one certificate: for its holder, or staff who may see a case that uses or issued it."""
    certificate = session.exec(select(Certificate).where(Certificate.key == key)).first()
    if certificate is None:
        raise NotFound("no such certificate")
    uses = _uses(session, certificate)
    issuing = session.get(Application, certificate.application_id) if certificate.application_id else None
    cases = [use.application for use in uses] + ([issuing] if issuing else [])
    if not may_view_certificate(actor, certificate, cases, catalog):
        raise NotFound("no such certificate")
    if actor.id != certificate.owner_id:  # staff learn only of the cases they may see
        uses = [use for use in uses if may_view_application(actor, use.application, catalog)]
    holder = session.get(User, certificate.owner_id)
    assert holder is not None  # a certificate's owner is a foreign key
    cert_type = catalog.certificate_types.get(certificate.cert_type)
    return CertificateCard(certificate, cert_type, holder, card_lines(certificate, cert_type), uses)


def _uses(session: Session, certificate: Certificate) -> list[CertificateUse]:
    rows = session.exec(
        select(Application, Attachment.material_key)
        .join(Attachment, col(Attachment.application_id) == col(Application.id))
        .where(Attachment.certificate_id == certificate.id, Application.status != ApplicationStatus.DRAFT)
        .order_by(col(Application.submitted_at).desc(), col(Application.id).desc())
    ).all()
    return [CertificateUse(application, material) for application, material in rows]


def present_certificate(
    card: CertificateCard, key: Ed25519PrivateKey, now: datetime | None = None
) -> tuple[str, Claims]:
    """A fresh 亮证 code for a card its viewer may see, and what it certifies."""
    holder = card.holder
    claims = Claims(
        number=card.certificate.number,
        cert_type=card.certificate.cert_type,
        holder_name=holder.full_name,
        holder_id=holder.id_number or holder.credit_code or "",
        issued_on=card.certificate.issued_on,
        expires_at=(now or clock.now()) + LIFETIME,
    )
    return sign_code(claims, key), claims
