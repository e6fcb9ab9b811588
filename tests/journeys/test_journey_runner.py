"""The journey runner: invalid files stop first, failures name their step, reports, the clock, the transports.

Over-HTTP tests (`-k over_http`) start gunicorn with two workers; browser tests carry the `browser` mark.
"""

import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app import create_app
from journeys.cli import LiveServer, journeys_cli
from journeys.clients import UrlClient
from journeys.clock import ClockStore
from journeys.in_process import InProcess
from journeys.loader import JourneyInvalid, load_journey, read_journey
from journeys.reports import failure_text, render_html, write_html
from journeys.runner import FAILED, SKIPPED, run_journey
from journeys.targets import BrowserTarget, GunicornServer, HttpTarget
from journeys.testing import register_testing
from journeys.transport import SystemApi
from services import clock
from services.db import create_schema
from tests.browser import test_browser

ROOT = Path(__file__).resolve().parents[2]
LIBRARY = ROOT / "seed_data" / "journeys"
SHORT_JOURNEYS = [
    "double_submit",
    "instant_item_same_day",
    "refused_at_front_desk",
    "visit_beyond_promise",
    "withdrawal",
    "wrong_department_clerk",
]

# Every path of an enterprise request (企呼我应) and of a dispute (最多跑一地): each replays over HTTP,
# the first of each in Chromium too.
REQUEST_JOURNEYS = [
    "request_solved_first_answer",
    "request_reopened_once",
    "request_escalated_when_late",
    "request_common_problem",
]
DISPUTE_JOURNEYS = [
    "dispute_agreement_confirmed",
    "dispute_no_agreement_arbitration",
    "dispute_escalated_to_county",
    "dispute_other_party_never_answers",
]
OFFER_JOURNEYS = [  # the first is replayed in Chromium too: the shortest
    "benefit_firm_job_stabilisation",
    "benefit_newborn_childcare_paid",
    "benefit_withdrawn_no_longer_eligible",
    "benefit_budget_exhausted_wait_in_order",
    "benefit_amount_disputed_review",
]

HEAD = """name: A small journey
purpose: Submit and check.
seed: 5
start: 2026-03-02 09:00
actors:
  driver: {role: citizen, wallet: [id_card, driving_licence]}
  desk: {role: front_desk}
steps:
  - as: driver
    apply: {service: 330100-TRANSPORT-003}
  - as: driver
    submit:
"""


@pytest.fixture(scope="module")
def in_process(tmp_path_factory):
    target = InProcess(tmp_path_factory.mktemp("runner"))
    yield target
    target.close()


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- invalid journeys stop before running -------------------------------------------------------

INVALID = [
    ("unknown_actor", HEAD + "  - as: drivr\n    withdraw:\n", 13, "unknown actor 'drivr' (did you mean 'driver'?)"),
    ("unknown_verb", HEAD + "  - as: desk\n    acept:\n", 14, "unknown step 'acept' (did you mean 'accept'?)"),
    (
        "unknown_service",
        HEAD.replace("330100-TRANSPORT-003", "330100-TRANSPORT-030"),
        10,
        "unknown service '330100-TRANSPORT-030'",
    ),
    (
        "unknown_expectation",
        HEAD + "  - expect:\n      stauts: submitted\n",
        14,
        "unknown expectation 'stauts' (did you mean 'status'?)",
    ),
    (
        "unknown_task",
        HEAD + "  - expect:\n      tasks: {330100-PSB-001: ready}\n",
        14,
        "330100-TRANSPORT-003 has no item '330100-PSB-001'",
    ),
    ("wrong_role", HEAD + "  - as: driver\n    accept:\n", 13, "'driver' is a citizen; 'accept' is done by front desk"),
    (
        "bad_option",
        HEAD + "  - as: driver\n    resubmit: {fields: {qualification_category: pilot}}\n",
        14,
        "qualification_category: 'pilot' is not one of",
    ),
    (
        "not_yet_applied",
        HEAD.replace("  - as: driver\n    apply: {service: 330100-TRANSPORT-003}\n", ""),
        9,
        "there is no application yet",
    ),
    ("schema_type", HEAD.replace("seed: 5", "seed: five"), 3, "seed: 'five' is not of type 'integer'"),
    ("bad_yaml", HEAD + "  - as: [driver\n", 14, "not valid YAML"),
    ("not_a_day", HEAD + "  - advance: {to: 2026-02-30 09:00}\n", 13, "to: '2026-02-30 09:00' is not a real date"),
    (
        "bad_department",
        HEAD.replace("desk: {role: front_desk}", "desk: {role: clerk, department: HEALTHY}"),
        7,
        "unknown department 'HEALTHY' (did you mean 'HEALTH'?)",
    ),
    (
        "bad_pattern",
        HEAD + "  - as: driver\n    expect_refused:\n      withdraw:\n      message: '(unclosed'\n",
        16,
        "message is not a valid pattern",
    ),
]


