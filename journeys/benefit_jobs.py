"""Test mode only: the scheduler's 免申即享 jobs, and the government's data a journey's story needs.

The jobs are the worker's own services (`flask benefits sweep|sweep-changes|approve|pay|returns`).
The data are what other authorities' systems feed in (a firm's register entry and insurance, a
benefit paid by another office) and the spending of a policy's budget before the journey began:
no page writes them, as no page issues the certificates of `POST /_test/wallet`.
"""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

from sqlmodel import Session, col, select

from journeys.state import find_user
from services.benefits.changes import mark_changed
from services.benefits.facts import month_start
from services.catalog import Catalog
from services.db import transactional
from services.errors import Invalid, NotFound
from services.models import BenefitGrant, BenefitOffer, BenefitOfferStatus, CompanyRecord, Contribution
from services.offers.approval import approve_all_accepted
from services.offers.payment import RESULT_HEADER, make_batch, read_returns
from services.offers.sweep import SweepResult, sweep_changed_subjects, sweep_offers
from services.workflow.benefits.rules import budget_fen, lock_budget, yuan

PAYER_ACCOUNT = "1202020209000000001"  # the treasury's account, as `flask benefits pay` defaults to
UNEMPLOYMENT_YUAN = Decimal(300)  # a firm's monthly unemployment insurance when a journey names none


def run_benefit_job(*, session: Session, catalog: Catalog, job: str, body: dict, today: date) -> dict:
    if job in ("sweep", "sweep-changes"):
        sweep = sweep_offers if job == "sweep" else sweep_changed_subjects
        return _swept(sweep(session=session, catalog=catalog, today=today))
    if job == "approve":
        approvals = approve_all_accepted(session=session, catalog=catalog).values()
        return {
            "approved": sum(len(a.approved) for a in approvals),
            "flagged": sum(len(a.flagged) for a in approvals),
            "waiting": sum(a.waiting for a in approvals),
        }
    if job == "pay":
        made = make_batch(session=session, catalog=catalog, payer_account=PAYER_ACCOUNT, today=today)
        return {"reference": made.batch.reference if made else None, "count": made.batch.count if made else 0}
    if job == "returns":
        result = read_returns(session=session, catalog=catalog, content=_bank_answer(session, body.get("returned", {})))
        return {"paid": len(result.paid), "returned": len(result.returned)}
    if job == "records":
        record_government_data(session=session, login=body["of"], body=body, today=today)
        return {"recorded": body["of"]}
    if job == "budget":
        leave_budget(session=session, catalog=catalog, policy=body["policy"], left_yuan=Decimal(str(body["yuan"])))
        return {"policy": body["policy"], "left": str(body["yuan"])}
    raise NotFound(f"no benefit job {job!r}")


def _swept(result: SweepResult) -> dict:
    return {"offered": len(result.offered), "withdrawn": len(result.withdrawn), "expired": len(result.expired)}


def _bank_answer(session: Session, returned: dict[str, str]) -> str:
    """The bank's result file for every offer in a batch: paid, or returned with the reason given by offer key."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(RESULT_HEADER)
    in_batch = session.exec(
        select(BenefitOffer).where(col(BenefitOffer.status) == BenefitOfferStatus.IN_BATCH).order_by(BenefitOffer.id)
    )
    for offer in in_batch:
        reason = returned.get(offer.key)
        writer.writerow((offer.number, yuan(offer.amount_fen), "returned" if reason else "paid", reason or ""))
    return out.getvalue()


@transactional
def record_government_data(*, session: Session, login: str, body: dict, today: date) -> None:
    """Write what the journey says the government holds about a subject, and mark it changed for the quick sweep."""
    subject = find_user(session, login)
    assert subject.id is not None  # a stored user
    if "company" in body:
        entry = body["company"]
        session.merge(
            CompanyRecord(
                user_id=subject.id,
                founded_on=date.fromisoformat(entry.get("founded_on", (today - timedelta(days=5 * 365)).isoformat())),
                headcount=entry["headcount"],
                size=entry["size"],
                industry_code=entry.get("industry_code", "I65"),
                district=entry.get("district", "xihu"),
            )
        )
    monthly_fen = int(Decimal(str(body.get("monthly_unemployment_yuan", UNEMPLOYMENT_YUAN))) * 100)
    for month in _months_before(today, body.get("insured_months", 0)):
        session.add(
            Contribution(
                subject_id=subject.id, month=month, kind="unemployment", paid_as="employer", amount_fen=monthly_fen
            )
        )
    for policy in body.get("received", ()):
        session.add(BenefitGrant(policy=policy, subject_id=subject.id, granted_on=today, amount_fen=0))
    mark_changed(session, subject_id=subject.id)


def _months_before(today: date, count: int) -> list[date]:
    """The first days of the `count` whole months before this one."""
    return [month_start(today, back) for back in range(1, count + 1)]


@transactional
def leave_budget(*, session: Session, catalog: Catalog, policy: str, left_yuan: Decimal) -> None:
    """The policy's budget committed but for `left_yuan` (spent before the journey began)."""
    if policy not in catalog.policies:
        raise NotFound(f"no policy {policy!r}")
    total = budget_fen(catalog.policies[policy])
    left = int(left_yuan * 100)
    if not 0 <= left <= total:
        raise Invalid(f"{policy} has a budget of {yuan(total)} yuan")
    budget = lock_budget(session, policy)
    budget.committed_fen = total - left
    session.add(budget)
