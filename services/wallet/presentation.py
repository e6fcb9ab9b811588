"""亮证: the code a certificate's card shows, which a counter scans and checks.

The code is signed with Ed25519 and lives a few minutes: a photo of someone else's screen is
soon worth nothing, and nobody can make one without the government's private key. It reads

    AMOCERT1.<claims, base64url JSON>.<signature over the two parts before it, base64url>

and names the certificate's number, type, holder and issue date, and when it stops being valid.
"""

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

PREFIX = "AMOCERT1"
# Long enough to walk up to a counter and be scanned, short enough that a screenshot dies quickly.
LIFETIME = timedelta(minutes=5)
# Far longer than any code we make: a longer paste is not worth decoding.
MAX_CODE_LENGTH = 2000


@dataclass(frozen=True)
class Claims:
    """What a code certifies."""

    number: str
    cert_type: str
    holder_name: str
    holder_id: str
    issued_on: date
    expires_at: datetime  # aware

    def to_json(self) -> bytes:
        fields = {
            "number": self.number,
            "cert_type": self.cert_type,
            "holder_name": self.holder_name,
            "holder_id": self.holder_id,
            "issued_on": self.issued_on.isoformat(),
            "expires_at": int(self.expires_at.timestamp()),
        }
        return json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()

    @classmethod
    def from_json(cls, data: bytes) -> "Claims":
        fields = json.loads(data)
        return cls(
            number=str(fields["number"]),
            cert_type=str(fields["cert_type"]),
            holder_name=str(fields["holder_name"]),
            holder_id=str(fields["holder_id"]),
            issued_on=date.fromisoformat(fields["issued_on"]),
            expires_at=datetime.fromtimestamp(int(fields["expires_at"]), tz=UTC),
        )


class Verdict(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    FORGED = "forged"  # not signed by our key, altered, or not a code of ours at all


@dataclass(frozen=True)
class Checked:
    verdict: Verdict
    claims: Claims | None = None  # what a code we signed certifies, valid or expired


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_code(claims: Claims, key: Ed25519PrivateKey) -> str:
    signed = f"{PREFIX}.{_b64(claims.to_json())}"
    return f"{signed}.{_b64(key.sign(signed.encode('ascii')))}"


def check_code(text: str, public_key: Ed25519PublicKey, now: datetime) -> Checked:
    """Forged unless our key signed exactly this; then expired once its time has passed."""
    text = text.strip()
    if len(text) > MAX_CODE_LENGTH:
        return Checked(Verdict.FORGED)
    prefix, _, rest = text.partition(".")
    body, _, signature = rest.partition(".")
    if prefix != PREFIX or not body or not signature:
        return Checked(Verdict.FORGED)
    try:
        public_key.verify(_unb64(signature), f"{prefix}.{body}".encode("ascii"))
        claims = Claims.from_json(_unb64(body))
    except (InvalidSignature, ValueError, binascii.Error, KeyError, TypeError, UnicodeError):
        return Checked(Verdict.FORGED)
    return Checked(Verdict.EXPIRED if now >= claims.expires_at else Verdict.VALID, claims)
