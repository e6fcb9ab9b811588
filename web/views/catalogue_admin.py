"""The city supervisor changes the catalogue: an item or bundle drafted as YAML, checked, previewed, published."""

from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from services import clock, policy
from services.catalog.model import version_key
from services.catalog_admin.versions import (
    SECTIONS,
    discard_draft,
    draft,
    drafts,
    entry_text,
    entry_versions,
    preview_catalogue,
    publish_draft,
    save_draft,
)
from services.errors import Conflict, Invalid
from web.extensions import catalog, db_session, refresh_catalog
from web.forms.account import EmptyForm
from web.forms.supervision import CatalogueEntryForm, PublishVersionForm
from web.messages import translate
from web.views.helpers import apply_errors, route_policy

bp = Blueprint("catalogue_admin", __name__)
city_supervisors_only = route_policy(policy.CITY_SUPERVISORS)
NAV = ()  # reached from the supervisor's Staff page, beside the staff accounts


def _directory() -> Path:
    return Path(current_app.config["CATALOG_DIR"]).resolve()


def _entry(section: str, code: str):
    entries = catalog().items if section == "items" else catalog().bundles if section in SECTIONS else {}
    if code not in entries:
        abort(404)
    return entries[code]


@bp.get("/supervisor/catalogue")
@city_supervisors_only
def index():
    return render_template(
        "catalogue_admin/index.html",
        drafts=drafts(session=db_session(), actor=current_user),
        versions=catalog().versions,
        version_key=version_key,
    )


def _entry_page(section: str, code: str, form: CatalogueEntryForm | None = None, status: int = 200):
    entry = _entry(section, code)
    session = db_session()
    listed = entry_versions(session=session, actor=current_user, directory=_directory(), section=section, code=code)
    if form is None:
        text = entry_text(session=session, directory=_directory(), catalog=catalog(), section=section, code=code)
        form = CatalogueEntryForm(formdata=None, entry_yaml=text)
    open_drafts = [v.row for v in listed if v.row is not None and v.row.is_draft]
    return render_template(
        "catalogue_admin/entry.html",
        entry=entry,
        section=section,
        listed=listed,
        open_drafts=open_drafts,
        in_force=catalog().versions.get(version_key(section, code), 0),
        form=form,
    ), status


@bp.get("/supervisor/catalogue/<section>/<code>")
@city_supervisors_only
def entry(section: str, code: str):
    return _entry_page(section, code)


@bp.post("/supervisor/catalogue/<section>/<code>")
@city_supervisors_only
def start_draft(section: str, code: str):
    _entry(section, code)
    form = CatalogueEntryForm()
    if not form.validate_on_submit():
        return _entry_page(section, code, form, 422)
    try:
        row = save_draft(
            session=db_session(),
            actor=current_user,
            directory=_directory(),
            catalog=catalog(),
            section=section,
            code=code,
            entry_yaml=form.entry_yaml.data,
        )
    except Invalid as error:
        apply_errors(form, error.errors)
        return _entry_page(section, code, form, 422)
    flash(_("Draft saved: it passes the catalogue check. Preview it, then publish it."), "success")
    return redirect(url_for("catalogue_admin.version", key=row.key))


def _version_page(
    key: str, form: CatalogueEntryForm | None = None, publish: PublishVersionForm | None = None, status=200
):
    row = draft(session=db_session(), actor=current_user, key=key)
    return render_template(
        "catalogue_admin/version.html",
        row=row,
        entry=_entry(row.section, row.code),
        form=form or CatalogueEntryForm(formdata=None, entry_yaml=row.entry_yaml),
        publish_form=publish or PublishVersionForm(formdata=None, effective_on=clock.china_today()),
        empty_form=EmptyForm(),
    ), status


@bp.get("/supervisor/catalogue/versions/<key>")
@city_supervisors_only
def version(key: str):
    return _version_page(key)


@bp.post("/supervisor/catalogue/versions/<key>")
@city_supervisors_only
def update_draft(key: str):
    form = CatalogueEntryForm()
    if not form.validate_on_submit():
        return _version_page(key, form, status=422)
    row = draft(session=db_session(), actor=current_user, key=key)
    try:
        save_draft(
            session=db_session(),
            actor=current_user,
            directory=_directory(),
            catalog=catalog(),
            section=row.section,
            code=row.code,
            entry_yaml=form.entry_yaml.data,
            key=key,
        )
    except Invalid as error:
        apply_errors(form, error.errors)
        return _version_page(key, form, status=422)
    except Conflict as error:
        flash(translate(error.message), "warning")
        return redirect(url_for("catalogue_admin.version", key=key))
    flash(_("Draft saved: it passes the catalogue check. Preview it, then publish it."), "success")
    return redirect(url_for("catalogue_admin.version", key=key))


@bp.get("/supervisor/catalogue/versions/<key>/preview")
@city_supervisors_only
def preview(key: str):
    row, previewed = preview_catalogue(session=db_session(), actor=current_user, directory=_directory(), key=key)
    return render_template(
        "guide/service.html",
        service=previewed.service(row.code),
        catalog=previewed,
        wallet={},
        preview=row,
    )


@bp.post("/supervisor/catalogue/versions/<key>/publish")
@city_supervisors_only
def publish(key: str):
    form = PublishVersionForm()
    if not form.validate_on_submit():
        return _version_page(key, publish=form, status=422)
    try:
        row = publish_draft(
            session=db_session(),
            actor=current_user,
            directory=_directory(),
            key=key,
            effective_on=form.effective_on.data,
        )
    except Invalid as error:
        apply_errors(form, error.errors)
        return _version_page(key, publish=form, status=422)
    except Conflict as error:
        flash(translate(error.message), "warning")
        return redirect(url_for("catalogue_admin.version", key=key))
    refresh_catalog(current_app, force=True)  # the publisher sees it at once; other processes within seconds
    flash(_("Published: new applications use it from %(date)s.", date=row.effective_on.isoformat()), "success")
    return redirect(url_for("catalogue_admin.entry", section=row.section, code=row.code))


@bp.post("/supervisor/catalogue/versions/<key>/discard")
@city_supervisors_only
def discard(key: str):
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("catalogue_admin.version", key=key))
    try:
        row = discard_draft(session=db_session(), actor=current_user, key=key)
    except Conflict as error:
        flash(translate(error.message), "warning")
        return redirect(url_for("catalogue_admin.version", key=key))
    flash(_("Draft discarded."), "success")
    return redirect(url_for("catalogue_admin.entry", section=row.section, code=row.code))
