"""Every status and every event the transition tables know is shown in Chinese and English, never as its code."""

import re

import pytest
from babel.messages.pofile import read_po

from services.workflow import table
from services.workflow.case_types import machines
from tests.unit.test_translations import PO
from web.messages import event_label

MACHINES = machines()
HAN = re.compile(r"[\u4e00-\u9fff]")


def _chinese() -> dict[str, str]:
    with PO.open("rb") as handle:
        return {message.id: message.string for message in read_po(handle) if message.id}


def _texts(machine: table.Machine) -> dict[str, str]:
    """English text by what it names: each status, and each event as the audit trail records it."""
    statuses = dict(machine.state_labels)
    events = {
        machine.audit_event(row.event): event_label(machine.audit_event(row.event)) for row in machine.transitions
    }
    return statuses | events


def test_the_tables_of_every_kind_of_case_are_read():
    names = [machine.name for machine in MACHINES]
    assert {"application", "task"} <= set(names) and len(names) == len(set(names))


@pytest.mark.parametrize("machine", MACHINES, ids=lambda machine: machine.name)
def test_every_status_and_event_has_english_and_chinese_text(machine):
    chinese = _chinese()
    unlabelled = {
        code: text
        for code, text in _texts(machine).items()
        if not text or text == code or not HAN.search(chinese.get(text, ""))
    }
    assert unlabelled == {}
