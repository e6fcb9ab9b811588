"""Enterprise requests (企呼我应) in the seeded year: raised by the seeded firms, played through the real services.

Each request is given a fate, in turn, so that every state of the request's table is seeded (and a
common problem answered once for several firms); its script then acts on the simulation's frozen clock
like the applications' scripts do. The random choices come from the seed's one generator.
"""

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlmodel import col, select

from seeding.files import tiny_pdf
from seeding.timeline import Script
from seeding.values import Holder
from seeding.world import World
from services.enterprise import handling, office, problems, raising
from services.enterprise.raising import UploadedFile
from services.models import CommonProblem, EnterpriseRequest, EnterpriseTaskRole, Task
from services.models.enterprise import REPLY_WORKING_DAYS
from services.workflow.enterprise.actors import OFFICE_DEPARTMENT

# Where each request's life stops: together they leave a request in every state of its table.
FATES = (
    "solved",
    "answered_directly",
    "common_problem",
    "triage",
    "in_progress",
    "answered",
    "reopened",
    "answered_again",
    "unsolved",
    "unconfirmed",
    "withdrawn",
    "late",
)
REQUESTS_PER_SLOW_CASE = 0.15
DESCRIPTIONS = {
    "policy_question": ("想了解研发费用加计扣除政策的具体申报流程。", "高新技术企业认定的最新条件是什么？"),
    "approval_stuck": (
        "食品经营许可申请已提交两周，一直显示审核中。",
        "建设工程规划许可卡在补正环节，不清楚还缺什么。",
    ),
    "land_utilities": ("新厂房用电增容申请迟迟没有进展。", "园区供水压力不足，影响正常生产。"),
    "finance": ("希望了解小微企业贷款贴息的申请渠道。", "出口退税到账时间比往年明显延长。"),
    "talent": ("引进的外籍技术人员工作许可办理遇到困难。", "人才公寓申请条件不清楚。"),
    "export": ("出口商品原产地证办理需要哪些材料？", "跨境电商出口退货流程不畅。"),
    "other": ("企业门口道路施工影响货车通行，希望协调。", "希望了解企业开办后的社保登记事项。"),
}
ANSWERS = (
    "经核实，已协调相关处室加快办理，预计五个工作日内完成。",
    "相关政策及申报指南已发布在市政府门户网站，可按指南线上申报。",
    "已安排专人与企业对接，现场核实后给予答复。",
)


@dataclass
class RequestCase:
    index: int
    rng: random.Random
    holder: Holder
    category: str
    fate: str
    start: datetime
    key: str | None = None
    cut_at: datetime | None = None  # when the seeded year ended before its next step
    started: set[str] = field(default_factory=set)

    def __str__(self) -> str:
        return f"enterprise request {self.index} ({self.fate}, {self.key or 'not raised yet'})"


