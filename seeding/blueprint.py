"""A template case compiled once, so that each clone is a list of values and a few selections of it.

Most of a clone is its template's: statuses, item codes, reasons, materials. What changes
(ids, keys, public numbers, people, staff, moments and dates) goes into one list of values
per clone, in slots laid out here by kind after the template's constants (already encoded
for the driver). Each row is then a fixed selection of that list, and each JSON document
(forms, certificate data, payloads, the text an audit event's hash is taken of) a format
string rendered once with a %s where a slot goes, so a clone neither copies dicts nor
encodes JSON. The rules are those a clone always followed, decided here once per template:
the strings it replaces (people, keys, numbers), moments and workflow dates moved by working
days, dates inside forms and certificates by calendar days. The cloner (cloner.py) fills
the slots, the renderer (render.py) the rows.
"""

import json
import re
from datetime import date, datetime, timedelta
from itertools import count
from types import SimpleNamespace

from seeding.render import Shape
from seeding.rows import CHAINED, MODELS, column_encoder, columns_of
from seeding.templates import ISO_DATE, ORGANISATIONS, STAFF_COLUMNS, WORKFLOW_PAYLOAD_DATES, Template
from seeding.texts import microseconds
from services.audit import digest_fields, digest_text
from services.catalog import Catalog

# Kinds of slots, in the order a clone's list holds them after the constants: the cloner's up to "payload",
# then the renderer's (render.py).
VARYING = (
    "id",
    "moment",
    "event_moment",
    "date",
    "date_json",
    "staff",
    "text",
    "text_json",
    "text_canon",
    "shifted_json",
    "clone",
    "payload",
    "chain",
    "json",
)
# The case's own rows, cloned one for one (wallet certificates are the cloner's: a clone's applicant may hold them).
CASE_TABLES = (
    "application",
    "certificate",
    "attachment",
    "task",
    "notice",
    "visit",
    "extensionrequest",
    "rating",
    "rectification",
)
KEYED = ("task", "notice", "attachment", "certificate", "rectification", "extensionrequest")
EDITABLE = ("draft", "needs_correction")
_MARKER = re.compile(r'"\\u001e(\d+)\\u001e"')
_serials = count()


class Ref:
    """A place in a clone's list of values; inside JSON it renders as a marker that becomes a %s."""

    __slots__ = ("kind", "index", "serial")

    def __init__(self, kind: str, index: int):
        self.kind, self.index, self.serial = kind, index, next(_serials)

    def __str__(self) -> str:
        return f"\x1e{self.serial}\x1e"


def stored_json(value) -> str:
    """JSON as the column type writes it (json.dumps with its defaults)."""
    return json.dumps(value, default=str)


class Layout:
    """The slots of one template: constants first, then each kind's slots in the order they were asked for."""

    def __init__(self):
        self.constants: list = []
        self.keys: dict[str, dict] = {kind: {} for kind in VARYING}
        self.params: dict[str, list] = {kind: [] for kind in VARYING}
        self._refs: dict[int, Ref] = {}
        self._offsets: dict[str, int] = {}

    def constant(self, value) -> Ref:
        self.constants.append(value)
        return Ref("constant", len(self.constants) - 1)

    def slot(self, kind: str, key, param=None) -> Ref:
        slots = self.keys[kind]
        if key not in slots:
            slots[key] = len(slots)
            self.params[kind].append(param)
        ref = Ref(kind, slots[key])
        self._refs[ref.serial] = ref
        return ref

    def render(self, value, dumps) -> tuple[str, list[Ref]]:
        """`value` as JSON text with a %s where each slot goes (and every literal % doubled)."""
        text = dumps(value).replace("%", "%%")
        return _MARKER.sub("%s", text), [self._refs[int(serial)] for serial in _MARKER.findall(text)]

    def finish(self) -> None:
        offset = len(self.constants)
        for kind in VARYING:
            self._offsets[kind] = offset
            offset += len(self.keys[kind])

    def position(self, ref: Ref) -> int:
        return ref.index if ref.kind == "constant" else self._offsets[ref.kind] + ref.index

    def positions(self, refs: list[Ref]) -> tuple[int, ...]:
        return tuple(self.position(ref) for ref in refs)


class Blueprint:
    """What cloning one template takes: the slots the cloner fills, and the shape the renderer fills in."""

    def __init__(self, template: Template, compiler: "Compiler", rows: list, events: list):
        layout = compiler.layout
        self.params = layout.params
        self.keys = layout.keys
        chain = {name: layout.position(Ref("chain", index)) for name, index in layout.keys["chain"].items()}
        case_id = layout.position(Ref("id", layout.keys["id"][("application", template.app["id"])]))
        self.shape = Shape(
            constants=tuple(layout.constants),
            json=tuple((text, layout.positions(refs)) for text, refs in compiler.json_formats),
            rows=tuple((table, layout.positions(refs)) for table, refs in rows),
            events=tuple((text, layout.positions(digest), layout.positions(row)) for text, digest, row in events),
            case_id_at=case_id,
            chain_at=(chain["name"], chain["name_json"], chain["prev"], chain["tip"]),
        )
        self.counts = {table: len(template.tables.get(table, ())) for table in CASE_TABLES}
        self.counts["application"] = 1
        self.prefills = compiler.prefills
        self.old_keys = [row["key"] for table in KEYED for row in template.tables.get(table, ())] + [
            template.app["key"]
        ]
        self.uploads = [
            (key, storage_name)
            for key, storage_name in zip(layout.keys["clone"], layout.params["clone"], strict=True)
            if isinstance(key, tuple) and key[0] == "storage"
        ]


