"""The dispute's transition tables on their own: no database, no Flask."""

import pytest

from services.models import DisputeStatus as D
from services.models import DisputeTaskStatus as T
from services.workflow.disputes.actors import ACTORS, COUNTERPARTY, INTAKE, JUDGE, MEDIATOR
from services.workflow.disputes.table import DISPUTE, DISPUTE_TASK
from services.workflow.table import APPLICANT, CLERK, STAY, SYSTEM

MACHINES = (DISPUTE, DISPUTE_TASK)

# The rules as a person would tell them, each with the answer they would expect (None: it may happen).
EXAMPLES = [
    (DISPUTE, D.FILED, "register", {INTAKE}, None),
    (DISPUTE, D.FILED, "decline", {INTAKE}, None),
    (DISPUTE, D.IN_MEDIATION, "answer", {COUNTERPARTY}, None),
    (DISPUTE, D.IN_MEDIATION, "escalate", {INTAKE}, None),
    (DISPUTE, D.IN_MEDIATION, "consent_extension", {APPLICANT}, None),
    (DISPUTE, D.IN_MEDIATION, "consent_extension", {COUNTERPARTY}, None),
    (DISPUTE, D.FILED, "withdraw", {APPLICANT}, None),
    (DISPUTE, D.AGREED, "request_confirmation", {COUNTERPARTY}, None),
    (DISPUTE, D.RESOLVED, "report_honoured", {APPLICANT}, None),
    (DISPUTE, D.FILED, "register", {APPLICANT}, "only centre intake may register this dispute"),
    (DISPUTE, D.IN_MEDIATION, "answer", {APPLICANT}, "only counterparty may answer this dispute"),
    (DISPUTE, D.FILED, "answer", {COUNTERPARTY}, "cannot answer a dispute that is filed"),
    (DISPUTE, D.IN_MEDIATION, "withdraw", {COUNTERPARTY}, "only applicant may withdraw this dispute"),
    (DISPUTE, D.AGREED, "withdraw", {APPLICANT}, "cannot withdraw a dispute that is agreed"),
    (DISPUTE, D.IN_MEDIATION, "agree", {INTAKE}, "only system may agree this dispute"),
    (
        DISPUTE,
        D.REFERRED,
        "request_confirmation",
        {APPLICANT},
        "cannot request confirmation a dispute that is referred",
    ),
    (
        DISPUTE,
        D.IN_MEDIATION,
        "consent_extension",
        {INTAKE},
        "only applicant or counterparty may consent extension this dispute",
    ),
    (DISPUTE_TASK, T.READY, "claim", {CLERK}, None),
    (DISPUTE_TASK, T.CLAIMED, "schedule_session", {MEDIATOR}, None),
    (DISPUTE_TASK, T.CLAIMED, "record_agreement", {MEDIATOR}, None),
    (DISPUTE_TASK, T.CLAIMED, "confirm_agreement", {JUDGE}, None),
    (DISPUTE_TASK, T.CLAIMED, "record_agreement", {JUDGE}, "only mediator may record agreement this dispute_task"),
    (DISPUTE_TASK, T.CLAIMED, "confirm_agreement", {MEDIATOR}, "only judge may confirm agreement this dispute_task"),
    (DISPUTE_TASK, T.READY, "schedule_session", {MEDIATOR}, "cannot schedule session a dispute's task that is ready"),
    (DISPUTE_TASK, T.AGREED, "cancel", {SYSTEM}, "cannot cancel a dispute's task that is agreed"),
]


@pytest.mark.parametrize(
    ("machine", "status", "event", "relations", "expected"),
    EXAMPLES,
    ids=[f"{m.name}-{s}-{e}-{'+'.join(sorted(r))}" for m, s, e, r, _ in EXAMPLES],
)
def test_a_move_is_allowed_or_refused_with_the_reason_in_words(machine, status, event, relations, expected):
    assert machine.refusal(status, event, frozenset(relations)) == expected


@pytest.mark.parametrize("machine", MACHINES, ids=lambda m: m.name)
def test_rows_name_known_actors(machine):
    for row in machine.transitions:
        assert row.who and row.who <= set(ACTORS), row.event


def test_only_the_system_moves_a_dispute_to_its_outcome_from_what_its_tasks_decide():
    for event in ("agree", "refer", "confirm", "confirmation_refused"):
        assert DISPUTE.find(event).who == {SYSTEM}


def test_an_extension_needs_a_party_and_a_mediator_only_proposes_it():
    assert DISPUTE.find("consent_extension").who == {APPLICANT, COUNTERPARTY}
    assert DISPUTE_TASK.find("propose_extension").target is STAY


def test_buttons_follow_state_and_relation():
    assert DISPUTE.allowed(D.FILED, frozenset({INTAKE})) == ["register", "decline", "record_visit"]
    assert DISPUTE.allowed(D.IN_MEDIATION, frozenset({COUNTERPARTY})) == [
        "answer",
        "consent_extension",
        "refuse_extension",
        "supplement",
    ]
    # Before registration only the party who filed completes the file; the other is not in it yet.
    assert "supplement_filing" in DISPUTE.allowed(D.FILED, frozenset({APPLICANT}))
    assert DISPUTE.allowed(D.FILED, frozenset({COUNTERPARTY})) == []
    assert DISPUTE_TASK.allowed(T.CLAIMED, frozenset({CLERK, MEDIATOR})) == [
        "release",
        "schedule_session",
        "propose_extension",
        "record_agreement",
        "record_no_agreement",
    ]
    assert DISPUTE_TASK.allowed(T.CLAIMED, frozenset({CLERK, JUDGE})) == [
        "release",
        "confirm_agreement",
        "refuse_confirmation",
    ]


def test_each_machine_records_under_its_own_prefix():
    assert DISPUTE.audit_event("register") == "dispute.register"
    assert DISPUTE_TASK.audit_event("claim") == "dispute_task.claim"
