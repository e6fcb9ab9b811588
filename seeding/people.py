"""The city's people: citizens with families and wallets, companies, and the staff who serve them.

Everyone is checked by the validators the portal uses (ID numbers, credit codes, mobiles)
before a row is written. Accounts are plain rows sharing one password hash: registering
thousands through the password hasher would take minutes and prove nothing new.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import count

from seeding.demo import DEMO_TOTP_SECRET
from seeding.pools import Person, Pools
from seeding.settings import Settings
from seeding.values import Holder, Story
from services.catalog import Catalog
from services.identity import validate_credit_code, validate_id_number, validate_mobile
from services.models import Role, new_key

# What a person's own certificates say that later forms ask again (not their validity dates).
_NOT_FACTS = frozenset(
    {"valid_until", "issued_on", "registered_on", "full_name", "id_number", "gender", "birth_date", "address"}
)
_ISSUERS = {
    "id_card": "PSB",
    "hukou_booklet": "PSB",
    "marriage_certificate": "CIVIL",
    "degree_certificate": "EDU",
    "graduation_certificate": "EDU",
    "driving_licence": "PSB",
    "real_estate_certificate": "NRPB",
    "social_security_card": "HRSS",
    "rental_contract_filing": "HOUSING",
    "business_licence": "AMR",
}
_PREFIXES = {
    "marriage_certificate": "JH",
    "degree_certificate": "XW",
    "graduation_certificate": "BY",
    "driving_licence": "JZ",
    "real_estate_certificate": "BDC",
    "social_security_card": "SBK",
    "rental_contract_filing": "ZL",
    "business_licence": "YYZZ",
}


@dataclass
class WalletEntry:
    cert_type: str
    number: str
    data: dict[str, str]
    issued_by: str
    issued_on: date


@dataclass
class Resident:
    holder: Holder
    wallet: list[WalletEntry] = field(default_factory=list)
    email: str | None = None
    age: int = 0


class People:
    """Makes residents and firms; numbering of their certificates is unique within the run."""

    def __init__(self, pools: Pools, settings: Settings, catalog: Catalog):
        self.pools = pools
        self.rng = pools.rng
        self.settings = settings
        self.catalog = catalog
        self._serials = count(100_001)

    def next_serial(self) -> int:
        return next(self._serials)

    # --- citizens ---------------------------------------------------------------------

    def citizens(self, how_many: int, on: date) -> list[Resident]:
        shares = self.settings.people
        bands = shares["ages"]
        residents = []
        for _ in range(how_many):
            low, high, _share = self.rng.choices(bands, weights=[band[2] for band in bands])[0]
            person = self.pools.person(on=on, min_age=low, max_age=high)
            residents.append(self._resident(person, on))
        self._pair_couples(residents, on)
        for resident in residents:
            self._fill_wallet(resident, on)
        return residents

    def _resident(self, person: Person, on: date) -> Resident:
        shares, rng = self.settings.people, self.rng
        age = person.age_on(on)
        flags = set()
        if 24 <= age <= 75 and rng.random() < shares["married_share"]:
            flags.add("married")
        if rng.random() < shares["hangzhou_hukou_share"]:
            flags.add("hukou")
        if 22 <= age < 45 and rng.random() < shares["degree_share"]:
            flags.add("degree")
        if 20 <= age <= 70 and rng.random() < shares["driving_licence_share"]:
            flags.add("driving_licence")
        if age > 25 and rng.random() < shares["home_owner_share"]:
            flags.add("home_owner")
        elif age < 60 and rng.random() < shares["tenant_share"]:
            flags.add("tenant")
        if age >= 18 and rng.random() < shares["social_security_share"]:
            flags.add("social_security")
        holder = Holder(
            kind="citizen",
            name=person.name,
            mobile=self.pools.mobile(),
            address=self.pools.address(),
            person=person,
            flags=frozenset(flags),
        )
        email = (
            f"{self.pools.digits(9, '1')}@{rng.choice(('qq.com', '163.com', '126.com'))}"
            if rng.random() < shares["email_share"]
            else None
        )
        return Resident(holder, email=email, age=age)

    def _pair_couples(self, residents: list[Resident], on: date) -> None:
        """Married residents marry each other when ages fit; the others' spouses live outside the city."""
        waiting = {"male": [], "female": []}
        for resident in residents:
            if "married" not in resident.holder.flags:
                continue
            gender = resident.holder.person.gender
            other = "female" if gender == "male" else "male"
            partner = next((r for r in waiting[other] if abs(r.age - resident.age) <= 6), None)
            if partner is None:
                waiting[gender].append(resident)
                continue
            waiting[other].remove(partner)
            self._marry(resident, partner, on)
        for resident in waiting["male"] + waiting["female"]:
            story = Story(self.pools, resident.holder, on)
            resident.holder.spouse = story.person("spouse")

    def _marry(self, one: Resident, other: Resident, on: date) -> None:
        one.holder.spouse, other.holder.spouse = other.holder.person, one.holder.person
        head = one if one.holder.person.gender == "male" else other
        other_of_head = other if head is one else one
        other_of_head.holder.address = head.holder.address
        head.holder.facts["household_head"] = other_of_head.holder.facts["household_head"] = head.holder.name
        youngest = min(one.age, other.age)
        married_on = on - timedelta(days=self.rng.randint(90, max(120, (youngest - 22) * 365)))
        for resident in (one, other):
            resident.holder.facts["registered_on"] = married_on.isoformat()
        shared = Story(self.pools, head.holder, on)
        for key in ("household_number", "hukou_address"):
            value = shared.value(key)
            head.holder.facts[key] = other_of_head.holder.facts[key] = value
        other_of_head.holder.flags |= head.holder.flags & {"hukou", "home_owner"}
        if "tenant" in other_of_head.holder.flags and "home_owner" in other_of_head.holder.flags:
            other_of_head.holder.flags -= {"tenant"}

    def _fill_wallet(self, resident: Resident, on: date) -> None:
        holder, flags = resident.holder, resident.holder.flags
        held = ["id_card"]
        held += ["hukou_booklet"] if "hukou" in flags else []
        held += ["marriage_certificate"] if holder.spouse is not None else []
        held += ["degree_certificate", "graduation_certificate"] if "degree" in flags else []
        held += ["driving_licence"] if "driving_licence" in flags else []
        held += ["real_estate_certificate"] if "home_owner" in flags else []
        held += ["rental_contract_filing"] if "tenant" in flags else []
        held += ["social_security_card"] if "social_security" in flags else []
        story = Story(self.pools, holder, on)
        for cert_type in held:
            entry = self._entry(story, cert_type, on)
            if entry is not None:
                resident.wallet.append(entry)
        holder.facts.update(story.values)
        for key in _NOT_FACTS:
            holder.facts.pop(key, None)

    def _entry(self, story: Story, cert_type: str, on: date) -> WalletEntry | None:
        declared = self.catalog.certificate_types.get(cert_type)
        if declared is None:
            return None
        person = story.holder.person
        issued_on = self._issued_on(cert_type, person, on, story)
        data = story.certificate_data(declared.data_keys)
        if "valid_until" in data:
            years = 10 if person.age_on(on) < 26 else 20
            data["valid_until"] = (issued_on + timedelta(days=365 * years)).isoformat()
        if "issued_on" in data:
            data["issued_on"] = issued_on.isoformat()
        if cert_type == "id_card":
            number = f"ID-{person.id_number}"
        elif cert_type == "hukou_booklet":
            number = f"HK-{data.get('household_number', '')}-{person.id_number[-6:]}"
        else:
            number = f"{_PREFIXES.get(cert_type, cert_type.upper())}-{issued_on.year}-{next(self._serials):07d}"
        return WalletEntry(cert_type, number, data, _ISSUERS.get(cert_type, "PSB"), issued_on)

    def _issued_on(self, cert_type: str, person: Person, on: date, story: Story) -> date:
        if cert_type == "marriage_certificate" and "registered_on" in story.values:
            return date.fromisoformat(story.values["registered_on"])
        if cert_type in ("degree_certificate", "graduation_certificate"):
            graduated = date.fromisoformat(story.value("graduation_date"))
            return min(graduated, on - timedelta(days=30))
        adult = person.birth_date + timedelta(days=365 * 18)
        earliest = max(adult, on - timedelta(days=365 * 9))
        latest = on - timedelta(days=30)
        if earliest >= latest:
            return latest
        return date.fromordinal(self.rng.randint(earliest.toordinal(), latest.toordinal()))

    # --- companies --------------------------------------------------------------------

    def companies(self, how_many: int, on: date) -> list[Resident]:
        firms = []
        for _ in range(how_many):
            representative = self.pools.person(on=on, min_age=28, max_age=65)
            holder = Holder(
                kind="company",
                name=self.pools.company_name(),
                mobile=self.pools.mobile(),
                address=self.pools.address(),
                person=representative,
                credit_code=self.pools.credit_code(),
            )
            firm = Resident(holder, age=representative.age_on(on))
            story = Story(self.pools, holder, on)
            entry = self._entry(story, "business_licence", on)
            if entry is not None:
                entry.issued_on = date.fromisoformat(story.value("established_on"))
                firm.wallet.append(entry)
            holder.facts.update({key: value for key, value in story.values.items() if key not in _NOT_FACTS})
            firms.append(firm)
        return firms


