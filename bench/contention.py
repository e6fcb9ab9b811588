"""Is the audit chain's single head row the bottleneck? Approvals by 1 and by several processes, timed.

Every change appends to one hash chain, and `services.audit._claim_next_seq` serialises the
writers on the one `AuditHead` row: from a transaction's first audit event to its commit, no
other transaction can chain. Here separate processes (no shared interpreter lock) approve
disjoint claimed tasks through the services on PostgreSQL. Each times its whole approvals
and, inside them, the head claim (the UPDATE that waits for the row lock). If the head were
the bottleneck, more processes would add little throughput and the time spent waiting for
the head would grow to most of each approval.
"""

import multiprocessing
import time
from dataclasses import dataclass

from sqlmodel import select

from services import audit
from services.casework import tasks
from services.catalog import default_catalog
from services.db import make_engine, new_session
from services.models import Task, User


@dataclass(frozen=True)
class Share:
    processes: int
    approvals: int
    seconds: float  # wall time of the whole run
    head_wait: float  # mean seconds per approval inside the head claim
    approval: float  # mean seconds per approval

    @property
    def per_second(self) -> float:
        return self.approvals / self.seconds

    @property
    def head_share(self) -> float:
        return self.head_wait / self.approval if self.approval else 0.0


def _approve_all(database_url: str, clerk_id: int, keys: list[str], start, results) -> None:
    engine = make_engine(database_url)
    catalog = default_catalog()
    claiming = audit._claim_next_seq
    in_head = [0.0]

    def timed_claim(session):
        session.flush()  # the claim's UPDATE would flush the approval's pending rows first: not head time
        started = time.perf_counter()
        try:
            return claiming(session)
        finally:
            in_head[0] += time.perf_counter() - started

    audit._claim_next_seq = timed_claim
    start.wait()
    total = 0.0
    for key in keys:
        with new_session(engine) as session:
            began = time.perf_counter()
            tasks.approve_task(session=session, actor=session.get(User, clerk_id), key=key, catalog=catalog)
            total += time.perf_counter() - began
    engine.dispose()
    results.put((len(keys), total, in_head[0]))


def measure(database_url: str, clerk_id: int, task_ids: list[int], processes: int) -> Share:
    """Approve `task_ids` (claimed by `clerk_id`) split over `processes` processes."""
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
    start.wait()
    began = time.perf_counter()
    outcomes = [results.get(timeout=600) for _ in workers]
    seconds = time.perf_counter() - began
    for worker in workers:
        worker.join(timeout=60)
    approvals = sum(n for n, _, _ in outcomes)
    return Share(
        processes,
        approvals,
        seconds,
        sum(h for _, _, h in outcomes) / approvals,
        sum(t for _, t, _ in outcomes) / approvals,
    )
