"""One clone of a template case: new ids, keys, numbers, applicant, people and staff, moved in time."""

import base64
import json
import random
import re
from datetime import date, datetime, timedelta
from functools import cache
from json.encoder import encode_basestring, encode_basestring_ascii

from sqlalchemy import func, select
from sqlmodel import Session

from seeding.blueprint import Blueprint, Compiler, stored_json
from seeding.fakes import ZJ_REGIONS
from seeding.people import People
from seeding.pools import Person, Pools
from seeding.render import Shape
from seeding.rows import MODELS, TableWriter
from seeding.templates import (
    ISO_DATE,
    ORGANISATIONS,
    WORKFLOW_PAYLOAD_DATES,
    Move,
    Template,
    WorkdayIndex,
    move_date,
    move_moment,
)
from seeding.texts import Texts, microseconds
from seeding.timeline import Timeline
from seeding.values import Holder
from services.audit import canonical_json
from services.catalog import Catalog
from services.clock import to_china
from services.identity import id_number_birth_date, id_number_check_char, id_number_gender
from services.models import Counter, Role, User

ENGINE_NUMBER = re.compile(r"^([A-Z]+)-(\d{4})-(\d{6,})$")


@cache
def _identity(id_number: str) -> tuple[str, date]:
    """Gender and birth date of an ID number a template holds (the same few hundred, asked for each clone)."""
    return id_number_gender(id_number), id_number_birth_date(id_number)


def _data_value(value, strings: dict[str, str], move: Move):
    """A form or certificate value as a clone has it: replaced, or an ISO date moved by calendar days."""
    if isinstance(value, str) and value not in strings and ISO_DATE.match(value):
        return (date.fromisoformat(value) + timedelta(days=move.days)).isoformat()
    return strings.get(value, value) if isinstance(value, str) else value


class Ids:
    """The next free id of one table, handed out one by one or in blocks."""

    def __init__(self, first: int):
        self.next = first

    def __iter__(self):
        return self

    def __next__(self) -> int:
        value = self.next
        self.next += 1
        return value

    def take(self, how_many: int) -> int:
        first = self.next
        self.next += how_many
        return first


