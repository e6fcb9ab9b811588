"""The transparency log in public: its signed heads and keys, the standalone verifier, and receipts."""

import base64
import json

from flask import Blueprint, Response, request, send_file
from flask_login import current_user

from services import policy
from services.transparency.receipts import application_receipt, head_json, list_heads
from web.config import PROJECT_ROOT
from web.extensions import catalog, db_session, head_signer, published_keys
from web.views.helpers import route_policy

bp = Blueprint("transparency", __name__)

VERIFIER = PROJECT_ROOT / "tools" / "verify_receipt.py"
HEADS_PAGE = 1000


@bp.get("/transparency/heads")
@route_policy(policy.PUBLIC)
def heads():
    """Anyone may fetch and keep these: a head once seen binds the log to every event under it."""
    after = request.args.get("after", "0")
    current = head_signer().key_id
    listed = list_heads(session=db_session(), after=int(after) if after.isdigit() else 0, limit=HEADS_PAGE)
    body = {
        "keys": [
            {"key_id": key_id, "public_key": base64.b64encode(raw).decode("ascii"), "current": key_id == current}
            for key_id, raw in sorted(published_keys().items())
        ],
        "heads": [head_json(head) for head in listed],
        # The next page starts after the last head listed; fewer than a page means there is none.
        "more": len(listed) == HEADS_PAGE,
    }
    return _json(body)


@bp.get("/transparency/verifier.py")
@route_policy(policy.PUBLIC)
def verifier():
    return send_file(VERIFIER, mimetype="text/x-python", as_attachment=True, download_name="verify_receipt.py")


@bp.get("/applications/<key>/receipt.json")
@route_policy(policy.SIGNED_IN)
def receipt(key: str):
    """The applicant's own case, or staff who may open the case; anyone else finds nothing here."""
    body = application_receipt(session=db_session(), actor=current_user, key=key, catalog=catalog())
    response = _json(body)
    response.headers["Content-Disposition"] = f'attachment; filename="receipt-{body["application"]}.json"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _json(body: dict) -> Response:
    return Response(json.dumps(body, ensure_ascii=False, indent=1) + "\n", mimetype="application/json")
