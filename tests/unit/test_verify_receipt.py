"""The standalone verifier's own Ed25519 and Merkle code, and the head signing it checks."""

import base64
import importlib.util
import json
import os
from datetime import datetime, timedelta, timezone

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.audit import digest_fields, event_digest
from services.models import AuditEvent
from services.signing_keys import key_from_text
from services.transparency import merkle, signing
from tests.unit.test_merkle import MANY, brute_root, reader_over

VERIFIER_PATH = os.path.join(os.path.dirname(__file__), "..", "..", "tools", "verify_receipt.py")


def load_verifier():
    spec = importlib.util.spec_from_file_location("verify_receipt", VERIFIER_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


verifier = load_verifier()

# RFC 8032 §7.1, TEST 1 and TEST 2.
RFC8032 = [
    (
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        "",
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    ),
    (
        "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        "72",
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
    ),
]


@pytest.mark.parametrize(("secret", "public", "message", "signature"), RFC8032)
def test_the_verifier_s_ed25519_accepts_rfc_8032_s_signatures_and_cryptography_makes_them(
    secret, public, message, signature
):
    key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(secret))
    assert signing.raw_public_key(key.public_key()).hex() == public
    assert key.sign(bytes.fromhex(message)).hex() == signature
    assert verifier.ed25519_verify(bytes.fromhex(public), bytes.fromhex(message), bytes.fromhex(signature))


def test_the_verifier_s_ed25519_refuses_a_changed_message_signature_or_key():
    signer = signing.HeadSigner(Ed25519PrivateKey.generate())
    other = signing.HeadSigner(Ed25519PrivateKey.generate())
    signature = base64.b64decode(signer.sign(b"size 5"))
    assert verifier.ed25519_verify(signer.public_key, b"size 5", signature)
    assert not verifier.ed25519_verify(signer.public_key, b"size 6", signature)
    assert not verifier.ed25519_verify(other.public_key, b"size 5", signature)
    assert not verifier.ed25519_verify(signer.public_key, b"size 5", signature[:32] + bytes(32))
    assert not verifier.ed25519_verify(signer.public_key, b"size 5", signature[:-1])


def test_the_verifier_s_inclusion_check_is_the_service_s():
    for size in (1, 5, 17, 64):
        root = brute_root(MANY[:size])
        for index in range(size):
            proof = merkle.inclusion_proof(reader_over(MANY), index, size)
            assert verifier.verify_inclusion(MANY[index], index, size, proof, root)
            assert not verifier.verify_inclusion(merkle.leaf_hash(b"other"), index, size, proof, root)


def test_a_head_s_signed_text_is_the_same_on_both_sides_and_names_its_key():
    signer = signing.HeadSigner(Ed25519PrivateKey.generate())
    head = {
        "size": 300,
        "root": "ab" * 32,
        "timestamp_ms": 1_790_000_000_000,
        "prev_size": 256,
        "prev_root": "cd" * 32,
        "key_id": signer.key_id,
    }
    head["signature"] = signer.sign(signing.head_text(**head))
    assert verifier.head_text(head) == signing.head_text(**{k: v for k, v in head.items() if k != "signature"})
    published = {"keys": [{"key_id": signer.key_id, "public_key": base64.b64encode(signer.public_key).decode()}]}
    verifier.check_head(head, published)
    with pytest.raises(verifier.Failed, match="signature"):
        verifier.check_head({**head, "root": "ef" * 32}, published)
    with pytest.raises(verifier.Failed, match="not published"):
        verifier.check_head(head, {"keys": []})


def test_a_signer_from_a_base64_seed_and_a_retired_list():
    key = Ed25519PrivateKey.generate()
    seed = signing.HeadSigner(key).private_key.private_bytes_raw()
    from_seed = signing.HeadSigner(key_from_text(base64.b64encode(seed).decode(), setting="KEY"))
    assert from_seed.public_key == signing.HeadSigner(key).public_key
    retired = signing.public_keys_from_text(base64.b64encode(from_seed.public_key).decode() + ",")
    assert retired == {from_seed.key_id: from_seed.public_key}


def test_the_verifier_hashes_an_event_exactly_as_the_audit_log_does():
    at = datetime(2026, 11, 2, 9, 30, 15, 123456, tzinfo=timezone(timedelta(hours=8)))
    event = AuditEvent(
        chain="application:42",
        position=3,
        at=at,
        actor_id=7,
        actor_role="front_desk",
        application_id=42,
        task_id=None,
        event="accept",
        from_status="submitted",
        to_status="accepted",
        reason="材料齐全 «ok»",
        payload={"tasks": [1, 2], "说明": {"nested": True}},
        prev_hash="ab" * 32,
        hash="",
    )
    fields = json.loads(json.dumps(digest_fields(event), ensure_ascii=False))  # as a receipt carries them
    assert verifier.event_hash(fields, "ab" * 32) == event_digest(event, "ab" * 32)
    assert verifier.event_hash({**fields, "reason": "材料不全"}, "ab" * 32) != event_digest(event, "ab" * 32)
