"""The names the application pages give their inputs and paths: the form renders them, the journeys send them.

One home, so the web layer and the journey harness (which may not import web) cannot drift apart.
"""

from services.applications.sections import sections_of

FIELD_PREFIX = "f_"
MATERIAL_PREFIX = "m_"


def field_name(key: str) -> str:
    return f"{FIELD_PREFIX}{key}"


def material_name(key: str) -> str:
    return f"{MATERIAL_PREFIX}{key}"


def material_key(name: str) -> str | None:
    """The material an upload input stands for, or None when the name is not a material's."""
    return name.removeprefix(MATERIAL_PREFIX) if name.startswith(MATERIAL_PREFIX) else None


def supplement_prefix(material_key: str) -> str:
    """The prefix of the form that hands in one owed material; it keeps ids unique on the detail page."""
    return f"supplement_{material_key}"


def supplement_file_name(material_key: str) -> str:
    # WTForms joins a form's prefix and a field's name with "-".
    return f"{supplement_prefix(material_key)}-file"


def step_paths(key: str, service) -> list[str]:
    """The pages an application is filled in on: one edit page for a single item, a page per step of a bundle."""
    sections = sections_of(service)
    if len(sections) == 1:
        return [f"/applications/{key}/edit"]
    return [f"/applications/{key}/steps/{section.name}" for section in sections]


def check_path(key: str) -> str:
    """The check-answers page, whose form is the only one that submits."""
    return f"/applications/{key}/check"
