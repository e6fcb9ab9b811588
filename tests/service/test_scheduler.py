"""Scheduled jobs without cron: due on their cadence, one runner at a time, taken over from a dead one."""

import threading
from datetime import timedelta

from services import clock
from services.db import new_session
from services.scheduler import Schedule, claim_job, release_job

EVERY_MINUTE = Schedule("job", every=timedelta(minutes=1), lease=timedelta(minutes=10))


def test_a_job_runs_when_due_and_not_again_within_its_period(session):
    start = clock.now()
    assert claim_job(session=session, schedule=EVERY_MINUTE, holder="a", now=start)
    release_job(session=session, name="job", holder="a")
    half_a_minute_later = start + timedelta(seconds=30)
    assert not claim_job(session=session, schedule=EVERY_MINUTE, holder="b", now=half_a_minute_later)
    assert claim_job(session=session, schedule=EVERY_MINUTE, holder="b", now=start + timedelta(minutes=1))


def test_a_job_still_running_is_not_started_again_even_when_due(session):
    start = clock.now()
    assert claim_job(session=session, schedule=EVERY_MINUTE, holder="a", now=start)
    # "a" is still at it two minutes later (no release): the job is due, but held.
    assert not claim_job(session=session, schedule=EVERY_MINUTE, holder="b", now=start + timedelta(minutes=2))


def test_a_runner_that_died_mid_job_lets_go_when_its_lease_ends(session):
    start = clock.now()
    assert claim_job(session=session, schedule=EVERY_MINUTE, holder="dead", now=start)
    assert claim_job(session=session, schedule=EVERY_MINUTE, holder="b", now=start + timedelta(minutes=11))


def test_releasing_someone_elses_job_does_nothing(session):
    start = clock.now()
    assert claim_job(session=session, schedule=EVERY_MINUTE, holder="a", now=start)
    release_job(session=session, name="job", holder="b")
    assert not claim_job(session=session, schedule=EVERY_MINUTE, holder="b", now=start + timedelta(minutes=2))


def test_of_runners_asking_at_the_same_moment_exactly_one_gets_the_job(engine):
    moment = clock.now()
    runners = 6
    barrier = threading.Barrier(runners)
    won = []

    def runner(name):
        with new_session(engine) as own:
            barrier.wait()
            if claim_job(session=own, schedule=EVERY_MINUTE, holder=name, now=moment):
                won.append(name)

    threads = [threading.Thread(target=runner, args=(f"r{n}",)) for n in range(runners)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(won) == 1
