"""Uploaded files: names made safe when stored, images re-encoded so no polyglot survives."""

import io
import struct
import zlib

import pytest
from PIL import Image

from seeding.files import tiny_png
from services.applications.drafts import attach_upload, start_draft
from services.errors import Invalid
from services.uploads import MAX_FILENAME_LENGTH, safe_filename
from tests.conftest import PDF
from tests.factories import make_citizen
from tests.sample import newborn

HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def jpeg(comment: bytes = b"") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 30, 30)).save(out, "JPEG", comment=comment)
    return out.getvalue()


def png_with_text_chunk(text: bytes) -> bytes:
    plain = tiny_png(90)
    return plain[:33] + png_chunk(b"tEXt", b"Comment\x00" + text) + plain[33:]  # after the 33-byte signature+IHDR


@pytest.fixture
def upload(session, catalog, store):
    """Attach `data` named `filename` to the first uploadable material of a new newborn draft."""
    bundle = newborn(catalog)
    citizen = make_citizen(session)
    material = next(m for m in bundle.materials if not m.wallet_cert)
    draft = start_draft(session=session, actor=citizen, service_code=bundle.code, catalog=catalog)

    def attach(data: bytes, filename: str = "scan.png"):
        attachment = attach_upload(
            session=session,
            actor=citizen,
            key=draft.key,
            material_key=material.key,
            filename=filename,
            data=data,
            store=store,
            catalog=catalog,
        )
        return attachment, store.path(attachment.storage_name).read_bytes()

    attach.material = material
    return attach


@pytest.mark.parametrize(
    "polyglot",
    [
        tiny_png(90) + HTML,  # HTML after IEND
        png_with_text_chunk(HTML),  # HTML in a text chunk
    ],
)
def test_a_png_html_polyglot_is_stored_re_encoded_without_the_html(upload, polyglot):
    attachment, stored = upload(polyglot)
    assert attachment.content_type == "image/png"
    assert b"<script" not in stored and b"<html" not in stored
    assert Image.open(io.BytesIO(stored)).size == (8, 8)


@pytest.mark.parametrize("polyglot", [jpeg() + HTML, jpeg(comment=HTML)])
def test_a_jpeg_html_polyglot_is_stored_re_encoded_without_the_html(upload, polyglot):
    attachment, stored = upload(polyglot, "photo.jpg")
    assert attachment.content_type == "image/jpeg"
    assert b"<script" not in stored
    assert Image.open(io.BytesIO(stored)).format == "JPEG"


@pytest.mark.parametrize("fake", [b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, b"\xff\xd8\xff" + HTML])
def test_a_file_that_claims_to_be_an_image_but_is_not_is_refused_naming_the_material(upload, fake):
    with pytest.raises(Invalid) as refused:
        upload(fake)
    assert "cannot be read" in refused.value.errors[upload.material.key]


def test_a_pdf_is_stored_as_sent(upload):
    attachment, stored = upload(PDF, "birth.pdf")
    assert stored == PDF and attachment.content_type == "application/pdf"


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\chen\\出生医学证明.pdf", "出生医学证明.pdf"),
        ("a\x00b\x1fc\r\n.pdf", "abc.pdf"),
        ('he said "yes"; x=1.pdf', "he said _yes_; x=1.pdf"),
        ("..", "upload.pdf"),
        ("", "upload.pdf"),
        ("page.html", "page.html.pdf"),
        ("scan.PDF", "scan.PDF"),
        ("\u202egnp.pdf", "gnp.pdf"),  # right-to-left override: a name that reads as something else
    ],
)
def test_upload_names_lose_path_parts_control_characters_and_quotes(sent, kept):
    assert safe_filename(sent, "application/pdf") == kept


def test_a_long_upload_name_is_shortened_keeping_its_extension():
    name = safe_filename("证" * 5000 + ".pdf", "application/pdf")
    assert len(name) == MAX_FILENAME_LENGTH
    assert name.endswith("证.pdf")


def test_the_stored_name_is_the_safe_one(upload):
    attachment, _ = upload(PDF, "../" * 100 + "x" * 5000 + "\x00.pdf")
    assert attachment.filename == "x" * (MAX_FILENAME_LENGTH - 4) + ".pdf"
