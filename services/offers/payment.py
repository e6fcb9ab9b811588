"""Payment batches: approved offers go to the treasury's bank as one file, and the bank's answer comes back.

The batch file follows the shape of the commercial banks' bulk-payment (批量代付) CSV uploads:
one header line, then one line per payment with the payer's account, the payee's name, account
and bank, the amount in yuan with two decimals, the purpose and our reference (the offer's
number). The bank's result file names each reference with `paid` or `returned` and a reason.
"""

import csv
import hashlib
import io
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from services.catalog import Catalog
from services.db import transactional
from services.errors import Invalid
from services.models import BenefitBatch, BenefitOffer, BenefitOfferStatus
from services.workflow.benefits.rules import yuan
from services.workflow.engine import fire
from services.workflow.locks import lock_case
from services.workflow.numbers import next_number

BATCH_HEADER = ("payer_account", "payee_name", "payee_account", "payee_bank", "amount_yuan", "purpose", "reference")
RESULT_HEADER = ("reference", "amount_yuan", "result", "reason")
RESULTS = ("paid", "returned")


@dataclass
class Batch:
    batch: BenefitBatch
    content: bytes  # the file, to be written once the batch is committed


@transactional
def make_batch(*, session: Session, catalog: Catalog, payer_account: str, today: date) -> Batch | None:
    """Every approved offer into one batch (None when there is none): the file, its record, the offers in_batch."""
    ids = session.exec(
        select(BenefitOffer.id)
        .where(col(BenefitOffer.status) == BenefitOfferStatus.APPROVED)
        .order_by(col(BenefitOffer.approved_at), col(BenefitOffer.id))
    ).all()
    offers = []
    for offer_id in ids:
        offer = lock_case(session, BenefitOffer, col(BenefitOffer.id) == offer_id, skip_locked=True)
        if offer is not None and offer.status == BenefitOfferStatus.APPROVED:
            offers.append(offer)
    if not offers:
        return None
    serial = next_number(session, f"benefit-batch-{today:%Y%m%d}")
    reference = f"PB-{today:%Y%m%d}-{serial:04d}"
    content = _batch_file(catalog, payer_account, offers)
    batch = BenefitBatch(
        reference=reference,
        count=len(offers),
        total_fen=sum(offer.amount_fen for offer in offers),
        sha256=hashlib.sha256(content).hexdigest(),
        filename=f"{reference}.csv",
    )
    session.add(batch)
    session.flush()
    for offer in offers:
        fire(
            session=session,
            subject=offer,
            event="batch",
            actor=None,
            catalog=catalog,
            given={"batch_id": batch.id, "reference": reference},
        )
    return Batch(batch, content)


def _batch_file(catalog: Catalog, payer_account: str, offers: list[BenefitOffer]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(BATCH_HEADER)
    for offer in offers:
        policy = catalog.policies[offer.policy]
        writer.writerow(
            (
                payer_account,
                offer.payee_name,
                offer.bank_account,
                offer.bank_name,
                yuan(offer.amount_fen),
                policy.name.zh,
                offer.number,
            )
        )
    return out.getvalue().encode("utf-8")


@dataclass
class Returns:
    paid: list[str]
    returned: list[str]


@transactional
def read_returns(*, session: Session, catalog: Catalog, content: str) -> Returns:
    """The bank's result file: each line fires paid or returned. A bad line is named and nothing moves."""
    lines = _result_lines(session, content)
    result = Returns([], [])
    for offer_id, outcome, reason in lines:
        offer = lock_case(session, BenefitOffer, col(BenefitOffer.id) == offer_id)
        assert offer is not None  # read a moment ago
        if outcome == "paid":
            fire(session=session, subject=offer, event="pay", actor=None, catalog=catalog)
            result.paid.append(offer.number)
        else:
            fire(session=session, subject=offer, event="bounce", actor=None, catalog=catalog, reason=reason)
            result.returned.append(offer.number)
    return result


def _result_lines(session: Session, content: str) -> list[tuple[int, str, str]]:
    rows = list(csv.reader(io.StringIO(content.lstrip("\ufeff"))))
    if not rows or tuple(cell.strip() for cell in rows[0]) != RESULT_HEADER:
        raise Invalid(f"line 1: the header must read {','.join(RESULT_HEADER)}")
    found = []
    seen: set[str] = set()
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(RESULT_HEADER):
            raise Invalid(f"line {number}: {len(RESULT_HEADER)} columns expected, found {len(row)}")
        reference, amount, outcome, reason = (cell.strip() for cell in row)
        if reference in seen:
            raise Invalid(f"line {number}: reference {reference} appears twice")
        seen.add(reference)
        offer = session.exec(select(BenefitOffer).where(col(BenefitOffer.number) == reference)).first()
        if offer is None:
            raise Invalid(f"line {number}: no offer has reference {reference!r}")
        if offer.status != BenefitOfferStatus.IN_BATCH:
            raise Invalid(f"line {number}: offer {reference} is {offer.status}, not in a batch")
        if amount != yuan(offer.amount_fen):
            raise Invalid(f"line {number}: amount {amount!r} is not the {yuan(offer.amount_fen)} yuan sent")
        if outcome not in RESULTS:
            raise Invalid(f"line {number}: result {outcome!r} is neither paid nor returned")
        if outcome == "returned" and not reason:
            raise Invalid(f"line {number}: a returned payment needs the bank's reason")
        assert offer.id is not None
        found.append((offer.id, outcome, reason))
    return found
