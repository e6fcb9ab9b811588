"""The Ed25519 private keys the government signs with: the transparency log's heads, 亮证 codes.

Each comes from a setting (a PEM key, or the base64 of its raw 32-byte seed, which fits in one
environment variable) or, outside production, from a PEM file under instance/ made on first use.
"""

import base64
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


def key_from_text(text: str, *, setting: str) -> Ed25519PrivateKey:
    """A PEM private key, or the base64 of a raw 32-byte seed; `setting` names where it came from."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(text.encode("ascii"), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{setting} must be an Ed25519 key")
        return key
    seed = base64.b64decode(text, validate=True)
    if len(seed) != 32:
        raise ValueError(f"{setting} must be 32 bytes, base64-encoded")
    return Ed25519PrivateKey.from_private_bytes(seed)


def key_from_file(path: Path, *, create: bool, setting: str) -> Ed25519PrivateKey:
    """The key kept in a PEM file; with `create`, made on first use (development and tests only)."""
    if not path.exists():
        if not create:
            raise RuntimeError(f"no signing key: set {setting} or create {path}")
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        # Written aside, then linked in: two processes starting at once end up sharing one key, never half of one.
        draft = path.with_name(f"{path.name}.{os.getpid()}")
        draft.touch(mode=0o600)
        draft.write_bytes(pem)
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return key_from_text(path.read_text(), setting=str(path))
