"""The sealer: the events committed since the last seal become leaves, and a new signed head covers them."""

from dataclasses import dataclass

from sqlalchemy import delete, insert, text
from sqlmodel import Session, col, select

from services import clock
from services.db import transactional
from services.models import AuditEvent, AuditUnsealed, TransparencyHead, TransparencyLeaf
from services.transparency.merkle import Frontier, leaf_hash
from services.transparency.signing import NO_PREVIOUS_ROOT, HeadSigner, signed_text_of
from services.transparency.tiles import TileReader, TileWriter

SEAL_BATCH = 5000
# Any constant: the key of the PostgreSQL advisory lock only sealers take.
SEALER_LOCK_KEY = 0x7A4A_7365_616C


@dataclass(frozen=True)
class SealReport:
    sealed: int
    head: TransparencyHead | None  # the latest head: the new one, or the one before when nothing waited


def latest_head(session: Session) -> TransparencyHead | None:
    return session.exec(select(TransparencyHead).order_by(col(TransparencyHead.size).desc()).limit(1)).first()


def _take_sealer_lock(session: Session) -> None:
    """Two sealers (cron on two servers) must not both extend the tree: the second waits for the first's commit."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SEALER_LOCK_KEY})
    else:
        # SQLite has one writer at a time; a write that changes nothing takes that lock now, so a second
        # sealer queues here instead of reading a tree that will have grown by the time it writes.
        session.execute(delete(TransparencyLeaf).where(col(TransparencyLeaf.leaf_index) < 0))


@transactional
def seal_log(*, session: Session, signer: HeadSigner, batch: int = SEAL_BATCH) -> SealReport:
    """Append every unsealed event as a leaf (its 32-byte hash is the leaf's data), in event id order,
    then sign a head over the tree. One transaction; a backlog is read in batches, so memory stays bounded.

    Nothing waiting means no new head: a head says the tree grew, and one a minute over an idle tree
    would only bury the heads that matter."""
    _take_sealer_lock(session)
    previous = latest_head(session)
    size = previous.size if previous else 0
    reader = TileReader(session)
    frontier = Frontier.of(reader, size)
    tiles = TileWriter(session, reader, size)
    while True:
        rows = session.execute(
            select(AuditUnsealed.event_id, AuditEvent.hash)
            .join(AuditEvent, col(AuditEvent.id) == col(AuditUnsealed.event_id))
            .order_by(col(AuditUnsealed.event_id))
            .limit(batch)
        ).all()
        if not rows:
            break
        first = frontier.size
        for _, event_hash in rows:
            frontier.append(leaf_hash(bytes.fromhex(event_hash)), tiles.add)
        session.execute(
            insert(TransparencyLeaf),
            [{"leaf_index": first + k, "event_id": event_id} for k, (event_id, _) in enumerate(rows)],
        )
        tiles.flush()
        session.execute(delete(AuditUnsealed).where(col(AuditUnsealed.event_id).in_([row[0] for row in rows])))
    if frontier.size == size:
        return SealReport(0, previous)
    head = _signed_head(signer, frontier, previous)
    session.add(head)
    session.flush()
    return SealReport(frontier.size - size, head)


def _signed_head(signer: HeadSigner, frontier: Frontier, previous: TransparencyHead | None) -> TransparencyHead:
    head = TransparencyHead(
        size=frontier.size,
        root=frontier.root().hex(),
        timestamp_ms=int(clock.now().timestamp() * 1000),
        prev_size=previous.size if previous else 0,
        prev_root=previous.root if previous else NO_PREVIOUS_ROOT,
        key_id=signer.key_id,
        signature="",
    )
    head.signature = signer.sign(signed_text_of(head))
    return head
