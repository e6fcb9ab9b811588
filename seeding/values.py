"""Answers to forms and certificate data that hang together: one story per applicant and moment.

Field keys and certificate data keys share one vocabulary (see certificate_types.yaml), so
one generator serves both: `spouse_name` is the spouse's name wherever it is asked, and
asked twice it is the same name. A value that does not fit the field it is meant for
(a changed catalogue) is replaced by one that fits its type.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

from seeding.pools import Person, Pools
from services.catalog import FieldSpec
from services.requirements.fields import FieldError, clean_value

# People a form can speak of, longest prefix first so "legal_representative_id_number" finds its role.
ROLES = (
    "legal_representative",
    "tax_contact",
    "applicant",
    "deceased",
    "employee",
    "landlord",
    "insured",
    "spouse",
    "mother",
    "father",
    "seller",
    "buyer",
    "child",
)
PERSON_ATTRIBUTES = ("name", "id_number", "gender", "birth_date")


@dataclass
class Holder:
    """A seeded applicant as the story knows them."""

    kind: str  # "citizen" or "company"
    name: str
    mobile: str
    address: str
    person: Person  # the citizen, or the company's legal representative
    credit_code: str | None = None
    spouse: Person | None = None
    facts: dict[str, str] = field(default_factory=dict)  # what their certificates already say
    flags: frozenset[str] = frozenset()
    user_id: int | None = None

    @property
    def id_number(self) -> str | None:
        return self.person.id_number if self.kind == "citizen" else None


class Story:
    def __init__(self, pools: Pools, holder: Holder, on: date, *, life_events: tuple[str, ...] = ()):
        self.pools = pools
        self.rng = pools.rng
        self.holder = holder
        self.on = on
        self.life_events = life_events
        self.values: dict[str, str] = dict(holder.facts)
        self.people: dict[str, Person] = {"applicant": holder.person}
        if holder.spouse is not None:
            self.people["spouse"] = holder.spouse

    # --- public ---------------------------------------------------------------------

    def value(self, key: str, spec: FieldSpec | None = None) -> str:
        candidate = self.values.get(key)
        if candidate is None:
            candidate = self._make(key)
        if spec is not None:
            candidate = self._fit(spec, candidate)
        self.values[key] = candidate
        return candidate

    def form(self, fields, filled: dict[str, str]) -> dict[str, str]:
        """What an applicant types into the fields still empty; optional ones often stay empty."""
        answers = {}
        for spec in fields:
            if filled.get(spec.key):
                self.values.setdefault(spec.key, filled[spec.key])
                continue
            if not spec.required and self.rng.random() < 0.4:
                continue
            answers[spec.key] = self.value(spec.key, spec)
        return answers

    def certificate_data(self, data_keys) -> dict[str, str]:
        return {key: self.value(key) for key in data_keys}

    def person(self, role: str) -> Person:
        if role not in self.people:
            self.people[role] = self._new_person(role)
        return self.people[role]

    # --- fitting a value to its field -------------------------------------------------

    def _fit(self, spec: FieldSpec, candidate: str) -> str:
        if spec.type == "select" and candidate not in {option.value for option in spec.options}:
            candidate = self.rng.choice(spec.options).value
        try:
            cleaned = clean_value(spec, candidate)
        except FieldError:
            cleaned = ""
        if cleaned:
            return cleaned
        return clean_value(spec, self._of_type(spec))

    def _of_type(self, spec: FieldSpec) -> str:
        kind = spec.type
        if kind == "number":
            low = spec.min if spec.min is not None else 1
            high = spec.max if spec.max is not None else low + 100
            return str(self.rng.randint(int(low) if low == int(low) else int(low) + 1, max(int(high), int(low) + 1)))
        makers = {
            "text": lambda: self.pools.text("generic_text"),
            "address": self.pools.address,
            "date": lambda: self._days_before(0, 30),
            "select": lambda: self.rng.choice(spec.options).value,
            "id_number": lambda: self.person("applicant").id_number,
            "phone": lambda: self.holder.mobile,
            "credit_code": lambda: self.holder.credit_code or self.pools.credit_code(),
        }
        return makers[kind]()

    # --- making a value from its key -----------------------------------------------------

    def _make(self, key: str) -> str:
        if key in ("full_name", "applicant_name", "household_head", "owner_names", "buyer_name"):
            return self.holder.name if self.holder.kind == "citizen" else self.person("applicant").name
        if key in ("id_number", "gender", "birth_date", "applicant_birth_date"):
            return self._attribute(self.person("applicant"), key.removeprefix("applicant_"))
        spoken_of = _person_attribute(key)
        if spoken_of is not None:
            return self._attribute(self.person(spoken_of[0]), spoken_of[1])
        maker = _MAKERS.get(key)
        if maker is not None:
            return maker(self)
        return self._by_suffix(key)

    def _attribute(self, person: Person, attribute: str) -> str:
        value = getattr(person, attribute)
        return value.isoformat() if isinstance(value, date) else value

    def _by_suffix(self, key: str) -> str:
        if key.endswith(("_date", "_on")):
            return self._days_before(1, 30)
        if key == "valid_until" or key.endswith("_until"):
            return self._days_after(365 * 2, 365 * 10)
        if key.endswith("address") or key.endswith("premises") or key.endswith("location"):
            return self.pools.address()
        if key.endswith("_number"):
            return self.pools.digits(12, self.pools.digits(1, "1"))
        if key.endswith(("amount", "price", "income", "wage", "pension", "rent")):
            return str(self.rng.randrange(10, 500) * 100)
        if key.endswith(("_name", "_manager")):
            return self.person(key).name
        return self.pools.text("generic_text")

    def _days_before(self, low: int, high: int) -> str:
        return (self.on - timedelta(days=self.rng.randint(low, high))).isoformat()

    def _days_after(self, low: int, high: int) -> str:
        return (self.on + timedelta(days=self.rng.randint(low, high))).isoformat()

    def _new_person(self, role: str) -> Person:
        pools, applicant = self.pools, self.people["applicant"]
        if role in ("mother", "father"):
            spouse = self.person("spouse")
            wanted = "female" if role == "mother" else "male"
            return applicant if applicant.gender == wanted else spouse
        if role == "spouse":
            other = "female" if applicant.gender == "male" else "male"
            age = applicant.age_on(self.on)
            return pools.person(on=self.on, min_age=max(20, age - 5), max_age=max(22, age + 3), gender=other)
        if role == "child":
            return self._child()
        if role == "deceased":
            died = self.on - timedelta(days=self.rng.randint(1, 7))
            self.values.setdefault("death_date", died.isoformat())
            surname = applicant.surname if self.rng.random() < 0.6 else None
            return pools.person(on=died, min_age=68, max_age=96, surname=surname)
        if role == "insured":
            return self.person("child" if "birth" in self.life_events else "applicant")
        if role in ("legal_representative", "buyer"):
            return applicant
        if role in ("seller", "landlord"):
            return pools.person(on=self.on, min_age=35, max_age=75)
        return pools.person(on=self.on, min_age=20, max_age=50)

    def _child(self) -> Person:
        father = self.person("father")
        if "birth" in self.life_events or "education" not in self.life_events:
            born = self.on - timedelta(days=self.rng.randint(1, 20))
        else:
            years = 12 if self.values.get("school_stage") == "junior" else 6
            born = date(self.on.year - years, self.rng.randint(1, 8), self.rng.randint(1, 28))
        return self.pools.child(born=born, surname=father.surname)

    # --- key-specific makers --------------------------------------------------------

    def _registered_capital(self) -> str:
        return str(self.rng.choice((10, 30, 50, 100, 200, 500, 1000)))

    def _floor_area(self) -> str:
        return f"{self.rng.randint(400, 1800) / 10:.1f}"

    def _transaction_price(self) -> str:
        area = float(self.value("floor_area"))
        return str(int(area * self.rng.randint(18_000, 65_000) // 10_000 * 10_000))

    def _tax_amount(self) -> str:
        return str(int(int(self.value("transaction_price")) * self.rng.choice((0.01, 0.015, 0.03))))

    def _property_certificate_number(self) -> str:
        year = self.on.year - self.rng.randint(1, 15)
        serial = self.pools.digits(7)
        if self.pools.language == "zh":
            return f"浙({year})杭州市不动产权第{serial}号"
        return f"Zhe ({year}) Hangzhou Real Estate No. {serial}"

    def _driving_experience_years(self) -> str:
        age = self.person("applicant").age_on(self.on)
        return str(self.rng.randint(3, max(3, min(30, age - 18))))

    def _heir_names(self) -> str:
        names = [self.holder.name]
        if self.rng.random() < 0.5:
            names.append(self.pools.name(self.rng.choice(("male", "female")), self.person("applicant").surname))
        return "、".join(names) if self.pools.language == "zh" else ", ".join(names)

    def _tax_authority(self) -> str:
        district = self.pools.address().split("市", 1)[-1][:3]
        if self.pools.language == "zh":
            return f"国家税务总局杭州市{district}税务局"
        return "Hangzhou Municipal Tax Service"

    def _company_name(self) -> str:
        return self.holder.name if self.holder.kind == "company" else self.pools.company_name()

    def _retirement_date(self) -> str:
        return self._days_after(0, 30)


@cache
def _person_attribute(key: str) -> tuple[str, str] | None:
    """The role and attribute a key like "spouse_id_number" asks for, if it asks for one."""
    for role in ROLES:
        if key.startswith(role + "_") and key[len(role) + 1 :] in PERSON_ATTRIBUTES:
            return role, key[len(role) + 1 :]
    return None


def _date_after(key: str, years: tuple[int, int]):
    def make(story: Story) -> str:
        start = date.fromisoformat(story.value(key))
        return (start + timedelta(days=365 * story.rng.randint(*years))).isoformat()

    return make


_MAKERS = {
    "registered_capital": Story._registered_capital,
    "floor_area": Story._floor_area,
    "transaction_price": Story._transaction_price,
    "tax_amount": Story._tax_amount,
    "property_certificate_number": Story._property_certificate_number,
    "driving_experience_years": Story._driving_experience_years,
    "heir_names": Story._heir_names,
    "tax_authority": Story._tax_authority,
    "company_name": Story._company_name,
    "employer_name": lambda s: s.pools.company_name(),
    "retirement_date": Story._retirement_date,
    "credit_code": lambda s: s.holder.credit_code or s.pools.credit_code(),
    "legal_representative": lambda s: s.person("legal_representative").name,
    "tax_contact_name": lambda s: s.person("tax_contact").name,
    "food_safety_manager": lambda s: s.person("tax_contact").name,
    "address": lambda s: s.holder.address,
    "registered_address": lambda s: s.holder.address,
    "hukou_address": lambda s: s.holder.address,
    "residence_address": lambda s: s.holder.address,
    "property_address": lambda s: s.pools.address(),
    "death_date": lambda s: s.value("death_date") if "deceased" in s.people else s._days_before(1, 7),
    "appointment_date": lambda s: s._days_after(3, 30),
    "employment_start_date": lambda s: s._days_before(0, 10),
    "contract_end_date": _date_after("employment_start_date", (1, 3)),
    "lease_start_date": lambda s: s._days_before(0, 30),
    "lease_end_date": _date_after("lease_start_date", (1, 2)),
    "filing_start_date": lambda s: s._days_after(0, 20),
    "unemployment_date": lambda s: s._days_before(5, 60),
    "established_on": lambda s: s._days_before(30, 3000),
    "graduation_date": lambda s: f"{s.person('applicant').birth_date.year + 22}-06-30",
    "household_size": lambda s: str(s.rng.randint(1, 6)),
    "monthly_household_income": lambda s: str(s.rng.randrange(6, 36) * 100),
    "monthly_wage": lambda s: str(s.rng.randrange(40, 250) * 100),
    "contribution_base": lambda s: str(s.rng.randint(4_462, 24_930)),
    "contribution_rate": lambda s: str(s.rng.randint(5, 12)),
    "invoice_monthly_quantity": lambda s: str(s.rng.choice((25, 50, 100, 200))),
    "loan_amount": lambda s: str(s.rng.randrange(20, 300) * 10_000),
    "monthly_rent": lambda s: str(s.rng.randrange(15, 66) * 100),
    "monthly_pension": lambda s: str(s.rng.randrange(28, 90) * 100),
    "tax_year": lambda s: str(s.on.year - 1),
    "vehicle_count": lambda s: str(s.rng.randint(1, 40)),
    "advertising_area": lambda s: str(s.rng.randint(2, 60)),
    "display_months": lambda s: str(s.rng.choice((6, 12, 24, 36))),
    "medical_expense_amount": lambda s: str(s.rng.randint(300, 30_000)),
    "bank_name": lambda s: s.pools.pick("banks"),
    "mortgagee": lambda s: s.pools.pick("banks"),
    "bank_account_number": lambda s: s.pools.digits(19, "62"),
    "business_scope": lambda s: s.pools.pick("business_scopes"),
    "change_details": lambda s: s.pools.pick("change_details"),
    "deregistration_reason": lambda s: s.pools.pick("deregistration_reasons"),
    "water_account_number": lambda s: s.pools.digits(10, "3"),
    "electricity_account_number": lambda s: s.pools.digits(10, "7"),
    "gas_account_number": lambda s: s.pools.digits(8, "5"),
    "household_number": lambda s: s.person("applicant").id_number[:6] + s.pools.digits(6),
    "birth_place": lambda s: s.pools.pick("hospitals"),
    "hospital_name": lambda s: s.pools.pick("hospitals"),
    "vaccination_clinic": lambda s: s.pools.pick("hospitals"),
    "death_place": lambda s: s.pools.pick("death_places"),
    "university": lambda s: s.pools.pick("universities"),
    "major": lambda s: s.pools.pick("majors"),
    "teaching_subject": lambda s: s.pools.pick("subjects"),
    "destination_city": lambda s: s.pools.pick("cities"),
    "driving_licence_number": lambda s: s.person("applicant").id_number,
    "social_security_card_number": lambda s: "A" + s.pools.digits(8),
    "birth_certificate_number": lambda s: "Q" + s.pools.digits(9, "33"),
    "contract_number": lambda s: "WQ" + s.pools.digits(12, str(s.on.year)),
    "degree": lambda s: s.rng.choice(("bachelor", "bachelor", "master", "doctor")),
    "vehicle_class": lambda s: s.rng.choice(("C1", "C1", "C1", "C2", "B2")),
    "talent_category": lambda s: s.rng.choice(("graduate", "graduate", "class_e", "class_d")),
    "funeral_home": lambda s: s.rng.choice(("hangzhou", "hangzhou", "xiaoshan", "yuhang", "fuyang")),
    "company_type": lambda s: s.rng.choice(("llc", "llc", "llc", "sole_proprietorship", "partnership")),
    "taxpayer_type": lambda s: s.rng.choice(("small_scale", "small_scale", "general")),
    "insurance_type": lambda s: "resident",
    "child_order": lambda s: s.rng.choice(("first", "first", "first", "second", "third")),
}