@pytest.mark.parametrize(("name", "text", "line", "reason"), INVALID, ids=[case[0] for case in INVALID])
def test_an_invalid_journey_names_file_line_and_reason(tmp_path, catalog, name, text, line, reason):
    path = write(tmp_path, f"{name}.yaml", text)
    with pytest.raises(JourneyInvalid) as raised:
        load_journey(path, catalog)
    assert f"{path}:{line}: {reason}" in str(raised.value)


def test_every_problem_of_a_file_is_listed_at_once(tmp_path, catalog):
    text = HEAD.replace("330100-TRANSPORT-003", "NOPE") + "  - as: nobody\n    submit:\n  - expect: {colour: purple}\n"
    with pytest.raises(JourneyInvalid) as raised:
        read_journey(text, "many.yaml", catalog)
    lines = [line for line, _ in raised.value.problems]
    assert lines == [15]  # the schema stops first: purple is no colour
    fixed = text.replace("purple", "green")
    with pytest.raises(JourneyInvalid) as raised:
        read_journey(fixed, "many.yaml", catalog)
    assert [line for line, _ in raised.value.problems] == [10, 13]


# --- a failing step names itself ---------------------------------------------------------------------


def test_a_wrong_expectation_fails_naming_step_line_expected_and_actual(tmp_path, catalog, in_process):
    path = write(
        tmp_path,
        "wrong.yaml",
        HEAD + "  - expect:\n      status: completed\n      visits: 0\n  - as: desk\n    accept:\n",
    )
    result = run_journey(load_journey(path, catalog), in_process, catalog)
    assert not result.passed
    step = result.failed_step
    assert (step.index, step.line, step.status) == (3, 13, FAILED)
    assert [(c.name, c.expected, c.actual, c.ok) for c in step.checks] == [
        ("status", "completed", "submitted", False),
        ("visits", 0, 0, True),
    ]
    assert result.steps[-1].status == SKIPPED  # nothing runs after a failure
    text = failure_text(result)
    assert f"FAILED {path}:13 step 3: expect status, visits" in text
    assert "status: expected 'completed', got 'submitted'" in text


def test_a_step_the_server_refuses_fails_with_its_words(tmp_path, catalog, in_process):
    path = write(tmp_path, "refused.yaml", HEAD + "  - as: driver\n    withdraw:\n  - as: desk\n    accept:\n")
    step = run_journey(load_journey(path, catalog), in_process, catalog).failed_step
    assert step.line == 15
    assert "refused: " in step.message and "cannot accept an application that is withdrawn" in step.message


def test_an_expected_refusal_that_goes_through_fails(tmp_path, catalog, in_process):
    path = write(
        tmp_path,
        "through.yaml",
        HEAD + "  - as: desk\n    expect_refused:\n      accept:\n      message: not allowed\n",
    )
    step = run_journey(load_journey(path, catalog), in_process, catalog).failed_step
    assert step.line == 13 and "expected a refusal matching /not allowed/, but it went through" in step.message


def test_the_same_file_gives_the_same_data(tmp_path, catalog, in_process):
    journey = load_journey(LIBRARY / "spring_festival_deadline.yaml", catalog)
    seen = []
    for _ in range(2):
        result = run_journey(journey, in_process, catalog)
        assert result.passed
        seen.append([(step.title, step.message) for step in result.steps])
    assert seen[0] == seen[1]
    # The same people, numbers and keys: the application's URL is drawn from the seed too.
    assert "ZJ-20260213-000001" in str(seen[0]) and "→ /applications/" in str(seen[0])


# --- reports and the command line ----------------------------------------------------------------------


@pytest.fixture
def cli(app):
    app.cli.add_command(journeys_cli)
    return app.test_cli_runner()


