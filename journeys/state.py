"""Read-only snapshots a journey's expectations compare against (served only in test mode)."""

from sqlalchemy import func, or_
from sqlmodel import Session, select

from services import clock
from services.applications.progress import application_clock, task_clock
from services.catalog import default_catalog
from services.errors import NotFound
from services.models import (
    Application,
    ApplicationStatus,
    BenefitOffer,
    Certificate,
    Notice,
    Notification,
    Rating,
    Rectification,
    Task,
    TaskStatus,
    User,
    Visit,
)
from services.workdays import load_calendar


def find_user(session: Session, login: str) -> User:
    """A user by any name they log in with: ID number, credit code, mobile or staff username."""
    login = login.strip()
    user = session.exec(
        select(User).where(or_(User.login_name.in_((login, login.upper(), login.lower())), User.mobile == login))
    ).first()
    if user is None:
        raise NotFound("no such user")
    return user


def english(template: str, params: dict) -> str:
    """A stored message as an English reader sees it: the msgid with the `_en` variants of names."""
    values = dict(params)
    values.update({name[:-3]: value for name, value in params.items() if name.endswith("_en")})
    try:
        return template % values
    except (KeyError, TypeError, ValueError):
        return template


def _late(task: Task, today) -> bool:
    if task.deadline is None:
        return False
    if task.decided_at is not None:
        return clock.to_china(task.decided_at).date() > task.deadline
    return task.status in TaskStatus.OPEN and task.paused_since is None and today > task.deadline


def application_state(*, session: Session, key: str) -> dict:
    application = session.exec(select(Application).where(Application.key == key)).first()
    if application is None:
        raise NotFound("no such application")
    calendar, today = load_calendar(session=session), clock.china_today()
    tasks = list(session.exec(select(Task).where(Task.application_id == application.id).order_by(Task.id)))
    certificates = session.exec(
        select(Certificate.cert_type)
        .where(Certificate.application_id == application.id)
        .order_by(Certificate.cert_type)
    ).all()
    visits = list(session.exec(select(Visit).where(Visit.application_id == application.id)))
    second_notice = session.exec(
        select(func.count()).select_from(Notice).where(Notice.application_id == application.id, Notice.breach)
    ).one()
    notifications = session.exec(
        select(Notification, User.key)
        .join(User, User.id == Notification.user_id)
        .where(Notification.application_id == application.id, Notification.channel == "in_app")
        .order_by(Notification.id)
    ).all()
    rating = session.exec(select(Rating).where(Rating.application_id == application.id)).first()
    rectifications = (
        session.exec(select(Rectification).where(Rectification.rating_id == rating.id).order_by(Rectification.id)).all()
        if rating
        else []
    )
    case_clock = application_clock(application, calendar, today)
    applicant = session.get(User, application.applicant_id)

    def task_row(task: Task) -> dict:
        counted = task_clock(task, calendar, today, default_catalog().sla)
        return {
            "key": task.key,
            "status": task.status,
            "department": task.department,
            "deadline": task.deadline.isoformat() if task.deadline else None,
            "colour": counted.colour if counted else "none",
            "owed": list(task.owed_materials),
        }

    return {
        "key": application.key,
        "number": application.number,
        "service": application.service_code,
        "applicant": applicant.key,
        "status": application.status,
        "deadline": application.deadline.isoformat() if application.deadline else None,
        "colour": case_clock.colour if case_clock else "none",
        "visits": len(visits),
        "breaches": {
            "second_notice": bool(second_notice),
            "visit_beyond_promise": any(visit.beyond_promise for visit in visits),
            "overdue": any(_late(task, today) for task in tasks),
        },
        "tasks": {task.item_code: task_row(task) for task in tasks},
        "certificates": list(certificates),
        "notifications": [
            {"to": user_key, "text": english(n.template, n.params), "sent": n.sent_at is not None}
            for n, user_key in notifications
        ],
        "rating": rating.score if rating else None,
        "rectifications": [{"key": r.key, "department": r.department, "status": r.status} for r in rectifications],
        "today": today.isoformat(),
    }


def user_state(*, session: Session, login: str) -> dict:
    user = find_user(session, login)
    wallet = session.exec(
        select(Certificate.cert_type).where(Certificate.owner_id == user.id).order_by(Certificate.cert_type)
    ).all()
    counts = dict(
        session.exec(
            select(Application.status, func.count())
            .where(Application.applicant_id == user.id)
            .group_by(Application.status)
        ).all()
    )
    return {
        "key": user.key,
        "role": user.role,
        "login": user.login_name,
        "department": user.department,
        "wallet": list(wallet),
        "applications": sum(n for status, n in counts.items() if status != ApplicationStatus.DRAFT),
        "by_status": counts,
        "offers": dict(
            session.exec(
                select(BenefitOffer.policy, BenefitOffer.key).where(BenefitOffer.applicant_id == user.id)
            ).all()
        ),
    }
