"""Every string a user can see has a Chinese translation with the same placeholders."""

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "translations" / "zh" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def _catalog():
    with PO.open("rb") as handle:
        return read_po(handle)


def test_every_entry_is_translated_with_the_same_placeholders():
    problems = []
    for message in _catalog():
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(" ".join(ids)))
        if not all(strings) or any(set(PLACEHOLDER.findall(s)) != wanted for s in strings):
            problems.append(ids[0])
    assert problems == []


def test_the_catalogue_holds_every_string_in_the_sources(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "--no-location",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "N_",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as handle:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    assert len(wanted) > 100
    have = {m.id if isinstance(m.id, str) else m.id[0] for m in _catalog() if m.id}
    assert sorted(wanted - have) == [], "run `make messages` and translate the new entries"