class Cloner:
    def __init__(
        self,
        *,
        session: Session,
        catalog: Catalog,
        timeline: Timeline,
        index: WorkdayIndex,
        pools: Pools,
        people: People,
        rng: random.Random,
        store,
    ):
        self.session = session
        self.catalog = catalog
        self.timeline = timeline
        self.index = index
        self.pools = pools
        self.people = people
        self.rng = rng
        self.store = store
        dialect = session.connection().dialect
        self.dialect_name = dialect.name
        self.ids = {
            name: Ids((session.execute(select(func.max(model.id))).scalar() or 0) + 1)
            for name, model in MODELS.items()
            if name != "audit_unsealed"  # keyed by its event's id
        }
        self.counters = dict(session.execute(select(Counter.name, Counter.value)).all())
        self.touched: set[str] = set()
        self.staff = {}
        self.colleagues: dict[tuple[str, str | None], list[int]] = {}
        for user in session.execute(
            select(User.id, User.role, User.department).where(User.role.in_(Role.STAFF)).order_by(User.id)
        ):
            self.staff[user.id] = (user.role, user.department)
            self.colleagues.setdefault((user.role, user.department), []).append(user.id)
        self._files: dict[str, bytes] = {}
        self._blueprints: dict[int, tuple[int, Blueprint]] = {}
        self.texts = Texts("" if dialect.name == "sqlite" else "+00:00")
        self.midnights = [microseconds(midnight) for midnight in index.midnights]
        self.ordinals = [day.toordinal() for day in index.days]
        self.keys = random.Random(rng.getrandbits(64))
        self.wallet_certificate = TableWriter("certificate", dialect).encode

    def counter(self, name: str) -> int:
        value = self.counters.get(name, 0) + 1
        self.counters[name] = value
        self.touched.add(name)
        return value

    def compile(self, templates: list[Template]) -> list[Shape]:
        """Compile every template; their shapes, in the order clones name them, are the renderer's."""

        def colleagues(user_id: int) -> list[int]:
            return self.colleagues[self.staff[user_id]]

        shapes = []
        for t in templates:
            blueprint = Compiler(t, self.catalog, self.dialect_name, colleagues).compile()
            self._blueprints[t.case_index] = len(shapes), blueprint
            shapes.append(blueprint.shape)
        return shapes

    # --- one clone ------------------------------------------------------------------

    def clone(self, t: Template, move: Move, holder: Holder, wallet: dict, rows: dict[str, list]) -> tuple[int, list]:
        """What varies in a clone of `t`: its shape's number and the values to fill it with (render.py).

        Certificates the applicant lacks from the template's wallet are added to `rows`.
        """
        shape, bp = self._blueprints[t.case_index]
        shift, jitter, days = move.shift, microseconds(move.jitter), move.days
        strings = self._strings(t, bp, holder, move)
        get, texts, day, midnights, ordinals = strings.get, self.texts, self.texts.day, self.midnights, self.ordinals
        moved = [midnights[w + shift] + delta + jitter for w, delta in bp.params["moment"]]
        moment_texts = [texts.moment(moment) for moment in moved]
        dates = [day(ordinals[w + shift] + offset) for w, offset in bp.params["date"]]
        first = {table: self.ids[table].take(n) for table, n in bp.counts.items()}
        choice = self.rng.choice
        varying = [
            *[first[table] + offset for table, offset in bp.params["id"]],
            *[stored for stored, _ in moment_texts],
            *[moment_texts[i][1] for i in bp.params["event_moment"]],
            *dates,
            *[f'"{dates[i]}"' for i in bp.params["date_json"]],
            *[choice(colleagues) for colleagues in bp.params["staff"]],
            *[get(old, old) for old in bp.keys["text"]],
            *[encode_basestring_ascii(get(old, old)) for old in bp.keys["text_json"]],
            *[encode_basestring(get(old, old)) for old in bp.keys["text_canon"]],
            *[f'"{day(ordinal + days)}"' for ordinal in bp.params["shifted_json"]],
            *self._clone_values(t, bp, holder, wallet, strings, move, rows),
        ]
        if bp.params["payload"]:
            moved_day = self._day(t, shift)
            varying += [
                (canonical_json if canonical else stored_json)(self._payload(value, strings, moved_day))
                for value, canonical in bp.params["payload"]
            ]
        return shape, varying

    def _strings(self, t: Template, bp: Blueprint, holder: Holder, move: Move) -> dict[str, str]:
        """Old strings to new: people, keys, the public number, tracking and certificate numbers."""
        strings = self._people_map(t, holder, move)
        strings.update(zip(bp.old_keys, self._new_keys(len(bp.old_keys)), strict=True))
        old = t.app
        if old["number"]:
            submitted = self._moment(t, old["submitted_at"] or old["created_at"], move)
            stamp = f"{to_china(submitted):%Y%m%d}"
            strings[old["number"]] = f"ZJ-{stamp}-{self.counter(f'number-{stamp}'):06d}"
        for row in t.tables["task"]:
            if row["tracking_number"]:
                strings[row["tracking_number"]] = row["tracking_number"][:-10] + self.pools.digits(10)
        day = self._day(t, move.shift)
        for cert in t.tables["certificate"]:
            strings[cert["number"]] = self._number(cert["number"], day(cert["issued_on"]))
        return strings

    def _clone_values(
        self, t: Template, bp: Blueprint, holder: Holder, wallet: dict, strings: dict, move: Move, rows: dict[str, list]
    ) -> list:
        """The slots of one clone's own: applicant, pre-filled fields, wallet certificates, uploaded files."""
        own = {"applicant": holder.user_id}
        for cert_id, cert in t.wallet.items():
            held = wallet.get(cert["cert_type"])
            if held is None:  # the applicant lacks it: it was issued to them too, shifted like the case
                issued = cert["issued_on"] + timedelta(days=move.days)
                held = next(self.ids["certificate"]), self._number(cert["number"], issued)
                rows["certificate"].append(
                    self.wallet_certificate(
                        {
                            **cert,
                            "id": held[0],
                            "key": self._new_keys(1)[0],
                            "owner_id": holder.user_id,
                            "number": held[1],
                            "data": {k: _data_value(v, strings, move) for k, v in cert["data"].items()},
                            "issued_on": issued,
                            "application_id": None,
                        }
                    )
                )
            own[("wallet_id", cert_id)], own[("wallet_number", cert_id)] = held
        if bp.prefills:
            prefilled = self._prefilled(bp, holder)
            for key, _ in bp.prefills:
                value = prefilled.get(key) or _data_value(t.app["form_data"][key], strings, move)
                own[("form", key)] = encode_basestring_ascii(value) if isinstance(value, str) else json.dumps(value)
        for key, storage_name in bp.uploads:  # still replaceable by the applicant: a file of its own
            own[key] = self.store.save(self._file(storage_name)).storage_name
        return [own[key] for key in bp.keys["clone"]]

    def _new_keys(self, how_many: int) -> list[str]:
        """Keys as services.models.new_key makes them (16 URL-safe characters), drawn in one go."""
        drawn = base64.urlsafe_b64encode(self.keys.randbytes(12 * how_many)).decode()
        return [drawn[start : start + 16] for start in range(0, 16 * how_many, 16)]

    def _moment(self, t: Template, value: datetime, move: Move) -> datetime:
        return move_moment(t.moments[value], self.index, move.shift) + move.jitter

    def _day(self, t: Template, shift: int):
        def day(value: date) -> date:
            return move_date(t.dates[value], self.index, shift) if value in t.dates else value

        return day

    def _payload(self, value, strings: dict[str, str], day, key=None):
        """A payload as a clone has it, worked out in full (for the few keyed by what a clone replaces)."""
        if isinstance(value, str):
            if value in strings:
                return strings[value]
            if key in WORKFLOW_PAYLOAD_DATES and ISO_DATE.match(value):
                return day(date.fromisoformat(value)).isoformat()
            return value
        if isinstance(value, list):
            return [self._payload(item, strings, day) for item in value]
        if isinstance(value, dict):
            return {strings.get(k, k): self._payload(v, strings, day, k) for k, v in value.items()}
        return value

    # --- identities -----------------------------------------------------------------

    def _people_map(self, t: Template, holder: Holder, move: Move) -> dict[str, str]:
        """Old strings to new: the applicant's own, and the other people the case speaks of."""
        old = t.holder
        pairs = [(old.name, holder.name), (old.mobile, holder.mobile), (old.address, holder.address)]
        if old.kind == "citizen":
            pairs.append((old.person.id_number, holder.person.id_number))
        else:
            pairs += [(old.credit_code, holder.credit_code), (old.person.name, holder.person.name)]
        strings = {before: after for before, after in pairs if before and after}
        people = {"applicant": holder.person, "buyer": holder.person, "legal_representative": holder.person}
        if holder.spouse is not None:
            people["spouse"] = holder.spouse
        for role, (name, id_number) in t.roles.items():
            if role in ORGANISATIONS:
                if name and name != old.name:
                    strings[name] = self.pools.company_name()
                continue
            person = people.get(role)
            if person is None:
                person = self._other(role, name, id_number, holder, people, move)
                people[role] = person
            if name:
                strings.setdefault(name, person.name)
            if id_number:
                strings.setdefault(id_number, person.id_number)
        for number in sorted(t.newborn_ids):  # a set: its order would differ from run to run
            if number not in strings:
                gender, born = _identity(number)
                strings[number] = self._id_number(number[:6], born + timedelta(days=move.days), gender)
        return strings

    def _other(
        self, role: str, name: str | None, id_number: str | None, holder: Holder, people: dict, move: Move
    ) -> Person:
        if role in ("mother", "father"):
            wanted = "female" if role == "mother" else "male"
            spouse = people.get("spouse") or self._partner(holder, people)
            return holder.person if holder.person.gender == wanted else spouse
        if role == "spouse":
            return self._partner(holder, people)
        gender, born = _identity(id_number) if id_number else (self.rng.choice(("male", "female")), date(1980, 1, 1))
        surname = None
        if role == "child":
            born += timedelta(days=move.days)
            father = people.get("father") or (
                holder.person
                if holder.person.gender == "male"
                else people.get("spouse") or self._partner(holder, people)
            )
            surname = father.surname
        new_name = self.pools.name(gender, surname)
        new_id = self._id_number(self.rng.choice(ZJ_REGIONS)[0], born, gender) if id_number else ""
        return Person(new_name, gender, born, new_id)

    def _partner(self, holder: Holder, people: dict) -> Person:
        if "spouse" not in people:
            other = "female" if holder.person.gender == "male" else "male"
            born = holder.person.birth_date + timedelta(days=self.rng.randint(-1500, 1500))
            people["spouse"] = Person(
                self.pools.name(other), other, born, self._id_number(self.rng.choice(ZJ_REGIONS)[0], born, other)
            )
        return people["spouse"]

    def _id_number(self, region: str, born: date, gender: str) -> str:
        """Numbered like the public security bureau does: a running order per region and birth date."""
        order = self.counter(f"id-{region}-{born:%Y%m%d}") % 500 * 2 + (1 if gender == "male" else 0)
        first17 = f"{region}{born:%Y%m%d}{order:03d}"
        return first17 + id_number_check_char(first17)

    def _prefilled(self, bp: Blueprint, holder: Holder) -> dict[str, str]:
        """Fields the form fills from the applicant's profile and wallet take the new applicant's values."""
        values = {}
        attributes = {
            "full_name": holder.name,
            "company_name": holder.name,
            "id_number": holder.id_number,
            "credit_code": holder.credit_code,
            "mobile": holder.mobile,
            "address": holder.address,
        }
        for key, prefill in bp.prefills:
            source, _, path = prefill.partition(".")
            if source == "profile" and attributes.get(path):
                values[key] = attributes[path]
            elif source == "wallet":
                fact = path.partition(".")[2]
                if fact == "birth_date":
                    values[key] = holder.person.birth_date.isoformat()
                elif fact in holder.facts:
                    values[key] = holder.facts[fact]
        return values

    def _number(self, number: str, issued: date) -> str:
        engine_made = ENGINE_NUMBER.match(number)
        if engine_made:
            department = engine_made.group(1)
            return f"{department}-{issued.year}-{self.counter(f'certificate-{department}-{issued.year}'):06d}"
        return f"{number.split('-')[0]}-{issued.year}-{self.people.next_serial():07d}"

    def _file(self, storage_name: str) -> bytes:
        if storage_name not in self._files:
            self._files[storage_name] = self.store.path(storage_name).read_bytes()
        return self._files[storage_name]