@dataclass(frozen=True)
class StaffMember:
    login: str
    name: str
    role: str
    department: str | None


def staff_roster(pools: Pools, settings: Settings, catalog: Catalog, on: date) -> list[StaffMember]:
    """Colleagues of the demo staff: more clerks per department, front desk, department supervisors."""
    roster = []
    for n in range(1, settings.staff["front_desk"] + 1):
        person = pools.person(on=on, min_age=23, max_age=55)
        roster.append(StaffMember(f"frontdesk.{n}", person.name, Role.FRONT_DESK, None))
    for code in catalog.departments:
        for n in range(1, settings.staff["clerks_per_department"] + 1):
            person = pools.person(on=on, min_age=24, max_age=58)
            roster.append(StaffMember(f"clerk.{code.lower()}.{n}", person.name, Role.CLERK, code))
        for n in range(1, settings.staff["department_supervisors"] + 1):
            person = pools.person(on=on, min_age=35, max_age=58)
            roster.append(StaffMember(f"supervisor.{code.lower()}.{n}", person.name, Role.SUPERVISOR, code))
    return roster


# --- rows ---------------------------------------------------------------------------


def checked(resident: Resident) -> Resident:
    """The validators of the portal, on every identity before it is written."""
    holder = resident.holder
    validate_mobile(holder.mobile)
    validate_id_number(holder.person.id_number)
    if holder.credit_code:
        validate_credit_code(holder.credit_code)
    if holder.spouse:
        validate_id_number(holder.spouse.id_number)
    return resident


