"""`journeys run -n N`: the in-process target in N worker processes, sharing out the journeys.

Each worker builds its app, templates and engine once (an InProcess of its own, under its own
folder) and replays whichever journey is next, the longest first; the results come back in
file order, so the console and the reports read as a one-process run does. A journey's world depends only on its
file and seed, never on which worker replays it or after what.
"""

import multiprocessing
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from journeys.in_process import InProcess
from journeys.model import Journey
from journeys.runner import JourneyResult, run_journey
from services.catalog import Catalog

# The worker's own, set once by _start_worker: a process replays one journey at a time.
_worker: dict = {}


def _start_worker(root: Path, catalog: Catalog) -> None:
    _worker["target"] = InProcess(root / f"worker-{os.getpid()}")
    _worker["catalog"] = catalog


def _replay(journey: Journey) -> JourneyResult:
    return run_journey(journey, _worker["target"], _worker["catalog"])


def run_journeys_in_workers(
    journeys: Iterable[Journey],
    catalog: Catalog,
    workers: int,
    on_result: Callable[[JourneyResult], None] | None = None,
) -> list[JourneyResult]:
    """Every journey replayed in-process by one of `workers` processes; results in the given order."""
    journeys = list(journeys)
    root = Path(tempfile.mkdtemp(prefix="journeys-workers-"))
    # Forked, a worker starts with every module the parent imported: it builds its app and nothing more.
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_start_worker,
        initargs=(root, catalog),
    )
    results = []
    try:
        # One journey per task, the longest (most steps) first: the run does not end waiting on one long journey.
        longest_first = sorted(range(len(journeys)), key=lambda index: -len(journeys[index].steps))
        futures = {index: pool.submit(_replay, journeys[index]) for index in longest_first}
        for index, journey in enumerate(journeys):
            result = futures[index].result()
            result.journey = journey  # the caller's own object, not the copy that came back
            results.append(result)
            if on_result:
                on_result(result)
    finally:
        pool.shutdown(cancel_futures=True)
        shutil.rmtree(root, ignore_errors=True)
    return results
