"""The notification outbox: written in the transaction of the change it reports, sent after commit.

A message is an English msgid with parameters, so each reader sees it in their
language. An in-app message is in the reader's inbox as soon as its change commits; SMS and
e-mail wait for `send_outbox` (run by the worker), which locks each row (PostgreSQL: SKIP LOCKED) and marks it sent
with a compare-and-set before its commit, so two senders running at once never send
one message twice.
"""

import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from services import clock
from services.db import rows_matched, transactional
from services.models import Application, Notification, User

log = logging.getLogger(__name__)

IN_APP = "in_app"
SMS = "sms"
EMAIL = "email"
CHANNELS = (IN_APP, SMS, EMAIL)


def notify(
    session: Session,
    *,
    user: User,
    template: str,
    params: dict[str, Any] | None = None,
    case: Any = None,
    channels: tuple[str, ...] = CHANNELS,
) -> None:
    """Queue one message to a user on every channel they can be reached by (about a case of any kind)."""
    _queue(session, _messages(user, template, params, case, channels))


def notify_staff(
    session: Session,
    *,
    role: str,
    template: str,
    params: dict[str, Any] | None = None,
    department: str | None = None,
    case: Any = None,
) -> None:
    """In-app message to every active staff member of a role (of a department, or city-wide ones)."""
    query = select(User).where(User.role == role, User.is_active == True)  # noqa: E712
    if department is not None:
        query = query.where((col(User.department) == department) | (col(User.department).is_(None)))
    _queue(
        session,
        [message for user in session.exec(query) for message in _messages(user, template, params, case, (IN_APP,))],
    )


def _messages(
    user: User, template: str, params: dict[str, Any] | None, case: Any, channels: tuple[str, ...]
) -> list[dict[str, Any]]:
    addresses = {IN_APP: None, SMS: user.mobile, EMAIL: user.email}
    moment = clock.now()
    # An application's message keeps its foreign key to it; another kind's names the case's chain.
    application_id = case.id if isinstance(case, Application) else None
    case_chain = case.chain if case is not None and application_id is None else None
    return [
        {
            "user_id": user.id,
            "application_id": application_id,
            "case_chain": case_chain,
            "channel": channel,
            "template": template,
            "params": dict(params or {}),
            "address": addresses[channel],
            "created_at": moment,
            # In the inbox as soon as the change commits: only SMS and e-mail wait for the outbox's sender.
            "sent_at": moment if channel == IN_APP else None,
        }
        for channel in channels
        if channel == IN_APP or addresses[channel]
    ]


_INSERT_NOTIFICATIONS = insert(Notification.__table__)  # type: ignore[attr-defined]  # SQLModel sets it


@dataclass
class _Together:
    depth: int = 0
    messages: list[dict[str, Any]] | None = None


@contextmanager
def queued_together(session: Session) -> Iterator[None]:
    """Messages queued inside are inserted in one statement when the outermost block ends.

    A decision that finishes its case tells the applicant twice (decided, then finished): one
    INSERT, not one for each. If the block fails, nothing it queued is written.
    """
    together = session.info.setdefault("notifications_together", _Together())
    together.depth += 1
    if together.depth == 1:
        together.messages = []
    try:
        yield
        if together.depth == 1:
            _insert(session, together.messages or [])
    finally:
        together.depth -= 1
        if not together.depth:
            together.messages = None


def _queue(session: Session, messages: list[dict[str, Any]]) -> None:
    together = session.info.get("notifications_together")
    if together is not None and together.messages is not None:
        together.messages.extend(messages)
    else:
        _insert(session, messages)


def _insert(session: Session, messages: list[dict[str, Any]]) -> None:
    # One INSERT for them all (NULLs written as such, so rows with and without an address are not
    # split into separate statements); nothing reads the rows back in this transaction. The rows
    # point only at stored rows: what the transaction changed so far may wait for its next write.
    # Core on the connection, built once: no flush first, and no statement to build each time.
    if messages:
        session.connection().execute(_INSERT_NOTIFICATIONS, messages)