def user_row(resident: Resident, user_id: int, password_hash: str, created_at: datetime) -> dict:
    holder = resident.holder
    company = holder.kind == "company"
    return {
        "id": user_id,
        "key": new_key(),
        "role": Role.COMPANY if company else Role.CITIZEN,
        "login_name": holder.credit_code if company else holder.person.id_number,
        "password_hash": password_hash,
        "full_name": holder.name,
        "id_number": None if company else holder.person.id_number,
        "credit_code": holder.credit_code,
        "legal_representative": holder.person.name if company else None,
        "mobile": holder.mobile,
        "email": resident.email,
        "address": holder.address,
        "department": None,
        "is_active": True,
        "created_at": created_at,
        "totp_secret": None,
        "totp_last_step": None,
        "elder_mode": False,
    }


def staff_row(member: StaffMember, user_id: int, password_hash: str, created_at: datetime) -> dict:
    return {
        "id": user_id,
        "key": new_key(),
        "role": member.role,
        "login_name": member.login,
        "password_hash": password_hash,
        "full_name": member.name,
        "id_number": None,
        "credit_code": None,
        "legal_representative": None,
        "mobile": None,
        "email": None,
        "address": None,
        "department": member.department,
        "is_active": True,
        "created_at": created_at,
        # Seeded staff share the demo's second-factor key, printed by `flask demo`.
        "totp_secret": DEMO_TOTP_SECRET,
        "totp_last_step": None,
        "elder_mode": False,
    }


def certificate_rows(resident: Resident, owner_id: int, ids: Iterator[int]) -> list[dict]:
    return [
        {
            "id": next(ids),
            "key": new_key(),
            "owner_id": owner_id,
            "cert_type": entry.cert_type,
            "number": entry.number,
            "data": entry.data,
            "issued_by": entry.issued_by,
            "issued_on": entry.issued_on,
            "application_id": None,
        }
        for entry in resident.wallet
    ]