def test_run_writes_junit_and_html_and_exits_1_on_a_failure(tmp_path, cli):
    good = LIBRARY / "instant_item_same_day.yaml"
    bad = write(tmp_path, "bad.yaml", HEAD + "  - expect: {status: completed}\n")
    junit, report = tmp_path / "out" / "junit.xml", tmp_path / "out" / "report.html"
    result = cli.invoke(args=["journeys", "run", str(good), str(bad), "--junit", str(junit), "--html", str(report)])
    assert result.exit_code == 1, result.output
    assert "✓ instant_item_same_day.yaml" in result.output and "✗ bad.yaml" in result.output
    assert f"FAILED {bad}:13 step 3" in result.output and "1 passed, 1 failed" in result.output
    suite = ET.parse(junit).getroot().find("testsuite")
    assert (suite.get("tests"), suite.get("failures")) == ("2", "1")
    failure = suite.find("testcase[@name='A small journey']/failure")
    assert failure.get("message").startswith(f"{bad}:13 step 3") and "expected 'completed'" in failure.text
    page = report.read_text(encoding="utf-8")
    assert "<style>" in page and "<link" not in page and "<script" not in page  # one file, works offline
    assert "A small journey" in page and "An instant item is decided at acceptance" in page
    assert "&#x27;completed&#x27;" in page and "bad.yaml:13" in page


def test_an_invalid_file_stops_the_run_before_anything_runs(tmp_path, cli):
    bad = write(tmp_path, "bad.yaml", HEAD + "  - as: nobody\n    submit:\n")
    result = cli.invoke(args=["journeys", "run", str(LIBRARY / "double_submit.yaml"), str(bad)])
    assert result.exit_code == 2
    assert f"{bad}:13: unknown actor 'nobody'" in result.output
    assert "✓" not in result.output and "passed" not in result.output


def test_check_validates_the_library(cli):
    result = cli.invoke(args=["journeys", "check", str(LIBRARY)])
    assert result.exit_code == 0 and "journeys ok" in result.output


# --- the virtual clock exists in test mode only -------------------------------------------------------


def make_app(tmp_path, env: str, clock_file: Path):
    tmp_path.mkdir(parents=True, exist_ok=True)
    app = create_app(
        {
            "APP_ENV": env,
            "SECRET_KEY": "clock-test-key-long-enough-for-production",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}",
            "UPLOAD_FOLDER": str(tmp_path / "up"),
            "VIRTUAL_CLOCK_FILE": str(clock_file),
        }
    )
    create_schema(app.extensions["engine"])
    return app


@pytest.mark.parametrize("env", ["production", "development"])
def test_outside_test_mode_there_is_no_clock_endpoint(tmp_path, env):
    previous = clock.current_clock()
    clock.use_clock(clock.SystemClock())
    try:
        # Even a moment left in the clock file moves nothing outside test mode.
        ClockStore(tmp_path / "clock").write(datetime(2030, 1, 1, tzinfo=UTC))
        app = make_app(tmp_path, env, tmp_path / "clock")
        register_testing(app)
        assert "testing" not in app.blueprints and isinstance(clock.current_clock(), clock.SystemClock)
        client = app.test_client()
        for path in ("/_test/clock", "/_test/reset", "/_test/applications/x"):
            assert client.post(path, json={"to": "2031-01-01T00:00:00+08:00"}).status_code == 404
            assert client.get(path).status_code == 404
        with app.test_request_context("/"):
            app.preprocess_request()
            assert abs((clock.now() - datetime.now(UTC)).total_seconds()) < 5
        app.extensions["engine"].dispose()
    finally:
        clock.use_clock(previous)


def test_test_mode_apps_sharing_a_clock_file_tell_the_same_time(tmp_path):
    previous = clock.current_clock()
    shared = tmp_path / "shared-clock"
    first, second = (make_app(tmp_path / name, "test", shared) for name in ("a", "b"))
    try:
        for app in (first, second):
            register_testing(app)
        moved = first.test_client().post("/_test/clock", json={"to": "2026-02-13T09:00:00+08:00"}).get_json()
        assert moved["china"] == "2026-02-13T09:00:00+08:00"
        assert second.test_client().get("/_test/clock").get_json()["china"] == "2026-02-13T09:00:00+08:00"
        advanced = second.test_client().post("/_test/clock", json={"working_days": 3}).get_json()
        assert advanced["china"] == "2026-02-25T09:00:00+08:00"  # Spring Festival 2026 in between
        assert first.test_client().get("/_test/clock").get_json()["china"] == "2026-02-25T09:00:00+08:00"
        assert first.test_client().post("/_test/clock", json={"days": "x"}).status_code == 400
        # Between requests the process keeps the system time.
        assert abs((clock.now() - datetime.now(UTC)).total_seconds()) < 5
    finally:
        clock.use_clock(previous)
        for app in (first, second):
            app.extensions["engine"].dispose()


# --- over HTTP, against gunicorn with two workers ------------------------------------------------------


@pytest.fixture(scope="module")
def gunicorn_url(tmp_path_factory):
    server = GunicornServer(tmp_path_factory.mktemp("gunicorn"), workers=2)
    yield server.url
    server.close()


