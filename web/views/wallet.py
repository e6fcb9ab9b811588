"""The wallet's certificates: the card, its 亮证 code and its PDF; the counter's check of a scanned code."""

from datetime import date

import segno
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import Blueprint, current_app, make_response, render_template
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from services import policy
from services.catalog.model import DataLabel, Text
from services.i18n import N_
from services.models import Role
from services.wallet.cards import CertificateCard, open_certificate, present_certificate
from services.wallet.counter import check_presented_code
from web.certificate_pdf import certificate_pdf
from web.extensions import catalog, configured_key, db_session
from web.forms.wallet import CheckCodeForm
from web.views.files import content_disposition
from web.views.helpers import locale_code, route_policy

bp = Blueprint("wallet", __name__)
NAV = ((Role.STAFF, "wallet.verify", N_("Check a certificate")),)
# A page holding a live code must not come back from a cache once the code has expired.
NO_STORE = "private, no-store"
PDF_NOTE = N_(
    "A printed copy of an e-certificate, for your records. "
    "To prove it at a counter, show the code on its card in your wallet."
)


def signing_key() -> Ed25519PrivateKey:
    """The key that signs 亮证 codes."""
    return configured_key("CERTIFICATE_SIGNING_KEY", "CERTIFICATE_KEY_FILE")


def shown_value(spec: DataLabel, value: str) -> str:
    """A value as people read it: dates in words, ID numbers grouped, a choice by its label."""
    if spec.type == "date":
        try:
            return format_date(date.fromisoformat(value), "long")
        except ValueError:
            return value
    if spec.type == "id_number":
        return grouped_id_number(value)
    for option in spec.options:
        if option.value == value:
            return option.label.get(locale_code())
    return value


def grouped_id_number(value: str) -> str:
    """330106 19900101 0017: the place, the birth date, the serial and check digit (GB 11643)."""
    return f"{value[:6]} {value[6:14]} {value[14:]}" if len(value) == 18 else value


def _type_name(card: CertificateCard) -> Text:
    return card.cert_type.name if card.cert_type else Text(card.certificate.cert_type, card.certificate.cert_type)


def _issuer(card: CertificateCard) -> Text:
    department = catalog().departments.get(card.certificate.issued_by)
    return department.name if department else Text(card.certificate.issued_by, card.certificate.issued_by)


def summary_rows(card: CertificateCard) -> list[tuple[str, str]]:
    """Holder, number, issuer and date, in the page's language; the holder once, if the data names them."""
    holder = card.holder
    identity = (
        (_("ID number"), grouped_id_number(holder.id_number))
        if holder.id_number
        else (_("Unified social credit code"), holder.credit_code or "")
    )
    stated = {line.value for line in card.lines}
    holder_rows = [
        row
        for row, raw in (
            ((_("Holder"), holder.full_name), holder.full_name),
            (identity, holder.id_number or holder.credit_code),
        )
        if raw not in stated
    ]
    return holder_rows + [
        (_("Certificate number"), card.certificate.number),
        (_("Issued by"), _issuer(card).get(locale_code())),
        (_("Issued on"), format_date(card.certificate.issued_on, "long")),
    ]


def data_rows(card: CertificateCard) -> list[tuple[str, str]]:
    return [(line.spec.label.get(locale_code()), shown_value(line.spec, line.value)) for line in card.lines]


@bp.get("/wallet/<key>")
@route_policy(policy.SIGNED_IN)
def card(key: str):
    """The certificate's card; its holder also gets a fresh 亮证 code with every load."""
    opened = open_certificate(session=db_session(), actor=current_user, key=key, catalog=catalog())
    code = claims = qr = None
    if opened.holder.id == current_user.id:
        code, claims = present_certificate(opened, signing_key())
        qr = Markup(
            segno.make(code, error="m").svg_inline(
                omitsize=True, dark="#000", light="#fff", svgclass="qr-code", title=_("Code to show at a counter")
            )
        )
    response = make_response(
        render_template(
            "wallet/card.html",
            card=opened,
            name=_type_name(opened).get(locale_code()),
            summary=summary_rows(opened),
            rows=data_rows(opened),
            qr=qr,
            code=code,
            claims=claims,
        )
    )
    response.headers["Cache-Control"] = NO_STORE
    return response


def _in(locale: str, make):
    with force_locale(locale):
        return make()


def _in_both_languages(make) -> list[tuple[Text, Text]]:
    """(label, value) rows made once in Chinese and once in English, paired: the PDF carries both."""
    zh, en = _in("zh", make), _in("en", make)
    return [(Text(a[0], b[0]), Text(a[1], b[1])) for a, b in zip(zh, en, strict=True)]


@bp.get("/wallet/<key>/certificate.pdf")
@route_policy(policy.SIGNED_IN)
def pdf(key: str):
    opened = open_certificate(session=db_session(), actor=current_user, key=key, catalog=catalog())

    body = certificate_pdf(
        title=_type_name(opened),
        lines=_in_both_languages(lambda: summary_rows(opened) + data_rows(opened)),
        note=Text(*(_in(locale, lambda: _(PDF_NOTE)) for locale in ("zh", "en"))),
        font_path=current_app.config["CERTIFICATE_FONT"],
    )
    response = make_response(body)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = content_disposition("attachment", f"{opened.certificate.number}.pdf")
    response.headers["Cache-Control"] = NO_STORE
    return response


@bp.route("/verify-certificate", methods=["GET", "POST"])
@route_policy(policy.STAFF)
def verify():
    """The counter scans the applicant's code into a box and reads valid, expired or forged."""
    form = CheckCodeForm()
    result = None
    if form.validate_on_submit():
        result = check_presented_code(
            session=db_session(),
            actor=current_user,
            text=form.code.data,
            public_key=signing_key().public_key(),
            catalog=catalog(),
        )
        form.code.data = ""  # the box is ready for the next code
    rows = []
    if result is not None and result.lines:
        rows = [(line.spec.label.get(locale_code()), shown_value(line.spec, line.value)) for line in result.lines]
    status = 422 if form.errors else 200
    return render_template("wallet/verify.html", form=form, result=result, rows=rows), status
