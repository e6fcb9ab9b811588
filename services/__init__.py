"""The domain of AtMostOnce: catalogue, accounts, applications, workflow, audit.

Nothing in this package imports Flask; the web layer calls these functions
with keyword arguments and a database session.
"""

from services.errors import Conflict, DomainError, Invalid, NotAllowed, NotFound

__all__ = ["Conflict", "DomainError", "Invalid", "NotAllowed", "NotFound"]
