"""Where names, numbers and phrases come from: the seeded Faker, its locale's data, the settings' texts."""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate

from faker import Faker

from seeding.fakes import ZhejiangProvider
from seeding.settings import Settings

LOCALES = {"zh_CN": "zh", "en_US": "en"}


@dataclass(frozen=True)
class Person:
    name: str
    gender: str  # "male" or "female"
    birth_date: date
    id_number: str

    @property
    def surname(self) -> str:
        return self.name[0] if self.name and ord(self.name[0]) > 0x2E80 else self.name.rsplit(" ", 1)[-1]

    def age_on(self, day: date) -> int:
        return day.year - self.birth_date.year - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))


def _named_weights(values) -> dict[str, float]:
    return dict(values) if isinstance(values, dict) else dict.fromkeys(values, 1.0)


def _weighted(values) -> tuple[tuple[str, ...], tuple[float, ...]]:
    """A name list of a Faker locale, with its weights when the locale gives them."""
    names = tuple(values)
    weights = tuple(values.values()) if isinstance(values, dict) else (1.0,) * len(names)
    return names, tuple(accumulate(weights))


class Pools:
    """Draws people and phrases; every draw comes from `rng` or from the seeded `fake`."""

    def __init__(self, *, locale: str, seed: int, rng: random.Random, settings: Settings):
        self.locale = locale
        self.language = LOCALES[locale]
        self.rng = rng
        self.settings = settings
        self.fake = Faker(locale)
        self.fake.add_provider(ZhejiangProvider)
        self.fake.seed_instance(seed)
        person = next(p for p in self.fake.get_providers() if type(p).__module__.startswith("faker.providers.person"))
        self._surnames = _weighted(person.last_names)
        self._given = {"male": _weighted(person.first_names_male), "female": _weighted(person.first_names_female)}
        # The second character of a two-character given name: one of the one-character names.
        self._single = {
            gender: _weighted({name: weight for name, weight in _named_weights(names).items() if len(name) == 1})
            for gender, names in (("male", person.first_names_male), ("female", person.first_names_female))
        }
        company = next(p for p in self.fake.get_providers() if type(p).__module__.startswith("faker.providers.company"))
        self._brands = tuple(getattr(company, "company_prefixes", ())) or self._surnames[0]
        self._taken_ids: set[str] = set()
        self._taken_codes: set[str] = set()

    # --- phrases --------------------------------------------------------------------

    def text(self, name: str):
        return self.settings.text(self.language, name)

    def pick(self, name: str) -> str:
        return self.rng.choice(self.text(name))

    # --- people ---------------------------------------------------------------------

    def surname(self) -> str:
        names, cumulative = self._surnames
        return self.rng.choices(names, cum_weights=cumulative)[0]

    def given_name(self, gender: str) -> str:
        """One given name of one or two characters in Chinese: a listed name, or two one-character names
        (two listed names glued together would make 桂英秀珍)."""
        names, cumulative = self._given[gender]
        given = self.rng.choices(names, cum_weights=cumulative)[0]
        if self.language == "zh" and len(given) == 1 and self.rng.random() < 0.65:
            single, single_cumulative = self._single[gender]
            given += self.rng.choices(single, cum_weights=single_cumulative)[0]
        return given

    def name(self, gender: str, surname: str | None = None) -> str:
        surname = surname or self.surname()
        given = self.given_name(gender)
        return f"{surname}{given}" if self.language == "zh" else f"{given} {surname}"

    def id_number(self, birth_date: date, gender: str) -> str:
        """A valid Zhejiang ID number no one else in this run holds."""
        while True:
            number = self.fake.zj_id_number(birth_date=birth_date, gender=gender)
            if number not in self._taken_ids:
                self._taken_ids.add(number)
                return number

    def taken(self, id_numbers) -> None:
        self._taken_ids.update(id_numbers)

    def person(
        self, *, on: date, min_age: int, max_age: int, gender: str | None = None, surname: str | None = None
    ) -> Person:
        gender = gender or self.rng.choice(("male", "female"))
        birth = self.birth_date(on, min_age, max_age)
        return Person(self.name(gender, surname), gender, birth, self.id_number(birth, gender))

    def child(self, *, born: date, surname: str) -> Person:
        gender = self.rng.choice(("male", "female"))
        return Person(self.name(gender, surname), gender, born, self.id_number(born, gender))

    def birth_date(self, on: date, min_age: int, max_age: int) -> date:
        latest = _years_before(on, min_age)
        earliest = _years_before(on, max_age + 1) + timedelta(days=1)
        return date.fromordinal(self.rng.randint(earliest.toordinal(), latest.toordinal()))

    def credit_code(self) -> str:
        while True:
            code = self.fake.zj_credit_code()
            if code not in self._taken_codes:
                self._taken_codes.add(code)
                return code

    def company_name(self) -> str:
        brand = self.rng.choice(self._brands)
        industry = self.pick("company_industries")
        return self.text("company_form").format(brand=brand, industry=industry)

    def mobile(self) -> str:
        return self.fake.zj_mobile()

    def address(self) -> str:
        return self.fake.zj_address()

    def digits(self, count: int, first: str = "") -> str:
        drawn = count - len(first)
        return f"{first}{self.rng.randrange(10**drawn):0{drawn}d}" if drawn > 0 else first


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)
