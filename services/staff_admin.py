"""The city's staff accounts, administered by a city supervisor: add, close, reopen, reset, move.

Every change is an audit event in the staff member's own chain ("staff:42"), so `audit verify`
holds them like any case's. The city always keeps one active city supervisor: closing the last
one, or moving them away, is refused. A clerk who holds tasks is not moved or closed until a
supervisor hands them on (the Staff page), so no task is left with someone who cannot act on it.
"""

import secrets
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from services.accounts import create_staff, staff_post_problems
from services.audit import record_event
from services.catalog import Catalog
from services.db import transactional
from services.errors import Conflict, Invalid, NotFound
from services.i18n import N_
from services.models import Role, Task, User
from services.passwords import hash_password
from services.policy import require_city_supervisor
from services.signin import end_all_sessions
from services.workflow.case_types import case_types


@dataclass(frozen=True)
class NewPassword:
    """A one-time password to hand to the staff member; shown once, never stored in clear."""

    user: User
    password: str


def staff_directory(*, session: Session, actor: User) -> list[User]:
    require_city_supervisor(actor)
    return list(
        session.exec(
            select(User)
            .where(col(User.role).in_(Role.STAFF))
            .order_by(col(User.is_active).desc(), col(User.role), col(User.department), col(User.login_name))
        )
    )


def staff_member(*, session: Session, actor: User, user_id: int) -> User:
    require_city_supervisor(actor)
    user = session.get(User, user_id)
    if user is None or user.role not in Role.STAFF:
        raise NotFound(N_("no such staff member"))
    return user


@transactional
def add_staff(
    *, session: Session, actor: User, username: str, full_name: str, role: str, department: str | None, catalog: Catalog
) -> NewPassword:
    """A new staff account with a one-time password; they set up their second factor at the first sign-in."""
    require_city_supervisor(actor)
    password = _one_time_password()
    user = create_staff(
        session=session,
        username=username,
        full_name=full_name,
        role=role,
        password=password,
        department=department or None,
        catalog=catalog,
    )
    _record(session, actor, user, "staff.add", role=user.role, department=user.department)
    return NewPassword(user, password)


@transactional
def close_account(*, session: Session, actor: User, user_id: int, reason: str) -> User:
    """Sign them out everywhere and keep them out; their record and their decisions stay."""
    user = staff_member(session=session, actor=actor, user_id=user_id)
    if not user.is_active:
        raise Conflict(N_("this account is closed already"))
    _keep_a_city_supervisor(session, user)
    _refuse_while_holding(session, user)
    reason = _required(reason)
    user.is_active = False
    session.add(user)
    end_all_sessions(session=session, user=user)
    _record(session, actor, user, "staff.close", reason=reason)
    return user


@transactional
def reopen_account(*, session: Session, actor: User, user_id: int) -> User:
    user = staff_member(session=session, actor=actor, user_id=user_id)
    if user.is_active:
        raise Conflict(N_("this account is open already"))
    user.is_active = True
    session.add(user)
    _record(session, actor, user, "staff.reopen")
    return user


@transactional
def reset_password(*, session: Session, actor: User, user_id: int) -> NewPassword:
    """A new one-time password; every session of theirs ends (the old password may be known to someone)."""
    user = staff_member(session=session, actor=actor, user_id=user_id)
    password = _one_time_password()
    user.password_hash = hash_password(password)
    session.add(user)
    end_all_sessions(session=session, user=user)
    _record(session, actor, user, "staff.reset_password")
    return NewPassword(user, password)


@transactional
def change_post(
    *, session: Session, actor: User, user_id: int, role: str, department: str | None, catalog: Catalog
) -> User:
    """Move a staff member to another role or department."""
    user = staff_member(session=session, actor=actor, user_id=user_id)
    department = department or None
    errors = staff_post_problems(role, department, catalog)
    if errors:
        raise Invalid("cannot change the post", errors)
    if (role, department) == (user.role, user.department):
        raise Invalid("nothing changes", {"role": N_("This is their post already: choose another role or department.")})
    if user.role == Role.SUPERVISOR and user.department is None:
        _keep_a_city_supervisor(session, user)
    _refuse_while_holding(session, user)
    _record(session, actor, user, "staff.move", role=[user.role, role], department=[user.department, department])
    user.role, user.department = role, department
    session.add(user)
    end_all_sessions(session=session, user=user)  # their menus and rights change: they sign in again
    return user


def _keep_a_city_supervisor(session: Session, user: User) -> None:
    if user.role != Role.SUPERVISOR or user.department is not None or not user.is_active:
        return
    others = session.exec(
        select(func.count())
        .select_from(User)
        .where(
            col(User.role) == Role.SUPERVISOR,
            col(User.department).is_(None),
            col(User.is_active) == True,  # noqa: E712 (SQL, not Python)
            col(User.id) != user.id,
        )
    ).one()
    if not others:
        raise Conflict(N_("the city needs at least one active city supervisor: appoint another first"))


def _refuse_while_holding(session: Session, user: User) -> None:
    held = sorted({state for case_type in case_types().values() for state in case_type.task_lists.held})
    holding = session.exec(
        select(func.count()).select_from(Task).where(col(Task.assignee_id) == user.id, col(Task.status).in_(held))
    ).one()
    if holding:
        raise Conflict(N_("they still hold tasks: hand them on from the Staff page first"))


def _required(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("a reason is required", {"reason": N_("Please give a reason.")})
    return reason


def _one_time_password() -> str:
    return secrets.token_urlsafe(12)  # 16 characters, 96 random bits: no dictionary guesses it


def _record(session: Session, actor: User, user: User, event: str, reason: str | None = None, **changed) -> None:
    record_event(
        session,
        actor=actor,
        event=event,
        chain=f"staff:{user.id}",
        reason=reason,
        payload={"login": user.login_name, **changed},
    )
