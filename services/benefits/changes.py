"""Which subjects' facts changed since a sweep last looked: the event trigger of 免申即享.

Where the government's data about a subject changes (a certificate issued into a wallet, a record
written), `mark_changed` notes the subject in the same transaction. A quick sweep reads the marks
past its watermark (`changed_since`), judges only those subjects, and moves its watermark on
(`advance_watermark`): a birth certificate issued at noon brings the childcare offer within the minute.
"""

from sqlalchemy import insert
from sqlmodel import Session, col, func, select

from services import clock
from services.models import BenefitChange, BenefitSweepMark


def mark_changed(session: Session, *, subject_id: int) -> None:
    """Note that a subject's facts changed; an insert of its own, so writers never share a row.

    On the connection, so nothing else the session holds is flushed by it (an approval's decision
    rides along with its delivery's move).
    """
    session.connection().execute(_INSERT_CHANGE, {"subject_id": subject_id, "changed_at": clock.now()})


_INSERT_CHANGE = insert(BenefitChange.__table__)  # type: ignore[attr-defined]  # SQLModel sets it


def changed_since(session: Session, *, watermark: int) -> tuple[set[int], int]:
    """The subjects marked after `watermark`, and the mark to resume from next time.

    The new mark is the highest id read. On PostgreSQL a mark whose transaction commits after a
    higher one was read falls behind the watermark: the quick sweep misses it and the nightly full
    sweep, which judges everyone, makes its offer that night instead.
    """
    rows = session.exec(
        select(BenefitChange.id, BenefitChange.subject_id).where(col(BenefitChange.id) > watermark)
    ).all()
    subjects, last = set(), watermark
    for change_id, subject_id in rows:
        assert change_id is not None  # a stored row
        subjects.add(subject_id)
        last = max(last, change_id)
    return subjects, last


def read_watermark(session: Session, *, name: str) -> int:
    """How far the sweep called `name` has read the marks (0: from the start), locked until the commit."""
    mark = session.exec(select(BenefitSweepMark).where(col(BenefitSweepMark.name) == name).with_for_update()).first()
    if mark is None:
        # Marks written before this sweep first ran are read from the start.
        return 0
    return mark.last_change_id


def advance_watermark(session: Session, *, name: str, to: int) -> None:
    mark = session.get(BenefitSweepMark, name)
    if mark is None:
        session.add(BenefitSweepMark(name=name, last_change_id=to))
    elif to > mark.last_change_id:
        mark.last_change_id = to
        session.add(mark)


def latest_mark(session: Session) -> int:
    """The highest mark written so far: a full sweep starts the quick one's watermark here."""
    return session.exec(select(func.max(BenefitChange.id))).one() or 0
