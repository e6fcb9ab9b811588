"""Domain errors. Routes map them to a flash or to 403 / 404 / 409."""

from collections.abc import Mapping
from typing import Any, Protocol


class Template(Protocol):
    """A message still to be filled in and translated (requirements.fields.FieldError): web/messages.translate."""

    template: str
    params: dict[str, Any]


# What a service may say: a msgid, or a template with its values (a limit, a count).
Message = str | Template


class DomainError(Exception):
    def __init__(self, message: Message, **details):
        super().__init__(message)
        self.message = message
        self.details = details


class NotAllowed(DomainError):
    """The actor may not do this (HTTP 403)."""


class NotFound(DomainError):
    """Nothing the actor may see exists under that key (HTTP 404)."""


class Conflict(DomainError):
    """Someone else changed the thing first, or it is in the wrong state (HTTP 409)."""


class Invalid(DomainError):
    """Input breaks a rule; `errors` maps a field name to its message."""

    def __init__(self, message: Message, errors: Mapping[str, Message] | None = None, **details):
        super().__init__(message, **details)
        self.errors: Mapping[str, Message] = errors or {}


class Throttled(DomainError):
    """Too many attempts from one client address (HTTP 429); `retry_after` is in seconds."""

    def __init__(self, message: str, retry_after: int, **details):
        super().__init__(message, **details)
        self.retry_after = retry_after
