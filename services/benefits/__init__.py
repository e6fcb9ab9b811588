"""免申即享: benefits that find people. Policies (services.catalog) are judged against the data the
government holds, for one subject in Python with the reasons (judge) or for everyone at once in SQL
(query); the two agree to the fen."""

from .facts import Evidence, Fact, Subject, read_subject
from .judge import Reason, Verdict, judge
from .query import eligible_query, eligible_subjects, sweep_policies


def judge_subject(*, session, policy, subject_id: int, today) -> Verdict:
    """Whether one citizen or firm qualifies for `policy` on `today`, why, and the amount in fen."""
    return judge(policy, read_subject(session=session, subject_id=subject_id, today=today))


__all__ = [
    "Evidence",
    "Fact",
    "Reason",
    "Subject",
    "Verdict",
    "eligible_query",
    "eligible_subjects",
    "judge",
    "judge_subject",
    "read_subject",
    "sweep_policies",
]
