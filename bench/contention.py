"""Do writers on different cases wait on each other? Approvals by 1, 2 and 4 processes on PostgreSQL, sampled.

Separate processes (no shared interpreter lock) approve disjoint claimed tasks, each of a case
of its own, through the services. Meanwhile a sampler reads pg_stat_activity every few
milliseconds for the workers' backends (told apart by their application_name): a backend in a
transaction (state active, or idle in transaction while Python builds the next statement) is
inside an approval; one whose wait_event_type is Lock is waiting for a lock another transaction
holds (a row: transactionid or tuple; or a whole relation). No two approvals here touch the same
case, so every such wait is on a row shared with another case's transaction: the old audit head
row, a counter, anything. The share is Lock samples over in-transaction samples; the wait events
seen are named. Sampling costs the machine a little CPU, the same for every process count.

For comparison, `measure_cpu` runs a route that touches no database (hello world through the
test client) in the same 1, 2 and 4 separate processes: where it too gives fewer requests/s at 4
than at 2, the drop is the machine's (its CPUs), not the app's.
"""

import multiprocessing
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import select

from services.casework import tasks
from services.catalog import default_catalog
from services.db import make_engine, new_session
from services.models import Task, User

NAME = "bench-contention"  # the workers' application_name
EVERY = 0.005  # seconds between samples


@dataclass(frozen=True)
class Share:
    processes: int
    approvals: int
    seconds: float  # wall time of the whole run
    in_transaction: int  # samples of a worker's backend inside an approval
    waiting: int  # of those, samples waiting for a lock another transaction holds
    waits: dict[str, int] = field(default_factory=dict)  # what they waited on (wait_event), by samples
    cpu: float = 0.0  # CPU seconds the worker processes spent, all together

    @property
    def cpu_share(self) -> float:
        """How many CPUs the workers kept busy on average: below `processes`, they waited for a CPU (or the disk)."""
        return self.cpu / self.seconds

    @property
    def per_second(self) -> float:
        return self.approvals / self.seconds

    @property
    def wait_share(self) -> float:
        return self.waiting / self.in_transaction if self.in_transaction else 0.0


def _approve_all(database_url: str, clerk_id: int, keys: list[str], start, results) -> None:
    # In the URL, so the connections the number blocks claim on (services/workflow/numbers.py) carry it too.
    named = make_url(database_url).update_query_dict({"application_name": NAME})
    engine = make_engine(named.render_as_string(hide_password=False))
    catalog = default_catalog()
    start.wait()
    began = time.process_time()
    for key in keys:
        with new_session(engine) as session:
            tasks.approve_task(session=session, actor=session.get(User, clerk_id), key=key, catalog=catalog)
    spent = time.process_time() - began
    engine.dispose()
    results.put((len(keys), spent))


def _hello_all(database_url: str, requests: int, start, results) -> None:
    from app import create_app
    from bench.routes import add_bench_routes

    client = add_bench_routes(create_app({"DATABASE_URL": database_url, "SECRET_KEY": "cpu-only"})).test_client()
    for _ in range(20):  # warm, not counted
        client.get("/bench/hello")
    start.wait()
    began = time.process_time()
    for _ in range(requests):
        client.get("/bench/hello")
    results.put((requests, time.process_time() - began))


def measure_cpu(database_url: str, requests: int, processes: int) -> Share:
    """`requests` GETs of the hello route (no database), split over `processes` processes."""
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(processes + 1)
    results = context.Queue()
    workers = [
        context.Process(target=_hello_all, args=(database_url, requests // processes, start, results))
        for _ in range(processes)
    ]
    for worker in workers:
        worker.start()
    start.wait()
    began = time.perf_counter()
    outcomes = [results.get(timeout=600) for _ in workers]
    seconds = time.perf_counter() - began
    for worker in workers:
        worker.join(timeout=60)
    return Share(processes, sum(n for n, _ in outcomes), seconds, 0, 0, {}, sum(cpu for _, cpu in outcomes))


class _Sampler(threading.Thread):
    def __init__(self, database_url: str):
        super().__init__(daemon=True)
        self.engine = create_engine(database_url, isolation_level="AUTOCOMMIT")
        self.stop = threading.Event()
        self.in_transaction = 0
        self.waiting = 0
        self.waits: Counter[str] = Counter()

    def run(self) -> None:
        query = text(
            "SELECT wait_event_type, wait_event FROM pg_stat_activity "
            "WHERE application_name = :name AND state IN ('active', 'idle in transaction')"
        )
        with self.engine.connect() as connection:
            while not self.stop.is_set():
                for wait_type, wait_event in connection.execute(query, {"name": NAME}):
                    self.in_transaction += 1
                    if wait_type == "Lock":
                        self.waiting += 1
                        self.waits[wait_event] += 1
                time.sleep(EVERY)
        self.engine.dispose()


def measure(database_url: str, clerk_id: int, task_ids: list[int], processes: int) -> Share:
    """Approve `task_ids` (claimed by `clerk_id`) split over `processes` processes, sampling their waits."""
    engine = make_engine(database_url)
    with new_session(engine) as session:
        keys = list(session.exec(select(Task.key).where(Task.id.in_(task_ids)).order_by(Task.id)))
    engine.dispose()
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(processes + 1)
    results = context.Queue()
    workers = [
        context.Process(target=_approve_all, args=(database_url, clerk_id, keys[n::processes], start, results))
        for n in range(processes)
    ]
    for worker in workers:
        worker.start()
    sampler = _Sampler(database_url)
    sampler.start()
    start.wait()
    began = time.perf_counter()
    outcomes = [results.get(timeout=600) for _ in workers]
    seconds = time.perf_counter() - began
    sampler.stop.set()
    sampler.join(timeout=60)
    for worker in workers:
        worker.join(timeout=60)
    return Share(
        processes,
        sum(n for n, _ in outcomes),
        seconds,
        sampler.in_transaction,
        sampler.waiting,
        dict(sampler.waits),
        sum(cpu for _, cpu in outcomes),
    )