def substitutable(t: Template) -> frozenset[str]:
    """Every string of the template a clone may replace (the cloner's strings map decides which it does)."""
    old = t.holder
    found = {old.name, old.mobile, old.address, t.app["key"], t.app["number"]}
    found |= {old.person.id_number} if old.kind == "citizen" else {old.credit_code, old.person.name}
    for role, (name, id_number) in t.roles.items():
        found |= {name} if role in ORGANISATIONS else {name, id_number}
    found |= t.newborn_ids
    for table in KEYED:
        found |= {row["key"] for row in t.tables.get(table, ())}
    found |= {row["tracking_number"] for row in t.tables["task"]}
    found |= {row["number"] for row in t.tables["certificate"]}
    return frozenset(value for value in found if value)


def _keys_among(value, strings: frozenset[str]) -> bool:
    """Whether a dict inside `value` is keyed by one of `strings`."""
    if isinstance(value, dict):
        return bool(strings.intersection(value)) or any(_keys_among(v, strings) for v in value.values())
    if isinstance(value, list):
        return any(_keys_among(v, strings) for v in value)
    return False


class Compiler:
    def __init__(self, t: Template, catalog: Catalog, dialect_name: str, colleagues):
        self.t = t
        self.dialect_name = dialect_name
        self.colleagues = colleagues  # old staff id -> the ids a clone may give their work to
        self.layout = Layout()
        self.strings = substitutable(t)
        self.json_formats: list = []
        for table in CASE_TABLES:
            for offset, row in enumerate([t.app] if table == "application" else t.tables.get(table, ())):
                self.layout.slot("id", (table, row["id"]), (table, offset))
        # The clone's own chain: its name (as the column holds it, and as JSON), the previous
        # event's hash while the renderer walks it, and the last hash, which the case row keeps.
        for name in ("name", "name_json", "prev", "tip"):
            self.layout.slot("chain", name)
        self.applicant = self.layout.slot("clone", "applicant")
        self.prefills = [
            (spec.key, spec.prefill)
            for spec in catalog.service(t.service_code).fields
            if spec.key in t.app["form_data"] and spec.prefill
        ]

    # --- values: a Ref where a clone has its own, else the template's value ----------------

    def id_of(self, table: str, old_id: int | None) -> Ref | None:
        return self.layout.slot("id", (table, old_id)) if (table, old_id) in self.layout.keys["id"] else None

    def moment(self, value: datetime) -> Ref:
        w, e, offset = self.t.moments[value]
        return self.layout.slot("moment", value, (w, microseconds(timedelta(days=e) + offset)))

    def date(self, value: date):
        if value not in self.t.dates:
            return value
        return self.layout.slot("date", value, self.t.dates[value])

    def date_json(self, value: date):
        moved = self.date(value)
        return self.layout.slot("date_json", value, moved.index) if isinstance(moved, Ref) else value.isoformat()

    def staff(self, old_id: int | None) -> Ref | None:
        return None if old_id is None else self.layout.slot("staff", old_id, self.colleagues(old_id))

    def text(self, value, kind: str = "text"):
        return self.layout.slot(kind, value) if isinstance(value, str) and value in self.strings else value

    def json(self, value) -> Ref:
        self.json_formats.append(self.layout.render(value, stored_json))
        return self.layout.slot("json", len(self.json_formats) - 1)

    def data(self, values: dict) -> dict:
        """Form and certificate data: replaced strings, and ISO dates moved by the clone's calendar days."""
        out = {}
        for key, value in values.items():
            if isinstance(value, str) and value not in self.strings and ISO_DATE.match(value):
                out[key] = self.layout.slot("shifted_json", value, date.fromisoformat(value).toordinal())
            else:
                out[key] = self.text(value, "text_json")
        return out

    def payload(self, value, kind: str, key=None):
        """An audit payload with the strings a clone replaces and the workflow dates it moves as slots."""
        if isinstance(value, str):
            if value in self.strings:
                return self.layout.slot(kind, value)
            if key in WORKFLOW_PAYLOAD_DATES and ISO_DATE.match(value):
                return self.date_json(date.fromisoformat(value))
            return value
        if isinstance(value, list):
            return [self.payload(item, kind) for item in value]
        if isinstance(value, dict):
            return {k: self.payload(v, kind, k) for k, v in value.items()}
        return value

    # --- rows -----------------------------------------------------------------------

    def row(self, table: str, old: dict, special: dict, names=None) -> list[Ref]:
        columns = MODELS[table].__table__.columns
        refs = []
        for name in names or columns_of(table):
            value = old[name]
            if name in special:
                value = special[name]
            elif name == "id":
                value = self.id_of(table, value)
            elif name == "key":
                value = self.text(value)
            elif name == "application_id":
                value = self.id_of("application", value)
            elif name in STAFF_COLUMNS:
                value = self.staff(value)
            elif isinstance(value, datetime):
                value = self.moment(value)
            elif isinstance(value, date):
                value = self.date(value)
            if not isinstance(value, Ref):
                encoder = column_encoder(columns[name], self.dialect_name)
                value = self.layout.constant(encoder(value) if encoder and value is not None else value)
            refs.append(value)
        return refs

    def compile(self) -> Blueprint:
        t, layout = self.t, self.layout
        applicant = self.applicant
        rows = []
        form = self.data(t.app["form_data"])
        for key, _ in self.prefills:
            form[key] = layout.slot("clone", ("form", key))
        rows.append(
            (
                "application",
                self.row(
                    "application",
                    t.app,
                    {
                        "number": self.text(t.app["number"]),
                        "applicant_id": applicant,
                        "form_data": self.json(form),
                        "audit_tip": layout.slot("chain", "tip"),
                    },
                ),
            )
        )
        for cert in t.tables["certificate"]:
            rows.append(
                (
                    "certificate",
                    self.row(
                        "certificate",
                        cert,
                        {
                            "owner_id": applicant,
                            "number": self.text(cert["number"]),
                            "data": self.json(self.data(cert["data"])),
                            "issued_on": self.date(cert["issued_on"]),
                        },
                    ),
                )
            )
        for row in t.tables["attachment"]:
            special = {}
            if row["certificate_id"] is not None:
                special = {
                    "certificate_id": layout.slot("clone", ("wallet_id", row["certificate_id"])),
                    "filename": layout.slot("clone", ("wallet_number", row["certificate_id"])),
                }
            elif row["storage_name"] and t.app["status"] in EDITABLE:  # still replaceable: a file of its own
                special = {"storage_name": layout.slot("clone", ("storage", row["id"]), row["storage_name"])}
            rows.append(("attachment", self.row("attachment", row, special)))
        for row in t.tables["task"]:
            suspension = dict(row["suspension"])
            if suspension.get("since"):
                suspension["since"] = self.date_json(date.fromisoformat(suspension["since"]))
            rows.append(
                (
                    "task",
                    self.row(
                        "task",
                        row,
                        {
                            "suspension": self.json(suspension),
                            "tracking_number": self.text(row["tracking_number"]),
                            "certificate_id": self.id_of("certificate", row["certificate_id"]),
                        },
                    ),
                )
            )
        for table in ("notice", "visit", "rating"):
            rows += [(table, self.row(table, row, {})) for row in t.tables[table]]
        for row in t.tables["extensionrequest"]:
            rows.append(
                ("extensionrequest", self.row("extensionrequest", row, {"task_id": self.id_of("task", row["task_id"])}))
            )
        for row in t.tables["rectification"]:
            rows.append(
                ("rectification", self.row("rectification", row, {"rating_id": self.id_of("rating", row["rating_id"])}))
            )
        events = [self.event(row) for row in t.events]
        layout.finish()
        return Blueprint(t, self, rows, events)

    def event(self, row: dict) -> tuple:
        """An audit event: its row without the chained columns, and the format of the text its hash is taken of."""
        layout = self.layout
        actor = row["actor_id"]
        actor = self.applicant if actor == self.t.holder.user_id else self.staff(actor)
        payload = row["payload"]
        if _keys_among(payload, self.strings):  # keyed by what a clone replaces: rendered per clone, in both forms
            stored = layout.slot("payload", (row["id"], False), (payload, False))
            canonical = layout.slot("payload", (row["id"], True), (payload, True))
        else:
            stored = self.json(self.payload(payload, "text_json"))
            canonical = self.payload(payload, "text_canon")
        at = self.moment(row["at"])
        special = {
            "at": at,
            "actor_id": actor,
            "application_id": self.id_of("application", row["application_id"]),
            "task_id": self.id_of("task", row["task_id"]),
            "payload": stored,
            "chain": layout.slot("chain", "name"),
        }
        refs = self.row("auditevent", row, special, columns_of("auditevent")[len(CHAINED) :])
        fields = digest_fields(SimpleNamespace(**row))
        fields.update(
            chain=layout.slot("chain", "name_json"),
            at=layout.slot("event_moment", row["at"], at.index),
            actor_id=special["actor_id"],
            application_id=special["application_id"],
            task_id=special["task_id"],
            payload=canonical,
        )
        text, digest_refs = layout.render(fields, lambda value: digest_text(value, layout.slot("chain", "prev")))
        return text, digest_refs, refs
