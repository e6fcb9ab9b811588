"""The data benefit policies read (免申即享), for the seeded city's citizens and firms.

Written after the population and its cases, from the accounts and wallets already there: the
population register (district from the address, household from the hukou booklet), social insurance
paid month by month, employment spells with hires and lay-offs, firms' register entries and last
year's filings, the few certificates the catalogue's items never issue to the seeded (unemployment
registration, disability, talent, a young child's birth), earlier grants and credit listings.
Shares are chosen so that each shipped policy finds some, but not most, of the city (BENEFIT_SHARES).
Every draw comes from the one random.Random given, so the same seed writes the same rows.
"""

import random
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, col, select

from seeding.fakes import HANGZHOU_STREETS
from services.benefits.facts import month_start
from services.identity import id_number_birth_date
from services.models import (
    BenefitGrant,
    BlacklistEntry,
    Certificate,
    CompanyFiling,
    CompanyRecord,
    Contribution,
    Employment,
    ResidentRecord,
    Role,
    User,
    new_key,
)

DISTRICT_CODES = dict(
    zip(
        HANGZHOU_STREETS,
        ("shangcheng", "gongshu", "xihu", "binjiang", "xiaoshan", "yuhang", "linping", "qiantang", "fuyang", "linan"),
        strict=True,
    )
)
# GB/T 4754-2017 classes of the city's firms, with their weights.
INDUSTRIES = {"C39": 3, "C34": 2, "C18": 1, "F52": 3, "H62": 2, "I65": 4, "I64": 2, "L72": 2, "M73": 2, "E47": 1}
# Size class by headcount (simplified from 工信部联企业〔2011〕300号): [from, to) people and weight.
SIZES = (("micro", 1, 10, 0.55), ("small", 10, 100, 0.3), ("medium", 100, 300, 0.12), ("large", 300, 2000, 0.03))
EVERY_SIZE_TIMES = 3  # firms of each size class, at the least
BENEFIT_SHARES = {
    "flexible_worker": 0.06,  # of working-age citizens
    "unemployment_registration": 0.04,  # of working-age citizens besides the flexible workers
    "disability": 0.02,
    "talent": 0.08,  # of degree holders under 45
    "young_child": 0.12,  # of married citizens aged 24 to 40
    "second_young_child": 0.15,  # of those
    "graduate_granted": 0.3,  # of recent graduates: the living allowance already paid
    "blacklisted": 0.02,
    "firm_blacklisted": 0.04,
    "firm_lay_offs": 0.15,
    "firm_first_hires": 0.25,
    "firm_short_insurance": 0.12,  # insured fewer than twelve months
    "rd_spender": 0.3,  # of firms in manufacturing, IT and research
    "exporter": 0.18,
    "insured_exporter": 0.6,
}
CHECKED_TALENTS = 6  # class C talents the seed makes sure of (see `citizens`)
WALLET_READ = ("hukou_booklet", "degree_certificate", "social_security_card", "marriage_certificate")
MONTHLY_WAGE_FEN = (450_000, 3_000_000)  # 4,500 to 30,000 yuan
FLEXIBLE_PENSION_FEN = 89_200  # a flexible worker's monthly pension at the lowest base (illustrative)


@dataclass
class _Person:
    id: int
    born: date
    district: str
    household: str
    wallet: set[str] = field(default_factory=set)
    graduated: str | None = None
    married: bool = False


@dataclass
class _Rows:
    tables: dict[Any, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))

    def add(self, model: Any, **row: Any) -> None:
        self.tables[model.__table__].append(row)


def seed_benefit_data(
    *, session: Session, rng: random.Random, as_of: date, new_parents: Collection[int] = ()
) -> dict[str, int]:
    """Write the benefit data of every citizen and firm; the number of rows per table.

    `new_parents` had a baby six weeks ago (the demo citizen: so that the demo has an offer to click on).
    """
    writer = _Writer(session, rng, as_of, new_parents)
    writer.citizens()
    writer.firms()
    counts = {}
    for table, rows in writer.rows.tables.items():
        for start in range(0, len(rows), 5000):
            session.execute(insert(table), rows[start : start + 5000])
        counts[table.name] = len(rows)
    return counts


