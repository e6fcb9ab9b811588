"""The fault run's figures: how long the service was down, and which fault an error is blamed on."""

from bench.fault_clients import DeskLog, Outcome, ProbeLog, SubmitterLog
from bench.faults_report import FaultRun


def test_an_outage_lasts_from_its_first_failed_probe_to_the_next_answer():
    probe = ProbeLog([(0.0, True), (0.25, False), (0.5, False), (0.75, True), (1.0, True), (1.5, False)])
    assert probe.outages() == [(0.25, 0.5), (1.5, 0.0)]
    assert ProbeLog([(0.0, True), (0.1, True)]).outages() == []


def run_with(outcomes: list[Outcome], answers: list[tuple[float, int]]) -> FaultRun:
    log = SubmitterLog("330106199003071234", outcomes)
    return FaultRun(
        seconds=60,
        applications=10,
        stop_mode="immediate",
        machine=[],
        load_before=(0, 0, 0),
        load_after=(0, 0, 0),
        logs=[log],
        desk=DeskLog(),
        probe=ProbeLog(),
        wrk_output="",
        kill_at=20.0,
        victim=1,
        replaced_after=0.1,
        restart_at=40.0,
        restart_seconds=2.0,
        missing={},
        broken={},
        landed_anyway=0,
        chain_ok=True,
        chain_said="audit chain ok: 1 events",
        argv=[],
        server_answers=answers,
    )


def test_an_error_is_blamed_on_the_latest_fault_before_it_within_15_seconds():
    run = run_with(
        [
            Outcome("a", 21.0, None),
            Outcome("b", 41.0, 500),
            Outcome("c", 10.0, 500),
            Outcome("d", 36.0, 500),
            Outcome("e", 42.0, 302, redirected=True),
        ],
        [(40.5, 500, 2579), (41.0, 200, 9000), (42.0, 500, 0), (59.0, 502, 0)],
    )
    assert run.errors_by_fault() == {
        "after the worker kill": {"submits not answered": 1},
        "after the PostgreSQL restart": {
            "submits answered HTTP 500": 1,
            "HTTP 500 in the server's log (the app's error page)": 1,
            "HTTP 500 in the server's log (gunicorn's bare page, the app's failed too)": 1,
        },
        "at other times": {
            "submits answered HTTP 500": 2,
            "HTTP 502 in the server's log (gunicorn's bare page, the app's failed too)": 1,
        },
    }
    assert run.redirects == 1
