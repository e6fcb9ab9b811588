"""The transparency log on a real database: sealing, tiles, proofs against any head, two sealers, tampering."""

import threading

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import delete, text, update
from sqlmodel import col, select

from services.audit import record_event
from services.db import new_session
from services.models import AuditEvent, AuditUnsealed, TransparencyHead, TransparencyLeaf, TransparencyTile
from services.transparency import merkle
from services.transparency.receipts import NOT_SEALED, prove_consistency, prove_inclusion, receipt_for
from services.transparency.sealer import seal_log
from services.transparency.signing import HeadSigner, head_text
from services.transparency.verify import verify_log
from tests.sample import submitted

SIGNER = HeadSigner(Ed25519PrivateKey.generate())
KEYS = {SIGNER.key_id: SIGNER.public_key}


def record(session, count, chain="calendar"):
    """`count` events on a chain of no case, committed: what the sealer finds waiting."""
    for i in range(count):
        record_event(session, actor=None, event="attach", chain=chain, payload={"i": i})
    session.commit()


def event_leaves(session):
    """The leaf hashes the tree should hold: each sealed event's hash, in leaf order."""
    rows = session.exec(
        select(AuditEvent.hash)
        .join(TransparencyLeaf, col(TransparencyLeaf.event_id) == col(AuditEvent.id))
        .order_by(col(TransparencyLeaf.leaf_index))
    ).all()
    return [merkle.leaf_hash(bytes.fromhex(value)) for value in rows]


def brute_root(leaves):
    return merkle.tree_root(lambda level, index: _perfect(leaves[index << level : (index + 1) << level]), len(leaves))


def _perfect(hashes):
    while len(hashes) > 1:
        hashes = [merkle.node_hash(hashes[i], hashes[i + 1]) for i in range(0, len(hashes), 2)]
    return hashes[0]


def heads(session):
    return list(session.exec(select(TransparencyHead).order_by(col(TransparencyHead.size))).all())


def test_sealing_makes_every_waiting_event_a_leaf_under_one_signed_head(session):
    assert seal_log(session=session, signer=SIGNER).head is None
    record(session, 5)
    report = seal_log(session=session, signer=SIGNER)
    assert report.sealed == 5 and report.head.size == 5
    assert report.head.root == brute_root(event_leaves(session)).hex()
    assert session.exec(select(AuditUnsealed)).all() == []
    assert (report.head.prev_size, report.head.prev_root) == (0, "0" * 64)
    again = seal_log(session=session, signer=SIGNER)
    assert again.sealed == 0 and again.head.size == 5 and len(heads(session)) == 1
    assert verify_log(session=session, public_keys=KEYS).ok


def test_the_tree_grows_across_tiles_in_batches_and_every_head_keeps_its_root(session):
    for count in (1, 255, 1, 300, 100):  # 657 leaves: three leaf tiles, and a second level
        record(session, count)
        seal_log(session=session, signer=SIGNER, batch=7)
    leaves = event_leaves(session)
    assert len(leaves) == 657
    tiles = {(t.level, t.tile_index): t.width for t in session.exec(select(TransparencyTile)).all()}
    assert tiles == {(0, 0): 256, (0, 1): 256, (0, 2): 145, (1, 0): 2}
    stored = heads(session)
    assert [h.size for h in stored] == [1, 256, 257, 557, 657]
    assert all(h.root == brute_root(leaves[: h.size]).hex() for h in stored)
    assert all((h.prev_size, h.prev_root) == (p.size, p.root) for p, h in zip(stored, stored[1:], strict=False))
    report = verify_log(session=session, public_keys=KEYS)
    assert report.ok, report.problem
    assert (report.leaves, report.heads) == (657, 5)


