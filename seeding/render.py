"""A clone's rows from its values: the half of cloning that needs no randomness, done where rows are stored.

The cloner (cloner.py) draws what varies in a clone: ids, keys, people, staff, moments.
The rest is mechanical: JSON documents from their format strings, each row a selection
of the values, and each clone's audit chain, each event's hash taken of its digest text with the
previous event's hash in it. That half runs in the writer (writer.py), so in a big load it
takes its share of the second CPU and only the varying values cross the pipe.
"""

from dataclasses import dataclass
from hashlib import sha256
from operator import itemgetter

from services.audit import GENESIS
from services.models import Application, AuditEvent


@dataclass(frozen=True)
class Shape:
    """Where a template's rows take their values from: positions in constants + varying values + chain + JSON."""

    constants: tuple
    json: tuple[tuple[str, tuple[int, ...]], ...]  # format string, positions of its slots
    rows: tuple[tuple[str, tuple[int, ...]], ...]  # table, positions of its columns
    events: tuple[tuple[str, tuple[int, ...], tuple[int, ...]], ...]  # digest format, its slots, row positions
    case_id_at: int  # the clone's application id, which names its chain
    chain_at: tuple[int, int, int, int]  # the chain's name, its name as JSON, the previous hash, the last hash


def picker(positions: tuple[int, ...]):
    """A function from a list of values to the tuple of these positions."""
    if len(positions) == 1:
        only = positions[0]
        return lambda values: (values[only],)
    if not positions:
        return lambda values: ()
    return itemgetter(*positions)


class Renderer:
    """Rows of clones from their values, each clone's audit chain hashed from its first event."""

    def __init__(self, db, shapes: list[Shape]):
        self.shapes = [
            (
                shape.constants,
                [(text, picker(slots)) for text, slots in shape.json],
                [(table, picker(columns)) for table, columns in shape.rows],
                [(text, picker(slots), picker(row)) for text, slots, row in shape.events],
                shape.case_id_at,
                shape.chain_at,
            )
            for shape in shapes
        ]
        self.next_id = (db.query(f"SELECT max(id) FROM {AuditEvent.__table__.name}")[0][0] or 0) + 1

    def render(self, shape: int, varying: list, rows: dict[str, list]) -> None:
        constants, json, tables, events, case_id_at, (name_at, name_json_at, prev_at, tip_at) = self.shapes[shape]
        values = [*constants, *varying, None, None, None, None]  # the chain's slots, filled in below
        chain = f"{Application.CHAIN_KIND}:{values[case_id_at]}"
        values[name_at], values[name_json_at] = chain, f'"{chain}"'
        values += [text % pick(values) for text, pick in json]
        audit, unsealed, prev, next_id = rows["auditevent"], rows["audit_unsealed"], GENESIS, self.next_id
        for text, digest, row in events:
            values[prev_at] = f'"{prev}"'
            digest_hash = sha256((text % digest(values)).encode()).hexdigest()
            audit.append((next_id, prev, digest_hash, *row(values)))
            unsealed.append((next_id,))
            prev, next_id = digest_hash, next_id + 1
        values[tip_at] = prev  # the case row keeps where its chain ends
        for table, pick in tables:
            rows[table].append(pick(values))
        self.next_id = next_id