def replay_all(names: list[str], target, catalog) -> list[str]:
    """Several journeys on one server, one after the other (each wipes the server's data first)."""
    results = [run_journey(load_journey(LIBRARY / f"{name}.yaml", catalog), target, catalog) for name in names]
    return [failure_text(result) for result in results if not result.passed]


def test_over_http_gunicorn_workers_share_the_clock_and_five_journeys_pass(gunicorn_url, catalog):
    """One server for both, so the suite starts gunicorn once."""
    system = SystemApi(UrlClient(gunicorn_url).call)
    system.set_clock("2026-02-13T09:00:00+08:00")

    def ask(_):
        return system.call("GET", "/clock")

    answers = []
    with ThreadPoolExecutor(8) as pool:
        while len({answer["worker"] for answer in answers}) < 2 and len(answers) < 400:
            answers += list(pool.map(ask, range(16)))
    assert len({answer["worker"] for answer in answers}) == 2
    assert {answer["china"] for answer in answers} == {"2026-02-13T09:00:00+08:00"}
    system.advance(days=1)
    with ThreadPoolExecutor(8) as pool:
        assert {answer["china"] for answer in pool.map(ask, range(32))} == {"2026-02-14T09:00:00+08:00"}
    assert replay_all(SHORT_JOURNEYS[:5], HttpTarget(gunicorn_url), catalog) == []


def test_over_http_every_enterprise_request_journey_passes(gunicorn_url, catalog):
    assert replay_all(REQUEST_JOURNEYS, HttpTarget(gunicorn_url), catalog) == []


def test_over_http_every_dispute_journey_passes(gunicorn_url, catalog):
    assert replay_all(DISPUTE_JOURNEYS, HttpTarget(gunicorn_url), catalog) == []


def test_over_http_every_benefit_offer_journey_passes(gunicorn_url, catalog):
    assert replay_all(OFFER_JOURNEYS, HttpTarget(gunicorn_url), catalog) == []


# --- in Chromium -------------------------------------------------------------------------------------------

browser_type_launch_args = test_browser.browser_type_launch_args


@pytest.fixture(scope="module")
def live_url():
    server = LiveServer()
    yield server.url
    server.close()


@pytest.mark.browser
def test_in_a_browser_five_journeys_pass(live_url, browser, catalog):
    assert replay_all(SHORT_JOURNEYS[1:], BrowserTarget(live_url, browser=browser), catalog) == []


def sent_behind_the_page(name: str, target, catalog) -> list[str]:
    """Replay one journey; the steps that went through without a control the page offered (none, when all is well)."""
    journey = load_journey(LIBRARY / f"{name}.yaml", catalog)
    result = run_journey(journey, target, catalog)
    assert result.passed, failure_text(result)
    refused = {step.line for step in journey.steps if step.kind == "refused"}
    return [step.title for step in result.steps if "offers no" in step.message and step.line not in refused]


@pytest.mark.browser
def test_in_a_browser_a_firm_raises_a_request_the_departments_answer_and_it_is_solved(live_url, browser, catalog):
    assert sent_behind_the_page(REQUEST_JOURNEYS[0], BrowserTarget(live_url, browser=browser), catalog) == []


@pytest.mark.browser
def test_in_a_browser_a_resident_files_a_dispute_and_the_agreement_is_confirmed(live_url, browser, catalog):
    assert sent_behind_the_page(DISPUTE_JOURNEYS[0], BrowserTarget(live_url, browser=browser), catalog) == []


@pytest.mark.browser
def test_in_a_browser_a_firm_accepts_the_refund_it_did_not_apply_for_and_is_paid(live_url, browser, catalog):
    assert sent_behind_the_page(OFFER_JOURNEYS[0], BrowserTarget(live_url, browser=browser), catalog) == []


@pytest.mark.browser
def test_in_a_browser_a_failed_step_keeps_its_screenshot(live_url, browser, catalog, tmp_path):
    path = write(tmp_path, "seen.yaml", HEAD + "  - expect: {sees: Something the page never says}\n")
    result = run_journey(load_journey(path, catalog), BrowserTarget(live_url, browser=browser), catalog)
    step = result.failed_step
    assert step.line == 13 and step.screenshot.startswith(b"\x89PNG")
    assert "Submitted" in step.checks[0].actual
    write_html([result], tmp_path / "report.html")
    assert 'src="data:image/png;base64,' in (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "data:image/png" not in render_html(
        [run_journey(load_journey(path, catalog), HttpTarget(live_url), catalog)]
    )
