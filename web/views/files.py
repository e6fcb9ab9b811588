"""Material files, served only to the applicant and staff allowed to see the case."""

import re
import unicodedata
from urllib.parse import quote

from flask import Blueprint, send_file
from flask_login import current_user

from services import policy
from services.applications.queries import get_attachment
from web.extensions import catalog, db_session, file_store
from web.views.helpers import route_policy

bp = Blueprint("files", __name__)

# A file opened in the browser is a document of its own: sandboxed, it runs nothing and reaches
# nothing, even if it is not what its bytes claimed. The image itself may be shown.
FILE_POLICY = "default-src 'none'; img-src 'self'; sandbox"
NOT_PLAIN = re.compile(r"[^A-Za-z0-9._ -]")


def content_disposition(disposition: str, filename: str) -> str:
    """RFC 6266: the real name as UTF-8 in `filename*`, a plain-ASCII stand-in for older clients."""
    ascii_name = NOT_PLAIN.sub("_", unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode())
    stem, dot, extension = ascii_name.rpartition(".") if "." in ascii_name else (ascii_name, "", "")
    if not re.search("[A-Za-z0-9]", stem):
        ascii_name = "file" + dot + extension
    return f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


@bp.get("/files/<key>")
@route_policy(policy.SIGNED_IN)
def download(key: str):
    attachment = get_attachment(session=db_session(), actor=current_user, key=key, catalog=catalog())
    return serve_stored_file(attachment)


def serve_stored_file(attachment):
    """An uploaded file (of an application or of an enterprise request) as its reader may safely receive it."""
    response = send_file(file_store().path(attachment.storage_name), mimetype=attachment.content_type, max_age=0)
    # A PDF may carry scripts for its reader: it is saved, never opened by the browser here.
    disposition = "attachment" if attachment.content_type == "application/pdf" else "inline"
    response.headers["Content-Disposition"] = content_disposition(disposition, attachment.filename or "file")
    response.headers["Content-Security-Policy"] = FILE_POLICY
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
