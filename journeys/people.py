"""The journey's people and answers, made by Faker from the journey's seed: same seed, same data."""

from dataclasses import dataclass, field
from datetime import timedelta

from faker import Faker

from journeys.model import Actor, Journey
from seeding.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from seeding.fakes import ZhejiangProvider
from seeding.files import tiny_png
from services.catalog import Catalog, FieldSpec
from services.second_factor import current_code, current_step

PASSWORD = "journey-pass-2026"
FILES = {
    "pdf": ("scan.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf"),
    "png": ("photo.png", tiny_png(128), "image/png"),  # a real image: uploads are decoded and re-encoded
    "exe": ("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, "application/octet-stream"),
}
# Dates a form asks about that lie ahead of the day one applies; the rest lie behind it.
FUTURE_WORDS = ("appointment", "end", "retirement", "until")


@dataclass
class Account:
    actor: Actor
    login: str
    password: str
    profile: dict[str, str] = field(default_factory=dict)
    key: str | None = None  # the user's key on the server, known once the account exists
    totp_secret: str | None = None  # staff: what their authenticator app holds

    @property
    def name(self) -> str:
        return self.actor.name


def _faker(seed) -> Faker:
    fake = Faker("zh_CN")
    fake.add_provider(ZhejiangProvider)
    fake.seed_instance(seed)
    return fake


class People:
    def __init__(self, journey: Journey, catalog: Catalog):
        self.journey = journey
        self.catalog = catalog
        self.today = journey.start.date()
        fake = _faker(journey.seed)
        # Drawn in the file's actor order, so adding a step never changes who the people are.
        self.accounts = {name: self._account(fake, actor) for name, actor in journey.actors.items()}
        self._specs = {spec.key: spec for service in catalog.services() for spec in service.fields}

    def _account(self, fake: Faker, actor: Actor) -> Account:
        if actor.demo:
            return Account(actor, actor.demo, DEMO_PASSWORD, totp_secret=DEMO_TOTP_SECRET)
        if actor.role == "citizen":
            born = self.today - timedelta(days=fake.random_int(25 * 365, 55 * 365))
            return Account(
                actor,
                "",
                PASSWORD,
                {
                    "full_name": fake.name(),
                    "id_number": fake.zj_id_number(birth_date=born),
                    "mobile": fake.zj_mobile(),
                    "address": fake.zj_address(),
                },
            )
        if actor.role == "company":
            return Account(
                actor,
                "",
                PASSWORD,
                {
                    "company_name": fake.company(),
                    "credit_code": fake.zj_credit_code(),
                    "legal_representative": fake.name(),
                    "mobile": fake.zj_mobile(),
                    "address": fake.zj_address(),
                },
            )
        return Account(
            actor,
            f"j{self.journey.seed}.{actor.name}".lower(),
            PASSWORD,
            {"full_name": f"{fake.name()} ({actor.role.replace('_', ' ')})"},
        )

    # --- answers --------------------------------------------------------------------

    def answers(self, service, label: str) -> dict[str, str]:
        """A valid answer for every field of `service`, the same for the same seed and label."""
        fake = _faker(f"{self.journey.seed}:{label}")
        return {spec.key: self.value(fake, spec) for spec in service.fields}

    def value(self, fake: Faker, spec: FieldSpec) -> str:
        key = spec.key
        if spec.type == "select":
            return fake.random_element(spec.options).value
        if spec.type == "date":
            days = fake.random_int(1, 60)
            ahead = any(word in key for word in FUTURE_WORDS)
            return (self.today + timedelta(days=days if ahead else -days)).isoformat()
        if spec.type == "number":
            low = int(spec.min) if spec.min is not None else 1
            high = int(spec.max) if spec.max is not None else low + 1000
            return str(fake.random_int(low, max(low, high)))
        if spec.type == "id_number":
            born = self.today - timedelta(days=fake.random_int(20 * 365, 60 * 365))
            return fake.zj_id_number(birth_date=born)
        if spec.type == "phone":
            return fake.zj_mobile()
        if spec.type == "address":
            return fake.zj_address()
        if spec.type == "credit_code":
            return fake.zj_credit_code()
        if "company" in key:
            return fake.company()
        if "name" in key:
            return fake.name()
        if "number" in key:
            return fake.numerify("################")
        return fake.word() + fake.word()

    def description(self, label: str) -> str:
        """What a firm writes raising a request, or a party filing a dispute: the same for the same seed and label."""
        fake = _faker(f"{self.journey.seed}:{label}")
        return f"{fake.company()}：{fake.sentence(nb_words=12)}"

    # --- the wallet -------------------------------------------------------------------

    def certificate_data(self, cert_type: str, account: Account) -> dict[str, str]:
        """What an earlier authority wrote on the certificate: the holder's own facts, and values that fit
        the form fields which read from it."""
        fake = _faker(f"{self.journey.seed}:{account.name}:{cert_type}")
        readers = {
            spec.prefill.split(".")[2]: spec
            for spec in self._specs.values()
            if spec.prefill and spec.prefill.startswith(f"wallet.{cert_type}.")
        }
        data = {}
        for key in self.catalog.certificate_types[cert_type].data_keys:
            if key in readers:
                data[key] = self.value(fake, readers[key])
            elif account.profile.get(key):
                data[key] = account.profile[key]
            elif key == "household_head":
                data[key] = account.profile.get("full_name", fake.name())
            elif key in self._specs:
                data[key] = self.value(fake, self._specs[key])
            elif key.endswith("until"):
                data[key] = (self.today + timedelta(days=fake.random_int(365, 3650))).isoformat()
            elif key.endswith(("_date", "_on")):
                data[key] = (self.today - timedelta(days=fake.random_int(30, 3000))).isoformat()
            else:
                data[key] = fake.numerify("########")
        return data


def second_factor_code(secret: str, used_steps: dict[str, int]) -> str:
    """The code the person's app shows, of a time step not used yet (the server refuses a code twice,
    and two actors may share a demo login within one 30-second step)."""
    step = max(current_step(secret), used_steps.get(secret, -1) + 1)
    used_steps[secret] = step
    return current_code(secret, step)