class FileGateway:
    """Stands in for the SMS and e-mail gateways: one JSON line per message sent.

    A city wires a real gateway with the same `send` signature; these machines reach none.
    """

    def __init__(self, directory: str | Path):
        self.directory = Path(directory)

    def send(self, notification: Notification, text: str) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {"id": notification.id, "to": notification.address, "text": text, "at": clock.now().isoformat()},
            ensure_ascii=False,
        )
        with (self.directory / f"{notification.channel}.log").open("a", encoding="utf-8") as log:
            log.write(line + "\n")


@dataclass(frozen=True)
class SendReport:
    sent: int
    failed: int


def send_outbox(*, session: Session, gateway, render: Callable[[str, dict], str], limit: int = 500) -> SendReport:
    """Send what is waiting, each message exactly once however many senders run at the same time.

    Each message is its own transaction: claim it, hand it to the gateway, mark it sent,
    commit. On PostgreSQL the claim is `SELECT … FOR UPDATE SKIP LOCKED`, so senders on
    several servers share the outbox without waiting for one another; everywhere the mark
    is a compare-and-set on `sent_at`, which is all SQLite (one writer at a time) needs.
    A message whose send fails stays unsent for the next run.
    """
    sent = failed = 0
    after = 0
    while sent + failed < limit:
        notification = session.exec(
            select(Notification)
            .where(col(Notification.sent_at).is_(None), col(Notification.id) > after)
            .order_by(col(Notification.id))
            .limit(1)
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        ).first()
        if notification is None:
            session.rollback()
            break
        assert notification.id is not None  # read from the table
        after = notification.id
        moment = clock.now()
        claimed = rows_matched(
            session,
            update(Notification)
            .where(col(Notification.id) == notification.id, col(Notification.sent_at).is_(None))
            .values(sent_at=moment)
            .execution_options(synchronize_session=False),
        )
        if claimed != 1:  # another sender got there first
            session.rollback()
            continue
        try:
            if notification.channel != IN_APP:
                gateway.send(notification, render(notification.template, notification.params))
        except OSError as error:
            session.rollback()
            # The notification's id and channel, never its recipient or text.
            log.warning(
                "outbox: sending notification %s by %s failed, kept for the next run: %s",
                notification.id,
                notification.channel,
                error,
            )
            failed += 1
            continue
        session.commit()
        set_committed_value(notification, "sent_at", moment)
        sent += 1
    return SendReport(sent, failed)


def inbox(*, session: Session, user: User, limit: int = 50) -> list[Notification]:
    return list(
        session.exec(
            select(Notification)
            .where(
                Notification.user_id == user.id,
                col(Notification.channel) == IN_APP,
                col(Notification.sent_at).is_not(None),
            )
            .order_by(col(Notification.id).desc())
            .limit(limit)
        )
    )


def unread_count(*, session: Session, user: User) -> int:
    return session.exec(
        select(func.count())
        .select_from(Notification)
        .where(
            Notification.user_id == user.id,
            Notification.channel == IN_APP,
            col(Notification.sent_at).is_not(None),
            col(Notification.read_at).is_(None),
        )
    ).one()


@transactional
def mark_read(*, session: Session, user: User) -> int:
    return rows_matched(
        session,
        update(Notification)
        .where(
            col(Notification.user_id) == user.id,
            col(Notification.channel) == IN_APP,
            col(Notification.read_at).is_(None),
            col(Notification.sent_at).is_not(None),
        )
        .values(read_at=clock.now())
        .execution_options(synchronize_session=False),
    )


def pending_by_channel(*, session: Session) -> dict[str, int]:
    """How many messages the outbox still has to send, per channel."""
    return dict(
        session.exec(
            select(Notification.channel, func.count())
            .where(col(Notification.sent_at).is_(None))
            .group_by(Notification.channel)
            .order_by(Notification.channel)
        ).all()
    )
