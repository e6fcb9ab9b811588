"""Uploaded files of every kind of case: recognised by their bytes, cleaned, stored under random names."""

import hashlib
import io
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps

# Only what a counter clerk can open everywhere; the name a browser sends proves nothing.
SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
EXTENSIONS = {"application/pdf": (".pdf",), "image/jpeg": (".jpg", ".jpeg"), "image/png": (".png",)}
MAX_FILE_MB = 5  # the one place the per-file limit is stated; messages quote it
MAX_FILE_BYTES = MAX_FILE_MB * 1024 * 1024
MAX_FILENAME_LENGTH = 100
# A 40-megapixel photo is more than any scan needs; more is a decompression bomb, not a document.
MAX_IMAGE_PIXELS = 40_000_000
# Characters Windows refuses in names, and the quote that ends a header's quoted string.
RESERVED = str.maketrans({char: "_" for char in '"<>:|?*'})
IMAGE_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}
KEPT_IMAGE_INFO = ("transparency", "dpi")


class Refused(ValueError):
    """Why a file cannot be kept: "empty", "too_large", "unknown_type" or "unreadable_image"."""

    def __init__(self, why: str):
        super().__init__(why)
        self.why = why


def clean_upload(data: bytes) -> tuple[str, bytes]:
    """The file's real type and the bytes to store (images re-encoded), or Refused saying why."""
    if not data:
        raise Refused("empty")
    if len(data) > MAX_FILE_BYTES:
        raise Refused("too_large")
    content_type = sniff(data)
    if content_type is None:
        raise Refused("unknown_type")
    if content_type in IMAGE_FORMATS:
        try:
            data = reencode_image(data, content_type)
        except UnreadableImage:
            raise Refused("unreadable_image") from None
    return content_type, data


def sniff(data: bytes) -> str | None:
    for magic, content_type in SIGNATURES:
        if data.startswith(magic):
            return content_type
    return None


def is_control_character(char: str) -> bool:
    """Cc/Cf/Cs/Co/Cn and the line and paragraph separators: nothing a name or a URL should carry."""
    category = unicodedata.category(char)
    return category[0] == "C" or category in ("Zl", "Zp")


def shown_name(sent: str | None) -> str:
    """The name as its sender knows it, without folders or control and direction characters."""
    name = unicodedata.normalize("NFC", sent or "").replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(char for char in name if not is_control_character(char))


def safe_filename(sent: str | None, content_type: str) -> str:
    """The name to keep and show: `shown_name`, at most MAX_FILENAME_LENGTH characters, ending in an
    extension that matches the file's real type."""
    name = shown_name(sent).translate(RESERVED).strip(" .")
    extensions = EXTENSIONS[content_type]
    if not name.lower().endswith(extensions):
        name = (name or "upload") + extensions[0]
    stem, dot, extension = name.rpartition(".")
    return stem[: MAX_FILENAME_LENGTH - len(extension) - 1] + dot + extension


class UnreadableImage(ValueError):
    """The bytes start like a JPEG or PNG but do not decode as one."""


def reencode_image(data: bytes, content_type: str) -> bytes:
    """Decode the image and write its pixels afresh: whatever rode along (HTML after the end marker,
    in a comment or a text chunk, EXIF with GPS) is left behind, so a polyglot cannot survive."""
    image_format = IMAGE_FORMATS[content_type]
    try:
        with Image.open(io.BytesIO(data), formats=[image_format]) as image:
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise UnreadableImage("too many pixels")
            image.load()
            upright = ImageOps.exif_transpose(image)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
        raise UnreadableImage(str(error)) from None
    if image_format == "JPEG" and upright.mode not in ("L", "RGB", "CMYK"):
        upright = upright.convert("RGB")
    # Pillow writes some of what it read (a JPEG comment, EXIF, XMP) back out: keep only what the pixels need.
    upright.info = {key: value for key, value in upright.info.items() if key in KEPT_IMAGE_INFO}
    out = io.BytesIO()
    upright.save(out, image_format, **({"quality": 90} if image_format == "JPEG" else {}))
    return out.getvalue()


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
