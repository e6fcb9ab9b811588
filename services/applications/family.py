"""Family data the government already holds: the spouse a marriage record names, when both records agree.

An applicant is entitled to their spouse's data only when their own marriage certificate names the
spouse and the spouse's marriage certificate names them back: a certificate naming someone is not
enough on its own. Only then do the spouse's name and ID number prefill a form and the spouse's
certificates stand for the materials a service asks of the spouse.
"""

from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from services.identity import IdentityError, id_number_gender
from services.models import Certificate, Role, User

MARRIAGE = "marriage_certificate"
SPOUSE = "spouse"


@dataclass(frozen=True)
class Family:
    """The family members the applicant may draw on, with the certificates each holds, newest of each type."""

    spouse: User | None = None
    spouse_wallet: dict[str, Certificate] = field(default_factory=dict)

    def person(self, actor: User, role: str) -> dict[str, str]:
        """Name and ID number of the spouse, or of a child's mother or father (the applicant or the spouse)."""
        if self.spouse is None:
            return {}
        if role == SPOUSE:
            return _identity(self.spouse)
        for person in (actor, self.spouse):
            if _gender(person) == ("female" if role == "mother" else "male"):
                return _identity(person)
        return {}

    def certificate(self, holder: str, cert_type: str) -> Certificate | None:
        return self.spouse_wallet.get(cert_type) if holder == SPOUSE else None


def wallet_by_type(session: Session, owner_id: int) -> dict[str, Certificate]:
    """The newest certificate of each type the owner holds."""
    certificates = session.exec(
        select(Certificate)
        .where(col(Certificate.owner_id) == owner_id)
        .order_by(col(Certificate.issued_on), col(Certificate.id))
    ).all()
    return {certificate.cert_type: certificate for certificate in certificates}


def find_family(session: Session, actor: User, wallet: dict[str, Certificate]) -> Family:
    """The applicant's spouse per the marriage records of both, or no one."""
    marriage = wallet.get(MARRIAGE)
    spouse_id_number = marriage.data.get("spouse_id_number") if marriage else None
    if not spouse_id_number or not actor.id_number:
        return Family()
    # A citizen signs in with their ID number, so the login name finds the spouse's account.
    spouse = session.exec(
        select(User).where(User.login_name == spouse_id_number, User.role == Role.CITIZEN, User.is_active == True)  # noqa: E712
    ).first()
    if spouse is None or spouse.id is None or spouse.id == actor.id:
        return Family()
    spouse_wallet = wallet_by_type(session, spouse.id)
    theirs = spouse_wallet.get(MARRIAGE)
    if theirs is None or theirs.data.get("spouse_id_number") != actor.id_number:
        return Family()
    return Family(spouse, spouse_wallet)


def _identity(person: User) -> dict[str, str]:
    return {"full_name": person.full_name, "id_number": person.id_number or ""}


def _gender(person: User) -> str | None:
    try:
        return id_number_gender(person.id_number or "")
    except IdentityError:
        return None
