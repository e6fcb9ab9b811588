import secrets


def new_key() -> str:
    """Unguessable identifier used in URLs instead of row ids."""
    return secrets.token_urlsafe(12)
