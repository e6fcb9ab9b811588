"""Material files: recognised by their bytes, stored outside static/ under random names."""
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# Only what a counter clerk can open everywhere; the name a browser sends proves nothing.
SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
MAX_FILE_MB = 5  # the one place the per-file limit is stated; messages quote it
MAX_FILE_BYTES = MAX_FILE_MB * 1024 * 1024


def sniff(data: bytes) -> str | None:
    for magic, content_type in SIGNATURES:
        if data.startswith(magic):
            return content_type
    return None


@dataclass(frozen=True)
class StoredFile:
    storage_name: str
    size: int
    sha256: str


def random_storage_name() -> str:
    return secrets.token_hex(16)


class FileStore:
    def __init__(self, root: str | Path, new_name: Callable[[], str] = random_storage_name):
        """`new_name` gives each saved file its name; a seeded run passes a repeatable one."""
        self.root = Path(root)
        self.new_name = new_name

    def save(self, data: bytes) -> StoredFile:
        self.root.mkdir(parents=True, exist_ok=True)
        name = self.new_name()
        (self.root / name).write_bytes(data)
        return StoredFile(name, len(data), hashlib.sha256(data).hexdigest())

    def path(self, storage_name: str) -> Path:
        if not storage_name.isalnum():
            raise ValueError("bad storage name")
        return self.root / storage_name

    def delete(self, storage_name: str) -> None:
        self.path(storage_name).unlink(missing_ok=True)
