"""Signing keys from a setting or a file under instance/, for the log's heads and 亮证 codes alike."""

import base64

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.signing_keys import key_from_file, key_from_text


def _raw(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def test_a_key_is_a_pem_key_or_32_bytes_of_base64():
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    seed = base64.b64encode(key.private_bytes_raw()).decode()
    assert _raw(key_from_text(pem, setting="KEY")) == _raw(key_from_text(f" {seed}\n", setting="KEY")) == _raw(key)
    with pytest.raises(ValueError, match="KEY must be 32 bytes"):
        key_from_text(base64.b64encode(b"short").decode(), setting="KEY")


def test_a_key_file_is_made_once_outside_production_and_never_in_it(tmp_path):
    path = tmp_path / "instance" / "signing_key.pem"
    with pytest.raises(RuntimeError, match="set CERTIFICATE_SIGNING_KEY"):
        key_from_file(path, create=False, setting="CERTIFICATE_SIGNING_KEY")
    made = key_from_file(path, create=True, setting="CERTIFICATE_SIGNING_KEY")
    assert _raw(key_from_file(path, create=False, setting="CERTIFICATE_SIGNING_KEY")) == _raw(made)
    assert path.stat().st_mode & 0o077 == 0
