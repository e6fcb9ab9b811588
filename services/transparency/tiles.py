"""The tree's hashes in tiles (C2SP tlog-tiles, golang.org/x/mod/sumdb/tlog): height 8, 256 hashes a tile.

Tile level L, index i holds the hashes of the tree's level 8·L, nodes 256·i onwards: level 0 the leaf
hashes, level 1 the roots of each 256 leaves, and so on. Only perfect subtrees are stored, and a
perfect subtree never changes, so tiles only grow: storage stays about one hash per leaf, and any
node sits in one tile, hashed up at most 7 levels from it.
"""

from sqlalchemy import insert, update
from sqlmodel import Session, col, select

from services.models import TransparencyTile
from services.transparency.merkle import node_hash

TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT
HASH_SIZE = 32


class MissingHash(LookupError):
    """A hash the tree's size says is stored, and is not: a tile was deleted or cut short."""


def hash_at(hashes: bytes, position: int) -> bytes:
    return hashes[position * HASH_SIZE : (position + 1) * HASH_SIZE]


def hash_up(hashes: list[bytes]) -> bytes:
    """The root of a perfect subtree from its 2**k bottom hashes."""
    while len(hashes) > 1:
        hashes = [node_hash(hashes[i], hashes[i + 1]) for i in range(0, len(hashes), 2)]
    return hashes[0]


class TileReader:
    """A merkle.NodeReader over the stored tiles, loading each tile once."""

    def __init__(self, session: Session):
        self.session = session
        self.tiles: dict[tuple[int, int], bytes] = {}

    def tile(self, level: int, index: int) -> bytes:
        if (level, index) not in self.tiles:
            row = self.session.exec(
                select(TransparencyTile.hashes).where(
                    col(TransparencyTile.level) == level, col(TransparencyTile.tile_index) == index
                )
            ).first()
            self.tiles[(level, index)] = row or b""
        return self.tiles[(level, index)]

    def __call__(self, level: int, index: int) -> bytes:
        tile_level, below = divmod(level, TILE_HEIGHT)
        # The node covers 2**below stored hashes, aligned, so all in one tile.
        first = index << below
        hashes = self.tile(tile_level, first // TILE_WIDTH)
        start = first % TILE_WIDTH
        if (start + (1 << below)) * HASH_SIZE > len(hashes):
            raise MissingHash(f"tile {tile_level}/{first // TILE_WIDTH} lacks hashes its tree size needs")
        return hash_up([hash_at(hashes, start + k) for k in range(1 << below)])


class TileWriter:
    """Collects the perfect subtrees a merkle.Frontier completes and writes the tiles they fall in."""

    def __init__(self, session: Session, reader: TileReader, size: int):
        self.session = session
        self.pending: dict[tuple[int, int], bytearray] = {}
        self.stored: set[tuple[int, int]] = set()
        # The tree's partial tile at each level: appends fill it before starting the next.
        level, count = 0, size
        while count:
            index, width = divmod(count, TILE_WIDTH)
            if width:
                self.pending[(level, index)] = bytearray(reader.tile(level, index)[: width * HASH_SIZE])
                self.stored.add((level, index))
            level, count = level + 1, count >> TILE_HEIGHT

    def add(self, level: int, index: int, value: bytes) -> None:
        if level % TILE_HEIGHT:
            return
        key = (level // TILE_HEIGHT, index // TILE_WIDTH)
        self.pending.setdefault(key, bytearray()).extend(value)

    def flush(self) -> None:
        """Write what changed; full tiles leave memory, the partial ones stay to grow."""
        new_rows = []
        for (level, index), hashes in self.pending.items():
            values = {"width": len(hashes) // HASH_SIZE, "hashes": bytes(hashes)}
            if (level, index) in self.stored:
                self.session.execute(
                    update(TransparencyTile)
                    .where(col(TransparencyTile.level) == level, col(TransparencyTile.tile_index) == index)
                    .values(**values)
                )
            else:
                new_rows.append({"level": level, "tile_index": index, **values})
                self.stored.add((level, index))
        if new_rows:
            self.session.execute(insert(TransparencyTile), new_rows)
        self.pending = {key: hashes for key, hashes in self.pending.items() if len(hashes) < TILE_WIDTH * HASH_SIZE}
