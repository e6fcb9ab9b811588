"""Proofs from the stored tree, and an application's receipt: its events, each proved to be in a signed head.

A receipt stands on its own: with the published public keys, tools/verify_receipt.py checks it using
nothing of this project (docs/transparency.md).
"""

from typing import Any

from sqlmodel import Session, col, select

from services.applications.queries import get_application
from services.audit import digest_fields, history
from services.catalog import Catalog
from services.errors import NotFound
from services.models import Application, TransparencyHead, TransparencyLeaf, User
from services.transparency.merkle import consistency_proof, inclusion_proof
from services.transparency.sealer import latest_head
from services.transparency.tiles import TileReader

RECEIPT_FORMAT = "atmostonce-receipt/v1"
NOT_SEALED = "not yet sealed"


def head_json(head: TransparencyHead) -> dict[str, Any]:
    return {
        "size": head.size,
        "root": head.root,
        "timestamp_ms": head.timestamp_ms,
        "prev_size": head.prev_size,
        "prev_root": head.prev_root,
        "key_id": head.key_id,
        "signature": head.signature,
    }


def prove_inclusion(*, session: Session, leaf_index: int, size: int) -> list[str]:
    """The inclusion proof of a leaf against the head of `size` (any head, however old)."""
    return [node.hex() for node in inclusion_proof(TileReader(session), leaf_index, size)]


def prove_consistency(*, session: Session, old_size: int, new_size: int) -> list[str]:
    """That the tree of `new_size` leaves extends the one of `old_size` without changing it."""
    return [node.hex() for node in consistency_proof(TileReader(session), old_size, new_size)]


def application_receipt(*, session: Session, actor: User, key: str, catalog: Catalog) -> dict[str, Any]:
    """The receipt of an application its viewer may see (anyone else: not found, as for the page)."""
    return receipt_for(
        session=session, application=get_application(session=session, actor=actor, key=key, catalog=catalog)
    )


def receipt_by_number(*, session: Session, number: str) -> dict[str, Any]:
    """For the operator's command line, which is trusted with every case."""
    application = session.exec(select(Application).where(col(Application.number) == number)).first()
    if application is None:
        raise NotFound("no such application")
    return receipt_for(session=session, application=application)


def receipt_for(*, session: Session, application: Application) -> dict[str, Any]:
    events = history(session=session, case=application)
    head = latest_head(session)
    leaves = dict(
        session.execute(
            select(TransparencyLeaf.event_id, TransparencyLeaf.leaf_index).where(
                col(TransparencyLeaf.event_id).in_([event.id for event in events])
            )
        ).all()
    )
    reader = TileReader(session)
    entries = []
    for event in events:
        entry: dict[str, Any] = {"fields": digest_fields(event), "prev_hash": event.prev_hash, "hash": event.hash}
        index = leaves.get(event.id)
        if head is not None and index is not None and index < head.size:
            entry["leaf_index"] = index
            entry["inclusion_proof"] = [node.hex() for node in inclusion_proof(reader, index, head.size)]
        else:
            entry["leaf_index"] = None
            entry["sealed"] = NOT_SEALED
        entries.append(entry)
    return {
        "format": RECEIPT_FORMAT,
        "application": application.number or application.key,
        "events": entries,
        "head": head_json(head) if head is not None else None,
    }


def list_heads(*, session: Session, after: int = 0, limit: int | None = 1000) -> list[TransparencyHead]:
    """The signed heads, oldest first, from the first after size `after`."""
    return list(
        session.exec(
            select(TransparencyHead)
            .where(col(TransparencyHead.size) > after)
            .order_by(col(TransparencyHead.size))
            .limit(limit)
        ).all()
    )
