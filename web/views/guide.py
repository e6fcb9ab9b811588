"""Find a service: browse by life event or department, search, read its guide (办事指南)."""

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from services import policy
from services.applications.drafts import wallet_by_type
from web.extensions import catalog, db_session
from web.views.helpers import route_policy

# A real search is a few words; the cut bounds the work a crafted long query would ask of the matcher.
SEARCH_MAX_LENGTH = 100

bp = Blueprint("guide", __name__)


@bp.get("/")
@route_policy(policy.PUBLIC)
def index():
    cat = catalog()
    return render_template(
        "guide/index.html",
        bundles=list(cat.bundles.values()),
        life_events=list(cat.life_events.values()),
        departments=list(cat.departments.values()),
    )


@bp.get("/search")
@route_policy(policy.PUBLIC)
def search():
    query = request.args.get("q", "").strip()[:SEARCH_MAX_LENGTH]
    return render_template("guide/search.html", query=query, results=catalog().search(query) if query else [])


@bp.get("/life-events/<code>")
@route_policy(policy.PUBLIC)
def life_event(code: str):
    cat = catalog()
    event = cat.life_events.get(code)
    if event is None:
        abort(404)
    return render_template("guide/listing.html", heading=event.name, services=cat.for_life_event(code))


@bp.get("/departments/<code>")
@route_policy(policy.PUBLIC)
def department(code: str):
    cat = catalog()
    dept = cat.departments.get(code)
    if dept is None:
        abort(404)
    return render_template("guide/listing.html", heading=dept.name, services=cat.for_department(code))


@bp.get("/services/<code>")
@route_policy(policy.PUBLIC)
def service(code: str):
    try:
        item = catalog().service(code)
    except KeyError:
        abort(404)
    wallet = {}
    if current_user.is_authenticated and current_user.is_applicant:
        wallet = wallet_by_type(db_session(), current_user.id)
    filed_by_dispute = code in catalog().review_items()
    return render_template("guide/service.html", service=item, wallet=wallet, filed_by_dispute=filed_by_dispute)
