"""Signed tree heads: the text a head's Ed25519 signature covers, the keys, and their ids.

A key id is the first 8 bytes of SHA-256 over the raw 32-byte public key, in hex. Heads name the
key that signed them, so the key can rotate: old heads keep verifying against the old public key,
which stays published among the retired keys.
"""

import base64
import binascii
import hashlib
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

HEAD_FORMAT = "atmostonce-tree-head/v1"
NO_PREVIOUS_ROOT = "0" * 64


def head_text(*, size: int, root: str, timestamp_ms: int, prev_size: int, prev_root: str, key_id: str) -> bytes:
    """What a head's signature covers: one field a line, so any verifier can rebuild it byte for byte."""
    lines = [HEAD_FORMAT, str(size), root, str(timestamp_ms), str(prev_size), prev_root, key_id]
    return ("\n".join(lines) + "\n").encode("ascii")


def signed_text_of(head: Any) -> bytes:
    """head_text of a stored head, as a row or an object."""
    return head_text(
        size=head.size,
        root=head.root,
        timestamp_ms=head.timestamp_ms,
        prev_size=head.prev_size,
        prev_root=head.prev_root,
        key_id=head.key_id,
    )


def key_id_of(public_key: bytes) -> str:
    return hashlib.sha256(public_key).digest()[:8].hex()


def raw_public_key(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


@dataclass(frozen=True)
class HeadSigner:
    private_key: Ed25519PrivateKey

    @property
    def public_key(self) -> bytes:
        return raw_public_key(self.private_key.public_key())

    @property
    def key_id(self) -> str:
        return key_id_of(self.public_key)

    def sign(self, message: bytes) -> str:
        return base64.b64encode(self.private_key.sign(message)).decode("ascii")


def signature_holds(public_key: bytes, message: bytes, signature: str) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(base64.b64decode(signature, validate=True), message)
    except (InvalidSignature, ValueError, binascii.Error):
        return False
    return True


def public_keys_from_text(text: str) -> dict[str, bytes]:
    """Retired public keys, base64 of the raw 32 bytes, separated by commas or white space, by key id."""
    keys = {}
    for item in text.replace(",", " ").split():
        raw = base64.b64decode(item, validate=True)
        if len(raw) != 32:
            raise ValueError(f"{item} is not a 32-byte Ed25519 public key")
        keys[key_id_of(raw)] = raw
    return keys
