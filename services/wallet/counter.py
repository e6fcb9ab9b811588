"""The counter's side of 亮证: staff check a scanned code and see what it certifies."""

from dataclasses import dataclass
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlmodel import Session, select

from services import clock
from services.catalog import Catalog
from services.catalog.model import CertificateType
from services.models import Certificate, Role, User
from services.policy import require_role
from services.wallet.cards import DataLine, card_lines
from services.wallet.presentation import Checked, Verdict, check_code


@dataclass(frozen=True)
class CounterCheck:
    checked: Checked
    cert_type: CertificateType | None = None
    lines: tuple[DataLine, ...] = ()  # the certificate's data, only for a valid code


def check_presented_code(
    *,
    session: Session,
    actor: User,
    text: str,
    public_key: Ed25519PublicKey,
    catalog: Catalog,
    now: datetime | None = None,
) -> CounterCheck:
    """Valid, expired or forged; a valid code also shows the certificate's data, as its holder chose to."""
    require_role(actor, *Role.STAFF)
    checked = check_code(text, public_key, now or clock.now())
    if checked.claims is None:
        return CounterCheck(checked)
    cert_type = catalog.certificate_types.get(checked.claims.cert_type)
    if checked.verdict != Verdict.VALID:
        return CounterCheck(checked, cert_type)
    certificate = session.exec(select(Certificate).where(Certificate.number == checked.claims.number)).first()
    lines = tuple(card_lines(certificate, cert_type)) if certificate is not None else ()
    return CounterCheck(checked, cert_type, lines)