class _Writer:
    def __init__(self, session: Session, rng: random.Random, as_of: date, new_parents: Collection[int]):
        self.session, self.rng, self.as_of = session, rng, as_of
        self.new_parents = frozenset(new_parents)
        self.rows = _Rows()
        self.month = as_of.replace(day=1)
        self.serial = 0
        self.workers: list[tuple[_Person, int]] = []  # employed citizens and their monthly wage
        self.checked_talents = 0

    def months_back(self, count: int) -> list[date]:
        """The `count` whole months before this one, oldest first."""
        return [month_start(self.month, back) for back in range(count, 0, -1)]

    def day_between(self, earliest: date, latest: date) -> date:
        return date.fromordinal(self.rng.randint(earliest.toordinal(), max(earliest, latest).toordinal()))

    def certificate(self, owner: int, cert_type: str, prefix: str, issuer: str, issued_on: date, **data: str) -> None:
        self.serial += 1
        self.rows.add(
            Certificate,
            key=new_key(),
            owner_id=owner,
            cert_type=cert_type,
            number=f"{prefix}-{issued_on.year}-B{self.serial:06d}",
            data=data,
            issued_by=issuer,
            issued_on=issued_on,
            application_id=None,
        )

    # --- citizens ---

    def people(self) -> list[_Person]:
        users = self.session.exec(select(User).where(User.role == Role.CITIZEN).order_by(User.id))
        # Only what the register and the policies need of the wallets: a million-case city holds many more.
        wallets: dict[int, dict[str, dict[str, Any]]] = defaultdict(dict)
        held = select(Certificate.owner_id, Certificate.cert_type, Certificate.data).where(
            col(Certificate.cert_type).in_(WALLET_READ)
        )
        for owner, cert_type, data in self.session.exec(held.order_by(Certificate.id)):
            wallets[owner].setdefault(cert_type, data)
        people = []
        for user in users:
            if not user.id_number:
                continue
            district = next((code for name, code in DISTRICT_CODES.items() if name in (user.address or "")), None)
            wallet = wallets[user.id]
            person = _Person(
                id=user.id,
                born=id_number_birth_date(user.id_number),
                district=district or self.rng.choice(tuple(DISTRICT_CODES.values())),
                household=wallet.get("hukou_booklet", {}).get("household_number") or f"P{user.id_number[-12:]}",
                wallet=set(wallet),
                graduated=wallet.get("degree_certificate", {}).get("graduation_date"),
                married="marriage_certificate" in wallet,
            )
            people.append(person)
        return people

    def age(self, person: _Person) -> int:
        return (int(self.as_of.strftime("%Y%m%d")) - int(person.born.strftime("%Y%m%d"))) // 10000

    def citizens(self) -> None:
        rng, shares = self.rng, BENEFIT_SHARES
        for person in self.people():
            age = self.age(person)
            self.rows.add(
                ResidentRecord, user_id=person.id, district=person.district, household_number=person.household
            )
            working = 18 <= age < 60
            flexible = working and rng.random() < shares["flexible_worker"]
            if flexible:
                self.flexible_contributions(person)
                if rng.random() < 0.7:
                    self.unemployment_registration(person, hard_to_employ=rng.random() < 0.8)
            elif working and "social_security_card" in person.wallet:
                self.workers.append((person, rng.randint(*MONTHLY_WAGE_FEN)))
            if working and not flexible and rng.random() < shares["unemployment_registration"]:
                self.unemployment_registration(person, hard_to_employ=rng.random() < 0.4)
            if rng.random() < shares["disability"]:
                self.certificate(
                    person.id,
                    "disability_certificate",
                    "CJR",
                    "CIVIL",
                    self.day_between(self.as_of - timedelta(days=3000), self.as_of - timedelta(days=30)),
                    disability_category=rng.choice(("visual", "hearing", "physical", "intellectual")),
                    disability_grade=rng.choice(("1", "2", "3", "4")),
                )
            employed = bool(self.workers) and self.workers[-1][0] is person
            if person.graduated and age < 45 and rng.random() < shares["talent"]:
                issued = self.day_between(self.as_of - timedelta(days=700), self.as_of - timedelta(days=20))
                category = rng.choice(("class_e", "class_e", "class_e", "class_d", "class_d", "class_c"))
                if rng.random() < 0.3:
                    self.grant("talent_housing_subsidy", person.id)
                self.talent(person, issued, category)
            elif person.graduated and age < 45 and employed and self.checked_talents < CHECKED_TALENTS:
                # A few employed graduates are class C talents, recognised long ago and not yet paid, so that
                # even a small city has home-purchase subsidies above the review threshold for a clerk to check.
                # No draw: the rest of the city comes out as it did without them.
                self.checked_talents += 1
                self.talent(person, self.as_of - timedelta(days=200), "class_c")
            if person.married and 24 <= age <= 40 and rng.random() < shares["young_child"]:
                for _ in range(2 if rng.random() < shares["second_young_child"] else 1):
                    self.young_child(person)
            if person.id in self.new_parents:
                self.newborn(person)
            recent = person.graduated and person.graduated > (self.as_of - timedelta(days=365 * 5)).isoformat()
            if recent and rng.random() < shares["graduate_granted"]:
                self.grant("graduate_living_allowance", person.id)
            if rng.random() < shares["blacklisted"]:
                self.listing(person.id)

    def talent(self, person: _Person, issued: date, category: str) -> None:
        self.certificate(
            person.id,
            "talent_certificate",
            "RC",
            "HRSS",
            issued,
            talent_category=category,
            valid_until=(issued + timedelta(days=365 * 5)).isoformat(),
        )

    def flexible_contributions(self, person: _Person) -> None:
        months = self.months_back(15)
        paid = months[self.rng.randint(0, 12) :]
        for month in paid:
            self.rows.add(
                Contribution,
                subject_id=person.id,
                month=month,
                kind="pension",
                paid_as="flexible",
                amount_fen=FLEXIBLE_PENSION_FEN,
            )

    def unemployment_registration(self, person: _Person, hard_to_employ: bool) -> None:
        registered = self.day_between(self.as_of - timedelta(days=700), self.as_of - timedelta(days=10))
        self.certificate(
            person.id,
            "unemployment_registration",
            "SYDJ",
            "HRSS",
            registered,
            unemployment_number=f"330100{self.rng.randrange(10**10):010d}",
            hard_to_employ="yes" if hard_to_employ else "no",
            registered_on=registered.isoformat(),
        )

    def young_child(self, person: _Person) -> None:
        born = self.day_between(self.as_of - timedelta(days=365 * 3 + 60), self.as_of - timedelta(days=5))
        self.birth(person, born, self.rng.choice(("male", "female")))

    def newborn(self, person: _Person) -> None:
        """A baby born six weeks ago, with no draw: the rest of the city comes out as without it."""
        self.birth(person, self.as_of - timedelta(days=42), "female")

    def birth(self, person: _Person, born: date, gender: str) -> None:
        """The birth medical certificate of the person's child, issued three days after the birth."""
        self.certificate(
            person.id,
            "birth_medical_certificate",
            "CSYXZM",
            "HEALTH",
            born + timedelta(days=3),
            child_gender=gender,
            child_birth_date=born.isoformat(),
        )

    def grant(self, policy: str, subject: int) -> None:
        granted = self.day_between(self.as_of - timedelta(days=700), self.as_of - timedelta(days=30))
        self.rows.add(BenefitGrant, policy=policy, subject_id=subject, granted_on=granted, amount_fen=0)

    def listing(self, subject: int) -> None:
        listed = self.day_between(self.as_of - timedelta(days=900), self.as_of - timedelta(days=10))
        lifted = self.day_between(listed, self.as_of - timedelta(days=1)) if self.rng.random() < 0.4 else None
        self.rows.add(
            BlacklistEntry,
            subject_id=subject,
            listed_on=listed,
            lifted_on=lifted,
            authority=self.rng.choice(("AMR", "TAX")),
        )

    # --- firms ---

    def firms(self) -> None:
        rng, shares = self.rng, BENEFIT_SHARES
        firms = self.session.exec(select(User).where(User.role == Role.COMPANY).order_by(User.id)).all()
        founded = {
            c.owner_id: c.data.get("established_on")
            for c in self.session.exec(select(Certificate).where(Certificate.cert_type == "business_licence"))
        }
        employees: dict[int, list[tuple[_Person, int]]] = defaultdict(list)
        for worker in self.workers:
            if firms:
                employees[rng.choice(firms).id].append(worker)
        for index, firm in enumerate(firms):
            # The first firms take each size class in turn, so even a small city has large firms for
            # the policies that ask for them; the rest are drawn by the classes' weights.
            if index < EVERY_SIZE_TIMES * len(SIZES):
                size, low, high, _ = SIZES[index % len(SIZES)]
            else:
                size, low, high, _ = rng.choices(SIZES, weights=[s[3] for s in SIZES])[0]
            headcount = rng.randrange(low, high)
            day = founded.get(firm.id)
            founded_on = (
                date.fromisoformat(day) if isinstance(day, str) else self.as_of - timedelta(days=rng.randint(60, 6000))
            )
            industry = rng.choices(tuple(INDUSTRIES), weights=tuple(INDUSTRIES.values()))[0]
            district = next((code for name, code in DISTRICT_CODES.items() if name in (firm.address or "")), "xihu")
            self.rows.add(
                CompanyRecord,
                user_id=firm.id,
                founded_on=founded_on,
                headcount=headcount,
                size=size,
                industry_code=industry,
                district=district,
            )
            wage_bill = headcount * rng.randint(*MONTHLY_WAGE_FEN) // 2
            insured = self.months_back(15)
            if rng.random() < shares["firm_short_insurance"]:
                insured = insured[rng.randint(5, 14) :]
            for month in insured:
                for kind, rate in (
                    ("pension", 16),
                    ("unemployment", 1),
                    ("medical", 10),
                ):  # percent, employer and staff
                    amount = wage_bill * rate // 100
                    self.rows.add(
                        Contribution, subject_id=firm.id, month=month, kind=kind, paid_as="employer", amount_fen=amount
                    )
            self.staff(firm.id, employees[firm.id])
            self.filings(firm.id, industry, headcount)
            if rng.random() < shares["firm_blacklisted"]:
                self.listing(firm.id)
            if rng.random() < 0.1:
                self.grant("job_stabilisation_refund_sme_2026", firm.id)

    def staff(self, firm: int, people: list[tuple[_Person, int]]) -> None:
        rng, shares = self.rng, BENEFIT_SHARES
        start = self.months_back(12)[0]
        for person, wage in people:
            first_job = self.age(person) <= 25 and rng.random() < shares["firm_first_hires"] * 2
            started = (
                self.day_between(start, self.as_of - timedelta(days=20))
                if first_job
                else self.day_between(self.as_of - timedelta(days=3000), start)
            )
            laid_off = rng.random() < shares["firm_lay_offs"] / 2
            ended = self.day_between(max(start, started), self.month - timedelta(days=1)) if laid_off else None
            self.rows.add(
                Employment,
                employer_id=firm,
                employee_id=person.id,
                started_on=started,
                ended_on=ended,
                end_reason="layoff" if laid_off else None,
                first_job=first_job,
            )
            for month in self.months_back(12):
                if month >= started.replace(day=1) and (ended is None or month < ended):
                    self.rows.add(
                        Contribution,
                        subject_id=person.id,
                        month=month,
                        kind="pension",
                        paid_as="employee",
                        amount_fen=wage * 8 // 100,
                    )

    def filings(self, firm: int, industry: str, headcount: int) -> None:
        rng, shares, year = self.rng, BENEFIT_SHARES, self.as_of.year - 1
        revenue = headcount * rng.randint(20_000_000, 150_000_000)  # 200,000 to 1,500,000 yuan a head
        self.rows.add(CompanyFiling, company_id=firm, year=year, kind="revenue", amount_fen=revenue)
        if industry[0] in "CIM" and rng.random() < shares["rd_spender"]:
            spent = revenue * rng.randint(2, 12) // 100
            self.rows.add(CompanyFiling, company_id=firm, year=year, kind="rd_expense", amount_fen=spent)
        if industry[0] in "CF" and rng.random() < shares["exporter"] * 2:
            exported = revenue * rng.randint(10, 70) // 100
            self.rows.add(CompanyFiling, company_id=firm, year=year, kind="export_revenue", amount_fen=exported)
            if rng.random() < shares["insured_exporter"]:
                premium = exported * rng.randint(2, 6) // 1000
                self.rows.add(
                    CompanyFiling, company_id=firm, year=year, kind="credit_insurance_premium", amount_fen=premium
                )
