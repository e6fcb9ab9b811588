"""`audit verify` hashes every event with a fast encoder: it must agree with the canonical text, whatever it holds."""

import hashlib
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from services.audit import digest_fields, digest_text, event_holds
from services.models import AuditEvent

ODD_TEXT = ['引号"与\\反斜杠', "tab\tnew\nline", "\u2028 line separator", "emoji 🎉", "", "\x00\x1f control"]


def _event(**overrides) -> AuditEvent:
    values = dict(
        chain="application:7",
        position=3,
        at=datetime(2026, 2, 13, 9, 30, 5, 120000, tzinfo=timezone(timedelta(hours=8))),
        actor_id=5,
        actor_role="clerk",
        application_id=7,
        task_id=9,
        event="task.approve",
        from_status="claimed",
        to_status="approved",
        reason=None,
        payload={},
        prev_hash="",
        hash="",
    )
    return AuditEvent(**{**values, **overrides})


CASES = [
    {},
    {"actor_id": None, "actor_role": "system", "task_id": None, "from_status": None, "to_status": None},
    {"at": datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC)},
    {"at": datetime(2026, 12, 31, 23, 59, 59)},  # read back without its zone: taken as UTC
    {"payload": {"z": 1, "a": [1, 2.5, True, None, "二"], "nested": {"b": {"a": "x"}}}},
    {"payload": {"big": 1e16, "small": 1e-7, "huge": 2**70, "negative": -0.0}},  # written otherwise by orjson
    {"payload": {"day": date(2026, 2, 13)}},  # not JSON: the canonical form writes str(value)
    *[{"reason": text} for text in ODD_TEXT],
    *[{"payload": {text: text}} for text in ODD_TEXT],
    {"chain": "calendar", "application_id": None, "position": 10**9},
]


@pytest.mark.parametrize("overrides", CASES)
def test_an_event_holds_exactly_when_its_stored_hash_is_that_of_its_canonical_text(overrides):
    prev = "f" * 64
    event = _event(**overrides)
    event.hash = hashlib.sha256(digest_text(digest_fields(event), prev).encode("utf-8")).hexdigest()
    assert event_holds(event, prev)
    assert not event_holds(event, "e" * 64)
    event.reason = (event.reason or "") + "."
    assert not event_holds(event, prev)