def plan_requests(
    *, w: World, demo_company: Holder, firms: list[Holder], slow_cases: int, rng: random.Random
) -> list[RequestCase]:
    """At least one request of each fate, the first of each the demo company's, spread over the year's second half.

    A request left waiting (triage, with the departments) is raised on the year's last working day.
    """
    how_many = max(len(FATES), round(slow_cases * REQUESTS_PER_SLOW_CASE))
    categories = list(w.catalog.request_categories)
    calendar, first, span = w.timeline.calendar, w.timeline.first_day, (w.timeline.as_of - w.timeline.first_day).days
    days = [day for n in range(20, 39) if calendar.is_working_day(day := first + timedelta(days=span * n // 40))]
    last = w.timeline.as_of - timedelta(days=1)
    while not calendar.is_working_day(last):
        last -= timedelta(days=1)
    cases = []
    for index in range(how_many):
        fate = FATES[index % len(FATES)]
        own = random.Random(rng.getrandbits(64))
        cases.append(
            RequestCase(
                index=index,
                rng=own,
                holder=demo_company if index < len(FATES) else own.choice(firms),
                category="land_utilities" if fate == "common_problem" else categories[index % len(categories)],
                fate=fate,
                start=w.timeline.working_moment(_first_day(fate, days, last, own), own),
            )
        )
    return cases


def _first_day(fate: str, days: list[date], last: date, rng: random.Random) -> date:
    if fate in ("triage", "in_progress"):
        return last
    if fate == "unconfirmed":  # early enough for its reply window to pass within the year
        return rng.choice(days[: len(days) // 2])
    return rng.choice(days)


def request_script(w: World, case: RequestCase) -> Script:
    rng, fate, session, catalog = case.rng, case.fate, w.session, w.catalog
    firm = w.user(case.holder.user_id)
    files = [UploadedFile("情况说明.pdf", tiny_pdf(f"request {case.index}"))] if rng.random() < 0.5 else []
    raised = raising.raise_request(
        session=session,
        actor=firm,
        catalog=catalog,
        store=w.store,
        category=case.category,
        description=rng.choice(DESCRIPTIONS.get(case.category, DESCRIPTIONS["other"])),
        files=files,
    )
    case.key = raised.key
    if fate == "withdrawn":
        yield w.online_after(rng, hours=rng.uniform(1, 6))
        raising.withdraw_request(session=session, actor=firm, key=case.key, catalog=catalog)
        return
    if fate == "triage":
        return
    yield w.staff_after(rng, rng.uniform(30, 300))
    clerk = w.clerk(OFFICE_DEPARTMENT, rng)
    if fate == "answered_directly":
        office.answer_request_directly(
            session=session, actor=clerk, key=case.key, catalog=catalog, answer=rng.choice(ANSWERS)
        )
    elif fate == "common_problem":
        yield from _answered_as_a_common_problem(w, case, clerk)
    else:
        yield from _handled_by_departments(w, case, clerk)
    if fate in ("in_progress", "answered"):
        return
    if fate == "unconfirmed":
        yield w.working_days_later(rng, REPLY_WORKING_DAYS + 1)
        office.close_unconfirmed_request(session=session, catalog=catalog, key=case.key)
        return
    yield w.online_after(rng, hours=rng.uniform(2, 48))
    if fate in ("reopened", "answered_again", "unsolved"):
        raising.reopen_request(
            session=session, actor=firm, key=case.key, catalog=catalog, reason="答复没有解决实际问题。"
        )
        if fate == "reopened":
            return
        yield w.staff_after(rng, rng.uniform(60, 600))
        office.answer_reopened_request(
            session=session,
            actor=w.supervisor(OFFICE_DEPARTMENT, rng),
            key=case.key,
            catalog=catalog,
            answer="经督查协调，已明确办理时限并由专人跟进。",
        )
        if fate == "answered_again":
            return
        yield w.online_after(rng, hours=rng.uniform(2, 48))
    if fate == "unsolved":
        raising.close_request_unsolved(session=session, actor=firm, key=case.key, catalog=catalog)
    else:
        raising.confirm_request_solved(session=session, actor=firm, key=case.key, catalog=catalog)
    yield w.online_after(rng, hours=rng.uniform(0.2, 24))
    score = 2 if fate == "unsolved" else rng.choice((3, 4, 5, 5))
    raising.rate_request(session=session, actor=firm, key=case.key, catalog=catalog, score=score)


def _handled_by_departments(w: World, case: RequestCase, clerk) -> Iterator[datetime]:
    """The office routes it; each co-handler gives its input, then the lead answers (after the deadline if late)."""
    rng, session, catalog = case.rng, w.session, w.catalog
    category = catalog.request_categories[case.category]
    departments = [code for code in catalog.departments if code != OFFICE_DEPARTMENT]
    lead = rng.choice(category.lead_departments or tuple(departments))
    co_handlers = rng.sample([code for code in departments if code != lead], rng.randint(0, 2))
    office.route_request(
        session=session, actor=clerk, key=case.key, catalog=catalog, lead=lead, co_handlers=co_handlers
    )
    if case.fate == "in_progress":
        return
    tasks = _tasks(w, case)
    for task in [t for t in tasks if t.item_code == EnterpriseTaskRole.CO_HANDLER]:
        yield w.working_days_later(rng, rng.randint(0, 1))
        holder = w.clerk(task.department, rng)
        handling.claim_request_task(session=session, actor=holder, key=task.key, catalog=catalog)
        handling.give_request_input(
            session=session, actor=holder, key=task.key, catalog=catalog, text="本部门意见：符合条件，予以支持。"
        )
    (lead_task,) = [t for t in tasks if t.item_code == EnterpriseTaskRole.LEAD]
    days_left = w.timeline.calendar.working_days_between(
        w.timeline.calendar.next_working_day(lead_task.started_on), lead_task.deadline
    )
    wait = days_left + 2 if case.fate == "late" else rng.randint(0, max(0, days_left))
    yield w.working_days_later(rng, wait)
    holder = w.clerk(lead, rng)
    handling.claim_request_task(session=session, actor=holder, key=lead_task.key, catalog=catalog)
    yield w.staff_after(rng, rng.uniform(30, 240))
    handling.draft_request_answer(
        session=session, actor=holder, key=lead_task.key, catalog=catalog, answer=rng.choice(ANSWERS)
    )


def _answered_as_a_common_problem(w: World, case: RequestCase, clerk) -> Iterator[datetime]:
    """Linked to the year's one common problem; the office answers it two working days later, for every firm."""
    session, catalog, rng = w.session, w.catalog, case.rng
    problem = session.exec(select(CommonProblem).order_by(col(CommonProblem.id))).first()
    if problem is None:
        problem = problems.create_common_problem(
            session=session, actor=clerk, catalog=catalog, title="园区用电增容办理慢", category=case.category
        )
    problems.link_request_to_problem(
        session=session, actor=clerk, key=case.key, problem_key=problem.key, catalog=catalog
    )
    if problem.answer is not None:
        return  # answered at once with the policy answer
    yield w.working_days_later(rng, 2)
    session.refresh(problem)
    if problem.answer is None:
        problems.answer_common_problem(
            session=session,
            actor=clerk,
            problem_key=problem.key,
            catalog=catalog,
            answer="园区用电增容已纳入年度电网改造计划，统一办理指南见市发改委通知。",
        )


def _tasks(w: World, case: RequestCase) -> list[Task]:
    request = w.session.exec(select(EnterpriseRequest).where(col(EnterpriseRequest.key) == case.key)).one()
    return list(
        w.session.exec(
            select(Task)
            .where(col(Task.case_kind) == request.CHAIN_KIND, col(Task.case_id) == request.id)
            .order_by(col(Task.id))
        )
    )
