"""One clone of a template case: new ids, keys, numbers, applicant, people and staff, moved in time."""
import random
import re
from datetime import date, datetime, timedelta
from itertools import count

from sqlalchemy import func, select
from sqlmodel import Session

from services.catalog import Catalog
from services.clock import to_china
from services.fakes import ZJ_REGIONS
from services.identity import id_number_birth_date, id_number_check_char, id_number_gender
from services.models import Counter, Role, User, new_key
from services.seed.people import People
from services.seed.pools import Person, Pools
from services.seed.rows import MODELS
from services.seed.templates import (
    ISO_DATE,
    ORGANISATIONS,
    WORKFLOW_PAYLOAD_DATES,
    Move,
    Template,
    WorkdayIndex,
    move_date,
    move_moment,
)
from services.seed.timeline import Timeline
from services.seed.values import Holder

ENGINE_NUMBER = re.compile(r"^([A-Z]+)-(\d{4})-(\d{6,})$")
EDITABLE = ("draft", "needs_correction")


class _Row(dict):
    """A row as a dict whose columns read as attributes, which is all event_digest asks of an event."""

    __getattr__ = dict.__getitem__


class Cloner:
    def __init__(self, *, session: Session, catalog: Catalog, timeline: Timeline, index: WorkdayIndex, pools: Pools,
                 people: People, rng: random.Random, store):
        self.session = session
        self.catalog = catalog
        self.timeline = timeline
        self.index = index
        self.pools = pools
        self.people = people
        self.rng = rng
        self.store = store
        self.ids = {name: count((session.execute(select(func.max(model.id))).scalar() or 0) + 1)
                    for name, model in MODELS.items()}
        self.counters = dict(session.execute(select(Counter.name, Counter.value)).all())
        self.touched: set[str] = set()
        self.staff = {}
        self.colleagues: dict[tuple[str, str | None], list[int]] = {}
        for user in session.execute(select(User.id, User.role, User.department)
                                    .where(User.role.in_(Role.STAFF)).order_by(User.id)):
            self.staff[user.id] = (user.role, user.department)
            self.colleagues.setdefault((user.role, user.department), []).append(user.id)
        self._files: dict[str, bytes] = {}

    def counter(self, name: str) -> int:
        value = self.counters.get(name, 0) + 1
        self.counters[name] = value
        self.touched.add(name)
        return value

    # --- one clone ------------------------------------------------------------------

    def clone(self, t: Template, move: Move, holder: Holder, wallet: dict, rows: dict[str, list]) -> list[_Row]:
        rng, index = self.rng, self.index
        shift = move.shift

        moved: dict = {None: None}

        def moment(value: datetime | None) -> datetime | None:
            if value not in moved:
                moved[value] = move_moment(t.moments[value], index, shift) + move.jitter
            return moved[value]

        def day(value: date | None) -> date | None:
            if value not in moved:
                moved[value] = move_date(t.dates[value], index, shift) if value in t.dates else value
            return moved[value]

        def staff(user_id: int | None) -> int | None:
            if user_id is None:
                return None
            return staff_map.setdefault(user_id, rng.choice(self.colleagues[self.staff[user_id]]))

        staff_map: dict[int, int] = {}
        strings = self._people_map(t, holder, move)
        ids = {table: {} for table in MODELS}
        for table in ("task", "notice", "attachment", "certificate", "rating", "rectification", "extensionrequest"):
            for row in t.tables.get(table, ()):
                ids[table][row["id"]] = next(self.ids[table])
                if "key" in row:
                    strings[row["key"]] = new_key()
        app_id = next(self.ids["application"])
        old = t.app
        if old["number"]:
            submitted = moment(old["submitted_at"]) or moment(old["created_at"])
            stamp = f"{to_china(submitted):%Y%m%d}"
            strings[old["number"]] = f"ZJ-{stamp}-{self.counter(f'number-{stamp}'):06d}"
        for row in t.tables["task"]:
            if row["tracking_number"]:
                strings[row["tracking_number"]] = row["tracking_number"][:-10] + self.pools.digits(10)

        def text(value):
            return strings.get(value, value) if isinstance(value, str) else value

        def data(values: dict) -> dict:
            out = {}
            for key, value in values.items():
                if isinstance(value, str) and value not in strings and ISO_DATE.match(value):
                    value = (date.fromisoformat(value) + timedelta(days=move.days)).isoformat()
                out[key] = text(value)
            return out

        certificates = {}
        for cert in t.tables["certificate"]:
            issued = day(cert["issued_on"])
            new_number = self._number(cert["number"], issued)
            strings[cert["number"]] = new_number
            certificates[cert["id"]] = (cert, issued, new_number)
        for cert, issued, new_number in certificates.values():
            rows["certificate"].append({**cert, "id": ids["certificate"][cert["id"]], "key": strings[cert["key"]],
                                        "owner_id": holder.user_id, "number": new_number, "data": data(cert["data"]),
                                        "issued_on": issued, "application_id": app_id})
        wallet_ids = {}
        for cert_id, cert in t.wallet.items():
            own = wallet.get(cert["cert_type"])
            if own is not None:
                wallet_ids[cert_id] = own
                continue
            issued = cert["issued_on"] + timedelta(days=move.days)
            new_id, new_number = next(self.ids["certificate"]), self._number(cert["number"], issued)
            rows["certificate"].append({**cert, "id": new_id, "key": new_key(), "owner_id": holder.user_id,
                                        "number": new_number, "data": data(cert["data"]), "issued_on": issued,
                                        "application_id": None})
            wallet_ids[cert_id] = (new_id, new_number)
        form = data(old["form_data"])
        form.update(self._prefilled(t, holder))
        rows["application"].append({**old, "id": app_id, "key": new_key(), "number": text(old["number"]),
                                    "applicant_id": holder.user_id, "form_data": form,
                                    "created_at": moment(old["created_at"]), "updated_at": moment(old["updated_at"]),
                                    "submitted_at": moment(old["submitted_at"]),
                                    "accepted_at": moment(old["accepted_at"]), "accepted_on": day(old["accepted_on"]),
                                    "deadline": day(old["deadline"]), "closed_at": moment(old["closed_at"])})
        editable = old["status"] in EDITABLE
        for row in t.tables["attachment"]:
            certificate_id, filename, storage = row["certificate_id"], row["filename"], row["storage_name"]
            if certificate_id is not None:
                certificate_id, filename = wallet_ids[certificate_id]
            elif storage and editable:  # the applicant may still replace it: a file of its own
                storage = self.store.save(self._file(storage)).storage_name
            rows["attachment"].append({**row, "id": ids["attachment"][row["id"]], "key": strings[row["key"]],
                                       "application_id": app_id, "certificate_id": certificate_id,
                                       "filename": filename, "storage_name": storage,
                                       "created_at": moment(row["created_at"])})
        for row in t.tables["task"]:
            suspension = dict(row["suspension"])
            if suspension.get("since"):
                suspension["since"] = day(date.fromisoformat(suspension["since"])).isoformat()
            certificate_id = row["certificate_id"]
            rows["task"].append({**row, "id": ids["task"][row["id"]], "key": strings[row["key"]],
                                 "application_id": app_id, "assignee_id": staff(row["assignee_id"]),
                                 "started_on": day(row["started_on"]), "deadline": day(row["deadline"]),
                                 "paused_since": day(row["paused_since"]), "supplement_due": day(row["supplement_due"]),
                                 "suspension": suspension, "decided_at": moment(row["decided_at"]),
                                 "decided_by_id": staff(row["decided_by_id"]),
                                 "certificate_id": ids["certificate"].get(certificate_id),
                                 "tracking_number": text(row["tracking_number"]),
                                 "delivered_at": moment(row["delivered_at"]), "created_at": moment(row["created_at"]),
                                 "updated_at": moment(row["updated_at"])})
        for row in t.tables["notice"]:
            rows["notice"].append({**row, "id": ids["notice"][row["id"]], "key": strings[row["key"]],
                                   "application_id": app_id, "issued_by_id": staff(row["issued_by_id"]),
                                   "issued_at": moment(row["issued_at"]), "answered_at": moment(row["answered_at"])})
        for row in t.tables["visit"]:
            rows["visit"].append({**row, "id": next(self.ids["visit"]), "application_id": app_id,
                                  "recorded_by_id": staff(row["recorded_by_id"]), "at": moment(row["at"])})
        for row in t.tables["extensionrequest"]:
            rows["extensionrequest"].append({**row, "id": ids["extensionrequest"][row["id"]],
                                             "key": strings[row["key"]], "task_id": ids["task"][row["task_id"]],
                                             "requested_by_id": staff(row["requested_by_id"]),
                                             "requested_at": moment(row["requested_at"]),
                                             "decided_by_id": staff(row["decided_by_id"]),
                                             "decided_at": moment(row["decided_at"])})
        for row in t.tables["rating"]:
            rows["rating"].append({**row, "id": ids["rating"][row["id"]], "application_id": app_id,
                                   "created_at": moment(row["created_at"])})
        for row in t.tables["rectification"]:
            rows["rectification"].append({**row, "id": ids["rectification"][row["id"]], "key": strings[row["key"]],
                                          "rating_id": ids["rating"][row["rating_id"]], "due": day(row["due"]),
                                          "answered_by_id": staff(row["answered_by_id"]),
                                          "answered_at": moment(row["answered_at"])})

        def payload(value, key=None):
            if isinstance(value, str):
                if value in strings:
                    return strings[value]
                if key in WORKFLOW_PAYLOAD_DATES and ISO_DATE.match(value):
                    return day(date.fromisoformat(value)).isoformat()
                return value
            if isinstance(value, list):
                return [payload(item) for item in value]
            if isinstance(value, dict):
                return {strings.get(k, k): payload(v, k) for k, v in value.items()}
            return value

        events = []
        for row in t.events:
            actor = row["actor_id"]
            if actor == t.holder.user_id:
                actor = holder.user_id
            elif actor is not None:
                actor = staff(actor)
            events.append(_Row({**row, "at": moment(row["at"]), "actor_id": actor, "application_id": app_id,
                                "task_id": ids["task"].get(row["task_id"]), "payload": payload(row["payload"])}))
        return events

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
        for number in t.newborn_ids:
            if number not in strings:
                born = id_number_birth_date(number) + timedelta(days=move.days)
                strings[number] = self._id_number(number[:6], born, id_number_gender(number))
        return strings

    def _other(self, role: str, name: str | None, id_number: str | None, holder: Holder, people: dict,
               move: Move) -> Person:
        if role in ("mother", "father"):
            wanted = "female" if role == "mother" else "male"
            spouse = people.get("spouse") or self._partner(holder, people)
            return holder.person if holder.person.gender == wanted else spouse
        if role == "spouse":
            return self._partner(holder, people)
        gender = id_number_gender(id_number) if id_number else self.rng.choice(("male", "female"))
        born = id_number_birth_date(id_number) if id_number else date(1980, 1, 1)
        surname = None
        if role == "child":
            born += timedelta(days=move.days)
            father = people.get("father") or (holder.person if holder.person.gender == "male" else
                                               people.get("spouse") or self._partner(holder, people))
            surname = father.surname
        new_name = self.pools.name(gender, surname)
        new_id = self._id_number(self.rng.choice(ZJ_REGIONS)[0], born, gender) if id_number else ""
        return Person(new_name, gender, born, new_id)

    def _partner(self, holder: Holder, people: dict) -> Person:
        if "spouse" not in people:
            other = "female" if holder.person.gender == "male" else "male"
            born = holder.person.birth_date + timedelta(days=self.rng.randint(-1500, 1500))
            people["spouse"] = Person(self.pools.name(other), other, born,
                                      self._id_number(self.rng.choice(ZJ_REGIONS)[0], born, other))
        return people["spouse"]

    def _id_number(self, region: str, born: date, gender: str) -> str:
        """Numbered like the public security bureau does: a running order per region and birth date."""
        order = self.counter(f"id-{region}-{born:%Y%m%d}") % 500 * 2 + (1 if gender == "male" else 0)
        first17 = f"{region}{born:%Y%m%d}{order:03d}"
        return first17 + id_number_check_char(first17)

    def _prefilled(self, t: Template, holder: Holder) -> dict[str, str]:
        """Fields the form fills from the applicant's profile and wallet take the new applicant's values."""
        values = {}
        attributes = {"full_name": holder.name, "company_name": holder.name, "id_number": holder.id_number,
                      "credit_code": holder.credit_code, "mobile": holder.mobile, "address": holder.address}
        for spec in self.catalog.service(t.service_code).fields:
            if spec.key not in t.app["form_data"] or not spec.prefill:
                continue
            source, _, path = spec.prefill.partition(".")
            if source == "profile" and attributes.get(path):
                values[spec.key] = attributes[path]
            elif source == "wallet":
                key = path.partition(".")[2]
                if key == "birth_date":
                    values[spec.key] = holder.person.birth_date.isoformat()
                elif key in holder.facts:
                    values[spec.key] = holder.facts[key]
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
