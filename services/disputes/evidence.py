"""Evidence files: cleaned like every upload (services.uploads); anything refused is named to the party."""

from dataclasses import dataclass
from typing import Protocol

from sqlmodel import Session

from services.errors import Invalid
from services.i18n import N_
from services.models import DisputeEvidence
from services.requirements.fields import FieldError
from services.uploads import MAX_FILE_MB, MAX_FILENAME_LENGTH, Refused, clean_upload, safe_filename, shown_name

MAX_FILES = 10


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
        try:
            content_type, data = clean_upload(file.data)
        except Refused:
            refused.append(shown_name(file.filename)[:MAX_FILENAME_LENGTH] or "file")
        else:
            checked.append(CheckedEvidence(safe_filename(file.filename, content_type), content_type, data))
    if refused:
        # Every refused file by its name in one message, so the party knows which to replace.
        error = FieldError(
            N_("Not accepted: %(names)s. Evidence must be PDF, JPEG or PNG files of at most %(limit)s MB."),
            names=", ".join(refused),
            limit=MAX_FILE_MB,
        )
        raise Invalid(error, {"evidence": error}, refused=refused)
    return checked


def keep_evidence(
    session: Session,
    *,
    dispute_id: int,
    uploader_id: int,
    checked: list[CheckedEvidence],
    store: Store,
    stored: list[str],
) -> list[str]:
    """Store each file and its row in the caller's transaction; `stored` collects the names written, for the
    caller to delete if the transaction does not commit. Returns the files' SHA-256, in order."""
    hashes = []
    for file in checked:
        saved = store.save(file.data)
        stored.append(saved.storage_name)
        session.add(
            DisputeEvidence(
                dispute_id=dispute_id,
                uploaded_by_id=uploader_id,
                filename=file.filename,
                content_type=file.content_type,
                size=saved.size,
                sha256=saved.sha256,
                storage_name=saved.storage_name,
            )
        )
        hashes.append(saved.sha256)
    return hashes
