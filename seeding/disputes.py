"""Disputes in every state, played through the services on the seed's last day (deterministic for a seed).

Each is filed by a seeded resident or firm against another, registered by the centre's window and
mediated by the agencies' demo clerks, then taken as far as its state: so every list and every page
of dispute mediation has something to show, and the one-place figures have something to count.
"""

import random
from datetime import timedelta

from sqlmodel import Session, col, select

from seeding.files import tiny_pdf, tiny_png
from services import clock
from services.catalog import Catalog
from services.disputes import handling
from services.disputes.evidence import EvidenceFile
from services.disputes.filing import file_dispute, record_dispute_at_window
from services.models import Dispute, Task, User
from services.uploads import FileStore

TOWNSHIPS = ("HZ_XIHU_XIXI", "HZ_XIHU_BEISHAN", "HZ_SHANGCHENG_HUBIN")
CLAIMS = {
    "neighbour": "楼上装修噪音持续三个月，影响老人休息，请求限定施工时间并赔偿。",
    "family": "父母赡养费分担有争议，请求调解确定各子女每月负担金额。",
    "labour": "公司拖欠两个月工资共 1.6 万元，请求支付并出具离职证明。",
    "consumer": "网购冰箱送达即损坏，商家拒绝退换，请求退货退款。",
    "property_management": "物业未履行绿化维护义务却上调物业费，请求恢复原收费标准。",
    "traffic": "小区门口剐蹭事故，对方拒付修车费 3200 元，请求赔偿。",
    "contract": "装修工程款 3 万元逾期未付，请求支付并承担违约金。",
}
# The states the seed leaves disputes in, in the order they are played.
ENDINGS = (
    "filed",
    "declined",
    "withdrawn",
    "answered",
    "escalated",
    "agreed",
    "confirming",
    "confirmed",
    "resolved",
    "referred",
)


def seed_disputes(*, session: Session, catalog: Catalog, user_ids: list[int], store: FileStore, seed: int) -> int:
    """One dispute for each ending between seeded people; the number of disputes written."""
    rng = random.Random(f"disputes-{seed}")  # its own stream: the rest of the seed draws as it always did
    people = list(session.exec(select(User).where(col(User.id).in_(user_ids)).order_by(col(User.id))))
    window = session.exec(select(User).where(User.login_name == "frontdesk")).one()
    for ending in ENDINGS:
        applicant, counterparty = rng.sample(people, 2)
        kind = rng.choice(sorted(CLAIMS))
        _play(session, catalog, store, rng, ending, applicant, counterparty, kind, window)
    return len(ENDINGS)


def _play(session, catalog, store, rng, ending, applicant, counterparty, kind, window) -> None:
    centre = rng.choice(TOWNSHIPS)
    evidence = [
        EvidenceFile("证据.pdf", tiny_pdf(f"{ending}-{kind}")),
        EvidenceFile("现场照片.png", tiny_png(rng.randrange(256))),
    ]
    fields = dict(
        counterparty_number=counterparty.id_number or counterparty.credit_code,
        kind_code=kind,
        centre_code=centre,
        claim=CLAIMS[kind],
        evidence=evidence,
        store=store,
        catalog=catalog,
    )
    if ending == "escalated":
        dispute = record_dispute_at_window(
            session=session, actor=window, applicant_number=applicant.id_number or applicant.credit_code, **fields
        )
    else:
        dispute = file_dispute(session=session, actor=applicant, **fields)
    act = dict(session=session, key=dispute.key, catalog=catalog)
    if ending == "filed":
        return
    if ending == "declined":
        handling.decline_dispute(actor=window, reason="属于行政复议范围，请向复议机关申请。", **act)
        return
    route = catalog.dispute_kinds[kind].routes[0]
    if route not in catalog.centres[centre].routes:
        route = "people_mediation"
    handling.register_dispute(actor=window, routes=[route], **act)
    if ending == "withdrawn":
        handling.withdraw_dispute(actor=applicant, **act)
        return
    handling.answer_dispute(actor=counterparty, answer="事实基本属实，愿意协商解决。", **act)
    if ending == "answered":
        return
    if ending == "escalated":
        handling.record_visit_to_centre(actor=window, purpose="递交证据原件", **act)
        parent = catalog.centres[centre].parent
        handling.escalate_dispute(actor=window, centre=parent, reason="涉及多个部门，提级调处。", **act)
        return
    task = session.exec(select(Task).where(Task.case_kind == "dispute", Task.case_id == dispute.id)).one()
    mediator = session.exec(select(User).where(User.login_name == f"clerk.{task.department}")).one()
    on_task = dict(session=session, key=task.key, catalog=catalog)
    handling.claim_dispute_task(actor=mediator, **on_task)
    handling.schedule_mediation_session(
        actor=mediator, at=clock.now() + timedelta(days=2), place=rng.choice(("online", "centre")), **on_task
    )
    if ending == "referred":
        referral = "arbitration" if kind == "labour" else "litigation"
        handling.record_no_agreement(actor=mediator, referral=referral, reason="双方对金额分歧较大。", **on_task)
        return
    if ending == "agreed":
        handling.propose_extension(actor=mediator, days=10, reason="等待维修报价。", **on_task)
        handling.consent_to_extension(actor=applicant, **act)
        handling.consent_to_extension(actor=counterparty, **act)
    handling.record_agreement(actor=mediator, terms="被申请人于 15 日内一次性支付双方确认的款项。", **on_task)
    if ending == "agreed":
        return
    if ending == "resolved":
        handling.close_dispute(actor=window, **act)
        handling.report_agreement_honoured(actor=applicant, **act)
        return
    handling.request_judicial_confirmation(actor=counterparty, **act)
    if ending == "confirming":
        return
    confirmation = session.exec(
        select(Task).where(
            Task.case_kind == "dispute", Task.case_id == dispute.id, Task.item_code == "judicial_confirmation"
        )
    ).one()
    judge = session.exec(select(User).where(User.login_name == "clerk.court_mediation")).one()
    handling.claim_dispute_task(actor=judge, session=session, key=confirmation.key, catalog=catalog)
    handling.confirm_agreement(actor=judge, session=session, key=confirmation.key, catalog=catalog)
    handling.report_agreement_honoured(actor=applicant, **act)
    assert session.get(Dispute, dispute.id).status == "confirmed"
