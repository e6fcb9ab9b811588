"""The transparency log's rows: its leaves, the tiles of its hashes, and its signed heads (docs/transparency.md)."""

from sqlalchemy import BigInteger, Column, LargeBinary
from sqlmodel import Field, SQLModel


class TransparencyLeaf(SQLModel, table=True):
    """Leaf `leaf_index` of the tree is the hash of event `event_id`; a receipt looks the event up."""

    __tablename__ = "transparency_leaf"

    leaf_index: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    event_id: int = Field(foreign_key="auditevent.id", unique=True)


class TransparencyTile(SQLModel, table=True):
    """Up to 256 hashes of one level of the tree (tlog tiles): tile level L holds the tree's level 8·L.

    `hashes` is `width` 32-byte hashes end to end; a partial tile (width < 256) is rewritten as it fills.
    """

    __tablename__ = "transparency_tile"

    level: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    tile_index: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    width: int
    hashes: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class TransparencyHead(SQLModel, table=True):
    """One signed tree head, never changed: each names the head before it, as a signed note would."""

    __tablename__ = "transparency_head"

    size: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    root: str = Field(max_length=64)
    timestamp_ms: int = Field(sa_column=Column(BigInteger, nullable=False))
    prev_size: int
    prev_root: str = Field(max_length=64)
    key_id: str = Field(max_length=16)
    signature: str = Field(max_length=88)
