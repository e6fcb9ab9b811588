"""Evidence files: PDF, JPEG or PNG only, recognised by their bytes; anything else is refused by name."""

import unicodedata
from dataclasses import dataclass
from typing import Protocol

from services.errors import Invalid
from services.i18n import N_
from services.requirements.fields import FieldError

# Only what every party and mediator can open; the name a browser sends proves nothing.
SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
MAX_FILE_MB = 5
MAX_FILES = 10
MAX_FILENAME_LENGTH = 100


@dataclass(frozen=True)
class EvidenceFile:
    filename: str
    data: bytes


@dataclass(frozen=True)
class CheckedEvidence:
    filename: str
    content_type: str
    data: bytes


class Stored(Protocol):
    storage_name: str
    size: int
    sha256: str


class Store(Protocol):
    """Where files are kept (the web layer's upload folder)."""

    def save(self, data: bytes) -> Stored: ...

    def delete(self, storage_name: str) -> None: ...


def check_evidence(files: list[EvidenceFile]) -> list[CheckedEvidence]:
    """Every file acceptable, or Invalid naming each one that is not (so the party knows which to replace)."""
    if len(files) > MAX_FILES:
        raise Invalid(
            "too many files",
            {"evidence": FieldError(N_("Give at most %(limit)s files."), limit=MAX_FILES)},
        )
    checked, refused = [], []
    for file in files:
        name = _shown_name(file.filename)
        content_type = _sniff(file.data)
        if content_type is None or len(file.data) > MAX_FILE_MB * 1024 * 1024:
            refused.append(name)
        else:
            checked.append(CheckedEvidence(name, content_type, file.data))
    if refused:
        # Every refused file by its name in one message, so the party knows which to replace.
        error = FieldError(
            N_("Not accepted: %(names)s. Evidence must be PDF, JPEG or PNG files of at most %(limit)s MB."),
            names=", ".join(refused),
            limit=MAX_FILE_MB,
        )
        raise Invalid(error, {"evidence": error}, refused=refused)
    return checked


def _sniff(data: bytes) -> str | None:
    for magic, content_type in SIGNATURES:
        if data.startswith(magic):
            return content_type
    return None


def _shown_name(sent: str) -> str:
    """The name as the party knows it, with no folders or control characters, at most 100 characters."""
    name = unicodedata.normalize("NFC", sent or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C").strip()
    return name[:MAX_FILENAME_LENGTH] or "file"
