"""Small pieces every blueprint and template shares."""

from functools import wraps
from urllib.parse import urlsplit

from flask import Flask, abort, request, session
from flask_babel import format_date, format_datetime, get_locale
from flask_login import current_user, login_required
from markupsafe import Markup

from services.clock import to_china
from services.policy import RouteRule
from services.uploads import MAX_FILE_MB, is_control_character
from web.extensions import catalog
from web.forms.account import ElderModeForm, EmptyForm, LanguageForm
from web.messages import (
    colour_label,
    delivery_label,
    event_label,
    role_label,
    status_label,
    task_status_label,
    translate,
    translate_error,
)
from web.signin import ELDER
from web.tabbar import active_tab, tabs_for
from web.timeline import group_moments


def locale_code() -> str:
    return "en" if str(get_locale()).startswith("en") else "zh"


def elder_mode() -> bool:
    if current_user.is_authenticated:
        return bool(current_user.elder_mode)
    return bool(session.get(ELDER))


def join_names(names) -> str:
    """A list in running text: 、 between Chinese names, a comma between English ones."""
    return ("、" if locale_code() == "zh" else ", ").join(str(name) for name in names)


def in_parentheses(text) -> Markup:
    """（full-width） in Chinese, (half-width) after a space in English; the text is escaped unless it is markup."""
    return Markup("（{}）" if locale_code() == "zh" else " ({})").format(text)


def with_colon(label) -> Markup:
    """A label before its value: 特别程序：… in Chinese, "Special procedure: …" in English."""
    return Markup("{}：" if locale_code() == "zh" else "{}: ").format(label)


def route_policy(rule: RouteRule):
    """Declare who may open a route; every view has one (tests/http/test_route_policies.py walks the URL map).

    A public rule lets everyone in; any other sends the anonymous to sign in and answers 403
    to an account the rule does not admit. Which rows they then see is the services' business.
    """

    def decorator(view):
        if rule.public:
            view.route_policy = rule
            return view

        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not rule.admits(current_user):
                abort(403)
            return view(*args, **kwargs)

        wrapped.route_policy = rule
        return wrapped

    return decorator


# Longer than any page of ours with its query string; a longer `next` is not one we made.
MAX_NEXT_LENGTH = 2000


def safe_next(target: str | None, fallback: str) -> str:
    """Only a path on this site; anything with a scheme, a host or a control character goes to the fallback."""
    if not target or len(target) > MAX_NEXT_LENGTH or any(map(is_control_character, target)):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return fallback
    return target


def apply_errors(form, errors: dict[str, str], prefix: str = "") -> None:
    for name, message in errors.items():
        field = getattr(form, prefix + name, None)
        if field is not None:
            field.errors = list(field.errors) + [translate(message)]


def department_name(code: str) -> str:
    # A clerk works for a department of the catalogue, or for the agency of a dispute route.
    unit = catalog().departments.get(code) or catalog().dispute_routes[code]
    return unit.name.get(locale_code())


def register_template_helpers(app: Flask) -> None:
    @app.template_filter("tr")
    def _text(value) -> str:
        return value.get(locale_code()) if value is not None else ""

    @app.template_filter("local_dt")
    def _local_dt(moment) -> str:
        return format_datetime(to_china(moment).replace(tzinfo=None), "yyyy-MM-dd HH:mm") if moment else ""

    app.add_template_filter(group_moments, "moments")

    @app.template_filter("local_date")
    def _local_date(day) -> str:
        return format_date(day, "yyyy-MM-dd") if day else ""

    app.add_template_filter(join_names, "join_names")
    app.add_template_filter(in_parentheses, "in_parentheses")
    app.add_template_filter(with_colon, "with_colon")

    app.add_template_filter(department_name, "department_name")

    @app.template_filter("item_name")
    def _item_name(code: str) -> str:
        return catalog().items[code].name.get(locale_code())

    @app.context_processor
    def _globals():
        role = current_user.role if current_user.is_authenticated else None
        tabs = tabs_for(role)
        next_path = request.full_path.rstrip("?")
        return {
            "tabs": tabs,
            "active_tab": active_tab(tabs, request.endpoint),
            "elder_mode": elder_mode(),
            # The product's name as each language says it; a Chinese title never ends in Latin letters.
            "product_name": "AtMostOnce" if locale_code() == "en" else "最多跑一次",
            "nav_links": [(endpoint, label) for roles, endpoint, label in app.config["NAV"] if role in roles],
            "catalog": catalog(),
            "max_file_mb": MAX_FILE_MB,
            "locale_code": locale_code(),
            # Shown, never read: formdata=None keeps them off the request body, which an error page
            # (a 413, a broken multipart) must not parse again.
            "language_form": LanguageForm(formdata=None, lang=locale_code(), next=next_path),
            "elder_form": ElderModeForm(formdata=None, next=next_path),
            "empty_form": EmptyForm(formdata=None),
            "translate": translate,
            "translate_error": translate_error,
            "status_label": status_label,
            "delivery_label": delivery_label,
            "role_label": role_label,
            "event_label": event_label,
            "task_status_label": task_status_label,
            "colour_label": colour_label,
        }
