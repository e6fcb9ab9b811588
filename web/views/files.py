"""Material files, served only to the applicant and staff allowed to see the case."""
from flask import Blueprint, send_file
from flask_login import current_user

from services import policy
from services.applications.queries import get_attachment
from web.extensions import catalog, db_session, file_store
from web.views.helpers import route_policy

bp = Blueprint("files", __name__)


@bp.get("/files/<key>")
@route_policy(policy.SIGNED_IN)
def download(key: str):
    attachment = get_attachment(session=db_session(), actor=current_user, key=key, catalog=catalog())
    response = send_file(
        file_store().path(attachment.storage_name),
        mimetype=attachment.content_type,
        download_name=attachment.filename,
        as_attachment=attachment.content_type == "application/pdf",
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
