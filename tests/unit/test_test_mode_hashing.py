"""Test mode hashes cheaply, under a mark; a marked hash opens nothing once test mode is off."""

import pytest

from services import passwords
from services.passwords import TEST_MODE_MARK, hash_password, password_matches, use_test_mode_hashing

SECRET = "quiet-harbour-lantern-42"


@pytest.fixture
def test_mode():
    use_test_mode_hashing(True)
    yield
    use_test_mode_hashing(False)


def test_outside_test_mode_the_hash_is_werkzeugs_default_and_unmarked():
    stored = hash_password(SECRET)
    assert stored.startswith("scrypt:") and not stored.startswith(TEST_MODE_MARK)
    assert password_matches(stored, SECRET)


def test_in_test_mode_the_hash_is_cheap_marked_and_verifies(test_mode):
    stored = hash_password(SECRET)
    assert stored.startswith(TEST_MODE_MARK + passwords.TEST_MODE_METHOD + "$")
    assert password_matches(stored, SECRET)
    assert not password_matches(stored, SECRET + "!")


def test_a_test_mode_hash_does_not_verify_once_test_mode_is_off():
    use_test_mode_hashing(True)
    try:
        stored = hash_password(SECRET)
    finally:
        use_test_mode_hashing(False)
    assert not password_matches(stored, SECRET)


def test_a_production_hash_still_verifies_in_test_mode():
    stored = hash_password(SECRET)
    use_test_mode_hashing(True)
    try:
        assert password_matches(stored, SECRET)
        assert not password_matches(None, SECRET)
    finally:
        use_test_mode_hashing(False)
