"""Every status and every event the transition tables know is shown in Chinese and English, never as its code."""

import re

import pytest
from babel.messages.pofile import read_po

from services.workflow import table
from tests.unit.test_translations import PO
from web.messages import event_label, status_label, task_status_label

MACHINES = [value for value in vars(table).values() if isinstance(value, table.Machine)]
HAN = re.compile(r"[\u4e00-\u9fff]")
STATUS_LABEL_OF = {"application": status_label, "task": task_status_label}


def _chinese() -> dict[str, str]:
    with PO.open("rb") as handle:
        return {message.id: message.string for message in read_po(handle) if message.id}


def _texts(machine: table.Machine) -> dict[str, str]:
    """English text by what it names: each status, and each event as the audit trail records it."""
    statuses = {status: STATUS_LABEL_OF[machine.name](status) for status in machine.states}
    events = {
        machine.audit_event(row.event): event_label(machine.audit_event(row.event)) for row in machine.transitions
    }
    return statuses | events


def test_both_transition_tables_are_read():
    assert sorted(machine.name for machine in MACHINES) == ["application", "task"]


@pytest.mark.parametrize("machine", MACHINES, ids=lambda machine: machine.name)
def test_every_status_and_event_has_english_and_chinese_text(machine):
    chinese = _chinese()
    unlabelled = {
        code: text
        for code, text in _texts(machine).items()
        if not text or text == code or not HAN.search(chinese.get(text, ""))
    }
    assert unlabelled == {}