def test_any_leaf_proves_against_any_head_and_every_head_is_consistent_with_every_later_one(session):
    for count in (3, 250, 20, 300):
        record(session, count)
        seal_log(session=session, signer=SIGNER)
    leaves = event_leaves(session)
    stored = heads(session)
    for head in stored:
        root = bytes.fromhex(head.root)
        for index in {0, 1, head.size // 2, head.size - 1, min(255, head.size - 1)}:
            proof = [bytes.fromhex(p) for p in prove_inclusion(session=session, leaf_index=index, size=head.size)]
            assert merkle.verify_inclusion(leaves[index], index, head.size, proof, root)
        for later in stored:
            if later.size >= head.size:
                proof = [
                    bytes.fromhex(p)
                    for p in prove_consistency(session=session, old_size=head.size, new_size=later.size)
                ]
                assert merkle.verify_consistency(head.size, later.size, root, bytes.fromhex(later.root), proof)


def test_two_sealers_at_once_extend_the_tree_once(engine):
    with new_session(engine) as session:
        record(session, 40)
    start = threading.Barrier(2)
    reports, errors = [], []

    def seal():
        with new_session(engine) as own:
            start.wait()
            try:
                reports.append(seal_log(session=own, signer=SIGNER, batch=3))
            except Exception as error:  # noqa: BLE001 - the test names whatever the loser raised
                errors.append(error)

    sealers = [threading.Thread(target=seal) for _ in range(2)]
    for sealer in sealers:
        sealer.start()
    for sealer in sealers:
        sealer.join()
    assert errors == []
    assert sorted(report.sealed for report in reports) == [0, 40]
    with new_session(engine) as session:
        assert [h.size for h in heads(session)] == [40]
        assert verify_log(session=session, public_keys=KEYS).ok


@pytest.fixture
def sealed(session):
    """A tree of 300 leaves under three heads."""
    for count in (10, 200, 90):
        record(session, count)
        seal_log(session=session, signer=SIGNER)
    return session


def leaf_event(session, leaf_index):
    return session.exec(select(TransparencyLeaf.event_id).where(TransparencyLeaf.leaf_index == leaf_index)).one()


def problem(session):
    report = verify_log(session=session, public_keys=KEYS)
    assert not report.ok
    return report.problem


def test_an_event_whose_hash_changed_is_named_by_its_leaf(sealed):
    event_id = leaf_event(sealed, 57)
    sealed.execute(update(AuditEvent).where(col(AuditEvent.id) == event_id).values(hash="ab" * 32))
    sealed.commit()
    assert problem(sealed).startswith(f"leaf 57: its stored hash is not its event's (event {event_id}")


def test_an_edited_tile_hash_is_named_by_its_leaf(sealed):
    tile = sealed.exec(
        select(TransparencyTile).where(TransparencyTile.level == 0, TransparencyTile.tile_index == 1)
    ).one()
    hashes = bytearray(tile.hashes)
    hashes[32 * 3] ^= 1
    sealed.execute(
        update(TransparencyTile)
        .where(col(TransparencyTile.level) == 0, col(TransparencyTile.tile_index) == 1)
        .values(hashes=bytes(hashes))
    )
    sealed.commit()
    assert problem(sealed).startswith("leaf 259: its stored hash is not its event's")


def test_a_deleted_leaf_is_named(sealed):
    sealed.execute(delete(TransparencyLeaf).where(col(TransparencyLeaf.leaf_index) == 120))
    sealed.commit()
    assert problem(sealed) == "leaf 120 is missing (the next leaf stored is 121)"


def test_a_deleted_tile_is_named(sealed):
    sealed.execute(
        delete(TransparencyTile).where(col(TransparencyTile.level) == 0, col(TransparencyTile.tile_index) == 0)
    )
    sealed.commit()
    assert problem(sealed) == "tile 0/0 is missing"


def test_a_rewritten_head_is_named_by_its_signature(sealed):
    sealed.execute(update(TransparencyHead).where(col(TransparencyHead.size) == 210).values(root="cd" * 32))
    sealed.commit()
    assert problem(sealed) == "head at size 210: its signature does not hold: the head was rewritten"


def test_a_head_re_signed_over_another_root_is_named_by_its_root(sealed):
    head = sealed.get(TransparencyHead, 210)
    fields = {k: getattr(head, k) for k in ("size", "timestamp_ms", "prev_size", "prev_root", "key_id")}
    fields["root"] = "cd" * 32
    sealed.execute(
        update(TransparencyHead)
        .where(col(TransparencyHead.size) == 210)
        .values(root=fields["root"], signature=SIGNER.sign(head_text(**fields)))
    )
    sealed.commit()
    # The next head still names the old root: the link breaks first, and it names the head after the rewritten one.
    assert problem(sealed).startswith("head at size 300 names the head at size 210 before it")


def test_a_removed_head_is_named_by_the_head_after_it(sealed):
    sealed.execute(delete(TransparencyHead).where(col(TransparencyHead.size) == 210))
    sealed.commit()
    assert problem(sealed).startswith(
        "head at size 300 names the head at size 210 before it, but the head stored before it is at size 10"
    )


def test_a_head_signed_by_an_unpublished_key_is_named(sealed):
    stranger = HeadSigner(Ed25519PrivateKey.generate())
    assert verify_log(session=sealed, public_keys={stranger.key_id: stranger.public_key}).problem == (
        f"head at size 10 names key {SIGNER.key_id}, which is not a published key"
    )


def test_an_event_slipped_in_outside_the_log_is_noticed(sealed):
    sealed.execute(text("DELETE FROM audit_unsealed"))
    record(sealed, 1)
    sealed.execute(text("DELETE FROM audit_unsealed"))
    sealed.commit()
    assert "301 events, but 300 leaves and 0 waiting to be sealed" in problem(sealed)


def test_a_receipt_proves_sealed_events_and_lists_the_rest_as_not_yet_sealed(session, catalog, store):
    _, application = submitted(session, catalog, store, "330100-TRANSPORT-003")
    seal_log(session=session, signer=SIGNER)
    record(session, 3)  # others' events: the head grows past the application's
    seal_log(session=session, signer=SIGNER)
    receipt = receipt_for(session=session, application=application)
    head = receipt["head"]
    assert head["size"] == len(event_leaves(session))
    assert receipt["events"], "a submitted application has events"
    for event in receipt["events"]:
        proof = [bytes.fromhex(p) for p in event["inclusion_proof"]]
        leaf = merkle.leaf_hash(bytes.fromhex(event["hash"]))
        assert merkle.verify_inclusion(leaf, event["leaf_index"], head["size"], proof, bytes.fromhex(head["root"]))
    record_event(session, actor=None, event="note", case=application)
    session.commit()
    later = receipt_for(session=session, application=application)
    assert later["events"][-1]["sealed"] == NOT_SEALED and later["events"][-1]["leaf_index"] is None
    assert later["head"] == head
