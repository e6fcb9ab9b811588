"""State diagrams drawn from the transition table, so the docs show exactly what the engine runs."""

from services.workflow.case_types import machines
from services.workflow.table import ACTORS, Machine

HEADER = """# Workflow

Generated from the transition tables of every kind of case (registered in
`services/workflow/case_types.py`) by `flask --app app workflow diagram`; do not edit
by hand. A test fails when this file and the tables disagree, so run the command again
after changing a table.

Each edge reads "event (who may fire it)". A loop records an action without
changing the status. `[*]` marks where a case starts and the states it ends in.
"""


def _who(who: frozenset[str]) -> str:
    # The actors every kind shares in their usual order, then a kind's own (the office that triages…).
    order = sorted(who, key=lambda actor: (ACTORS.index(actor) if actor in ACTORS else len(ACTORS), actor))
    return ", ".join(actor.replace("_", " ") for actor in order)


def mermaid(machine: Machine) -> str:
    """A Mermaid stateDiagram-v2 of one machine: every row from every source state."""
    order = {state: index for index, state in enumerate(machine.states)}
    lines = ["stateDiagram-v2", f"    [*] --> {machine.initial}"]
    for row in machine.transitions:
        for source in sorted(row.source, key=order.__getitem__):
            lines.append(f"    {source} --> {row.target_from(source)} : {row.event} ({_who(row.who)})")
    lines.extend(f"    {state} --> [*]" for state in machine.states if state in machine.final)
    return "\n".join(lines) + "\n"


def workflow_markdown() -> str:
    """docs/workflow.md: every kind of case's machines (the case's, then its tasks') as Mermaid blocks."""
    sections = [HEADER]
    for machine in machines():
        title = machine.name.replace("_", " ").capitalize()
        sections.append(f"## {title}\n\n```mermaid\n{mermaid(machine)}```\n")
    return "\n".join(sections)
