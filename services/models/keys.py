import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager


def _random_key() -> str:
    return secrets.token_urlsafe(12)


_make_key: Callable[[], str] = _random_key


def new_key() -> str:
    """Unguessable identifier used in URLs instead of row ids."""
    return _make_key()


@contextmanager
def keys_from(factory: Callable[[], str]) -> Iterator[None]:
    """Draw every new key from `factory` inside the block, so a seeded run repeats its keys."""
    global _make_key
    previous, _make_key = _make_key, factory
    try:
        yield
    finally:
        _make_key = previous
