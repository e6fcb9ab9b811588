"""亮证 codes: signed with the government's key, valid for a few minutes, anything else is forged."""

import base64
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.wallet.presentation import (
    LIFETIME,
    MAX_CODE_LENGTH,
    Claims,
    Verdict,
    check_code,
    sign_code,
)

NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
CLAIMS = Claims(
    number="JH-2026-000042",
    cert_type="marriage_certificate",
    holder_name="王小明",
    holder_id="330106199001010017",
    issued_on=date(2024, 5, 20),
    expires_at=NOW + LIFETIME,
)


def test_a_fresh_code_is_valid_and_says_what_it_certifies():
    checked = check_code(sign_code(CLAIMS, KEY), KEY.public_key(), NOW)
    assert checked.verdict == Verdict.VALID
    assert checked.claims == CLAIMS


def test_a_code_lives_a_few_minutes_then_expires():
    code = sign_code(CLAIMS, KEY)
    assert check_code(code, KEY.public_key(), NOW + LIFETIME - timedelta(seconds=1)).verdict == Verdict.VALID
    expired = check_code(code, KEY.public_key(), NOW + LIFETIME)
    assert expired.verdict == Verdict.EXPIRED
    assert expired.claims.number == CLAIMS.number  # the counter can say which certificate to refresh
    assert timedelta(minutes=1) <= LIFETIME <= timedelta(minutes=10)


def test_surrounding_white_space_from_a_scanner_is_ignored():
    assert check_code(f"  {sign_code(CLAIMS, KEY)}\n", KEY.public_key(), NOW).verdict == Verdict.VALID


def _altered(code: str, **changes) -> str:
    prefix, body, signature = code.split(".")
    fields = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))) | changes
    new_body = base64.urlsafe_b64encode(json.dumps(fields).encode()).rstrip(b"=").decode()
    return f"{prefix}.{new_body}.{signature}"


@pytest.mark.parametrize(
    "changes",
    [
        {"number": "JH-2026-000043"},
        {"holder_name": "李四"},
        {"expires_at": int((NOW + timedelta(days=365)).timestamp())},
    ],
    ids=["other-number", "other-holder", "later-expiry"],
)
def test_a_code_with_any_claim_changed_is_forged(changes):
    checked = check_code(_altered(sign_code(CLAIMS, KEY), **changes), KEY.public_key(), NOW)
    assert checked.verdict == Verdict.FORGED
    assert checked.claims is None


def test_a_code_signed_with_another_key_is_forged():
    other = Ed25519PrivateKey.generate()
    assert check_code(sign_code(CLAIMS, other), KEY.public_key(), NOW).verdict == Verdict.FORGED


@pytest.mark.parametrize(
    "text",
    [
        "",
        "hello",
        "AMOCERT1..",
        "AMOCERT1.e30.AAAA",
        "OTHER1.e30.AAAA",
        "AMOCERT1.%%%.%%%",
        "A" * (MAX_CODE_LENGTH + 1),
    ],
    ids=["empty", "words", "empty-parts", "short-signature", "other-prefix", "not-base64", "too-long"],
)
def test_text_that_is_no_code_of_ours_is_forged(text):
    assert check_code(text, KEY.public_key(), NOW).verdict == Verdict.FORGED
