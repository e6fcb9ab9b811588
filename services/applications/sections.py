"""The steps an application form is split into, derived from the catalogue's field keys and types.

A field key starting with a person's role (child_, mother_, spouse_… as the certificate types name
them) belongs to the step about that person; contact details (phone, address, applicant_…) go with
the delivery choice in the last step; any other field stays with the field listed before it. The
materials are a step of their own. A single item is one step: its form is short.
"""

from dataclasses import dataclass

from services.catalog.model import FieldSpec, MaterialSpec
from services.i18n import N_
from services.requirements.precheck import Gap

ANSWERS = "answers"
MATERIALS = "materials"
CONTACT = "contact"
DETAILS = "details"

# Role prefix -> (step, its title). Mother and father share a step: one couple, one step.
PEOPLE = {
    "child": ("child", N_("About the child")),
    "mother": ("parents", N_("About the parents")),
    "father": ("parents", N_("About the parents")),
    "spouse": ("spouse", N_("About your spouse")),
    "deceased": ("deceased", N_("About the deceased")),
    "employee": ("employee", N_("About the employee")),
    "seller": ("parties", N_("About the seller and the buyer")),
    "buyer": ("parties", N_("About the seller and the buyer")),
}
TITLES = {
    ANSWERS: N_("Your answers"),
    DETAILS: N_("Details"),
    MATERIALS: N_("Materials"),
    CONTACT: N_("Contact details and delivery"),
}
CONTACT_TYPES = frozenset({"phone", "address"})

NOT_STARTED = "not_started"
IN_PROGRESS = "in_progress"
COMPLETED = "completed"


@dataclass(frozen=True)
class Section:
    name: str
    title: str  # a message id, translated where shown
    fields: tuple[FieldSpec, ...] = ()
    materials: tuple[MaterialSpec, ...] = ()
    delivery: bool = False

    def holds(self, gap: Gap) -> bool:
        keys = {spec.key for spec in (self.fields if gap.kind == "field" else self.materials)}
        return gap.key in keys


def sections_of(service) -> tuple[Section, ...]:
    if not service.is_bundle:
        return (Section(ANSWERS, TITLES[ANSWERS], service.fields, service.materials, delivery=True),)
    groups: dict[str, list[FieldSpec]] = {}
    titles: dict[str, str] = {}
    contact: list[FieldSpec] = []
    previous = DETAILS
    for spec in service.fields:
        role = spec.key.partition("_")[0]
        if spec.type in CONTACT_TYPES or role == "applicant":
            contact.append(spec)
            continue
        name, title = PEOPLE.get(role, (previous, TITLES.get(previous, "")))
        if name == DETAILS:
            title = TITLES[DETAILS]
        groups.setdefault(name, []).append(spec)
        titles.setdefault(name, title)
        previous = name
    sections = [Section(name, titles[name], tuple(specs)) for name, specs in groups.items()]
    if service.materials:
        sections.append(Section(MATERIALS, TITLES[MATERIALS], materials=service.materials))
    sections.append(Section(CONTACT, TITLES[CONTACT], tuple(contact), delivery=True))
    return tuple(sections)


def whole_form(service) -> Section:
    """Every answer and material at once: what a post of the whole form (autosave, a script) saves."""
    sections = sections_of(service)
    if len(sections) == 1:
        return sections[0]
    return Section("all", TITLES[ANSWERS], service.fields, service.materials, delivery=True)


def section_named(service, name: str) -> Section | None:
    return next((section for section in sections_of(service) if section.name == name), None)


def section_of_gap(sections: tuple[Section, ...], gap: Gap) -> Section:
    return next((section for section in sections if section.holds(gap)), sections[0])


def section_status(section: Section, form_data: dict, attached: set[str], gaps: list[Gap]) -> str:
    """Not started (nothing in it yet), in progress (something missing or wrong), or completed."""
    started = any(form_data.get(spec.key) for spec in section.fields) or any(
        spec.key in attached for spec in section.materials
    )
    wanting = any(gap.blocking and section.holds(gap) for gap in gaps)
    if not wanting and (started or not (section.fields or section.materials) or not _asks_anything(section)):
        return COMPLETED
    return IN_PROGRESS if started else NOT_STARTED


def _asks_anything(section: Section) -> bool:
    """A step of optional answers only (or a delivery choice) is complete as it stands."""
    return any(spec.required for spec in section.fields) or any(spec.required for spec in section.materials)
