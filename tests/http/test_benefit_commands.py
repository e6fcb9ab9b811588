"""`flask benefits …`: the sweep, the approval, the payment file and the bank's results, from the command line."""

import csv
import hashlib

from sqlmodel import select

from services import clock
from services.models import BenefitBatch, BenefitGrant, BenefitOffer, BenefitOfferStatus
from services.offers.answering import accept_offer
from tests.service.test_benefit_offers import ACCOUNT, a_parent


def run(cli, *args):
    result = cli.invoke(args=["benefits", *args])
    return result.exit_code, result.output


def test_sweep_approve_pay_and_returns_take_an_offer_to_the_money(app, db, catalog, tmp_path, frozen):
    cli = app.test_cli_runner()
    parent = a_parent(db, clock.china_today())
    assert run(cli, "sweep") == (0, "offered 1, withdrawn 0, expired 0\n")
    assert run(cli, "sweep") == (0, "offered 0, withdrawn 0, expired 0\n")
    offer = db.exec(select(BenefitOffer).where(BenefitOffer.applicant_id == parent.id)).one()
    accept_offer(session=db, actor=parent, key=offer.key, catalog=catalog, **ACCOUNT)
    code, output = run(cli, "approve")
    assert (code, output) == (0, "childcare_subsidy_2026: approved 1, flagged 0, waiting 0\n")

    code, output = run(cli, "pay", "--out", str(tmp_path), "--payer", "1202020209000012345")
    assert code == 0, output
    batch = db.exec(select(BenefitBatch)).one()
    written = tmp_path / batch.filename
    assert hashlib.sha256(written.read_bytes()).hexdigest() == batch.sha256
    assert f"batch {batch.reference}: 1 payments, 3600.00 yuan" in output
    rows = list(csv.reader(written.open(encoding="utf-8")))
    assert rows[1][0] == "1202020209000012345" and rows[1][-1] == offer.number
    assert run(cli, "pay", "--out", str(tmp_path)) == (0, "nothing to pay\n")

    bad = tmp_path / "bad.csv"
    bad.write_text(f"reference,amount_yuan,result,reason\n{offer.number},3600.00,maybe,\n", encoding="utf-8")
    code, output = run(cli, "returns", str(bad))
    assert code == 1 and "line 2: result 'maybe' is neither paid nor returned" in output
    good = tmp_path / "result.csv"
    good.write_text(f"reference,amount_yuan,result,reason\n{offer.number},3600.00,paid,\n", encoding="utf-8")
    assert run(cli, "returns", str(good)) == (0, "paid 1, returned 0\n")
    db.expire_all()
    assert db.get(BenefitOffer, offer.id).status == BenefitOfferStatus.PAID
    assert db.exec(select(BenefitGrant.subject_id)).all() == [parent.id]
