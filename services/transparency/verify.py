"""`audit verify`'s half for the log: the tree recomputes from the events, and every head holds.

One ordered pass over the leaves (each joined to its event's hash) rebuilds the tree as the sealer
built it; each perfect subtree a tile stores is compared as it completes, and each head's root as the
pass reaches its size. Every head is a prefix of that one rebuilt tree, so consecutive heads are
consistent exactly when both their roots recompute; no separate consistency proof could add to that.
"""

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from services.models import AuditEvent, AuditUnsealed, TransparencyHead, TransparencyLeaf, TransparencyTile
from services.transparency.merkle import Frontier, leaf_hash
from services.transparency.signing import NO_PREVIOUS_ROOT, signature_holds, signed_text_of
from services.transparency.tiles import HASH_SIZE, TILE_HEIGHT, TILE_WIDTH, hash_at

HEADS = TransparencyHead.__table__  # type: ignore[attr-defined]  # SQLModel sets it; its stubs do not say so
LEAVES = TransparencyLeaf.__table__  # type: ignore[attr-defined]
TILES = TransparencyTile.__table__  # type: ignore[attr-defined]
EVENTS = AuditEvent.__table__  # type: ignore[attr-defined]
VERIFY_BATCH = 64 * TILE_WIDTH


@dataclass(frozen=True)
class LogReport:
    leaves: int
    heads: int
    problem: str | None = None  # names the head, leaf, event or tile that does not hold

    @property
    def ok(self) -> bool:
        return self.problem is None


class _Broken(Exception):
    pass


def verify_log(*, session: Session, public_keys: dict[str, bytes], batch: int = VERIFY_BATCH) -> LogReport:
    """Every head's signature holds with its published key and names the head before it; every leaf is
    its event's hash; every stored tile and every head's root recomputes from the leaves. The first
    problem found is named."""
    heads = session.execute(select(HEADS).order_by(HEADS.c.size)).all()
    leaves = 0
    try:
        _check_heads(heads, public_keys)
        leaves = _check_tree(session, heads, batch)
        _check_every_event_is_accounted_for(session, leaves)
    except _Broken as broken:
        return LogReport(leaves, len(heads), str(broken))
    return LogReport(leaves, len(heads))


def _check_heads(heads, public_keys: dict[str, bytes]) -> None:
    prev_size, prev_root = 0, NO_PREVIOUS_ROOT
    for head in heads:
        key = public_keys.get(head.key_id)
        if key is None:
            raise _Broken(f"head at size {head.size} names key {head.key_id}, which is not a published key")
        if not signature_holds(key, signed_text_of(head), head.signature):
            raise _Broken(f"head at size {head.size}: its signature does not hold: the head was rewritten")
        if (head.prev_size, head.prev_root) != (prev_size, prev_root):
            raise _Broken(
                f"head at size {head.size} names the head at size {head.prev_size} before it, but the head "
                f"stored before it is at size {prev_size}: a head was removed, inserted or rewritten"
            )
        prev_size, prev_root = head.size, head.root


def _check_tree(session: Session, heads, batch: int) -> int:
    tree_size = heads[-1].size if heads else 0
    upper = {(row.level, row.tile_index): row.hashes for row in session.execute(select(TILES).where(TILES.c.level > 0))}
    rebuilt = _RebuiltTiles(upper)
    frontier = Frontier()
    waiting_heads = iter(heads)
    next_head = next(waiting_heads, None)
    while True:
        rows = session.execute(
            select(LEAVES.c.leaf_index, LEAVES.c.event_id, EVENTS.c.hash)
            .select_from(LEAVES.outerjoin(EVENTS, EVENTS.c.id == LEAVES.c.event_id))
            .where(LEAVES.c.leaf_index >= frontier.size)
            .order_by(LEAVES.c.leaf_index)
            .limit(batch)
        ).all()
        if not rows:
            break
        rebuilt.load_leaf_tiles(session, rows[0].leaf_index // TILE_WIDTH, rows[-1].leaf_index // TILE_WIDTH)
        for leaf_index, event_id, event_hash in rows:
            if leaf_index != frontier.size:
                raise _Broken(f"leaf {frontier.size} is missing (the next leaf stored is {leaf_index})")
            if leaf_index >= tree_size:
                raise _Broken(f"leaf {leaf_index} (event {event_id}) lies beyond the latest head: no head covers it")
            if event_hash is None:
                raise _Broken(f"leaf {leaf_index}: its event {event_id} is gone")
            rebuilt.leaf_event = event_id
            frontier.append(leaf_hash(bytes.fromhex(event_hash)), rebuilt.add)
            while next_head is not None and next_head.size == frontier.size:
                if frontier.root().hex() != next_head.root:
                    raise _Broken(f"head at size {next_head.size}: its root is not the tree's: the head was rewritten")
                next_head = next(waiting_heads, None)
    if frontier.size < tree_size:
        raise _Broken(f"leaf {frontier.size} is missing: the latest head covers {tree_size} leaves")
    rebuilt.check_partial_tiles(frontier.size)
    return frontier.size


def _check_every_event_is_accounted_for(session: Session, leaves: int) -> None:
    events = session.execute(select(func.count()).select_from(EVENTS)).scalar_one()
    waiting = session.execute(select(func.count()).select_from(AuditUnsealed)).scalar_one()
    if events != leaves + waiting:
        raise _Broken(
            f"{events} events, but {leaves} leaves and {waiting} waiting to be sealed: "
            "an event was added outside the log or taken off its queue"
        )


class _RebuiltTiles:
    """Each hash the rebuilt tree would store, compared with the stored tile's as it is made."""

    def __init__(self, upper: dict[tuple[int, int], bytes]):
        self.stored = upper
        self.leaf_event: int | None = None  # the event of the leaf being appended, to name it

    def load_leaf_tiles(self, session: Session, first: int, last: int) -> None:
        for row in session.execute(
            select(TILES.c.tile_index, TILES.c.hashes).where(
                TILES.c.level == 0, TILES.c.tile_index.between(first, last)
            )
        ):
            self.stored[(0, row.tile_index)] = row.hashes

    def add(self, level: int, index: int, value: bytes) -> None:
        if level % TILE_HEIGHT:
            return
        tile_level, (tile_index, position) = level // TILE_HEIGHT, divmod(index, TILE_WIDTH)
        stored = self.stored.get((tile_level, tile_index))
        if stored is None:
            raise _Broken(f"tile {tile_level}/{tile_index} is missing")
        if hash_at(stored, position) != value:
            if tile_level == 0:
                raise _Broken(
                    f"leaf {index}: its stored hash is not its event's "
                    f"(event {self.leaf_event} or the tile was changed)"
                )
            raise _Broken(f"tile {tile_level}/{tile_index}, hash {position}: it is not the hash of the leaves below it")
        if position == TILE_WIDTH - 1:
            self._finish(tile_level, tile_index, TILE_WIDTH)

    def check_partial_tiles(self, size: int) -> None:
        level, count = 0, size
        while count:
            if count % TILE_WIDTH:
                self._finish(level, count // TILE_WIDTH, count % TILE_WIDTH)
            level, count = level + 1, count >> TILE_HEIGHT
        if self.stored:
            level, index = min(self.stored)
            raise _Broken(f"tile {level}/{index} lies beyond the tree: no leaf the heads cover fills it")

    def _finish(self, level: int, index: int, width: int) -> None:
        stored = self.stored.pop((level, index))
        if len(stored) != width * HASH_SIZE:
            raise _Broken(f"tile {level}/{index} holds {len(stored) // HASH_SIZE} hashes, the tree {width}")
