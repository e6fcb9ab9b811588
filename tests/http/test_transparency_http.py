"""The log in public: heads and keys, the verifier download, receipts behind the page's own access rule,
and a receipt checked by the standalone verifier in a process of its own."""

import base64
import json
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import update
from sqlmodel import col

from services.audit import event_digest, history
from services.casework import desk
from services.models import AuditEvent, Role, TransparencyHead
from tests.factories import make_citizen, make_staff
from tests.sample import submitted
from web.cli_ops import register_ops_commands

ROOT = Path(__file__).resolve().parents[2]
VERIFIER = ROOT / "tools" / "verify_receipt.py"
ITEM = "330100-HRSS-011"  # a social security card: the HRSS department's case


@pytest.fixture
def signing_key(app):
    seed = Ed25519PrivateKey.generate().private_bytes_raw()
    app.config["TRANSPARENCY_SIGNING_KEY"] = base64.b64encode(seed).decode()
    return app.config["TRANSPARENCY_SIGNING_KEY"]


@pytest.fixture
def cli(app, signing_key):
    register_ops_commands(app)
    return app.test_cli_runner()


@pytest.fixture
def case(app, db, catalog):
    """An accepted application (tasks for its department): its applicant and the application."""
    applicant, application = submitted(db, catalog, app.extensions["file_store"], ITEM)
    desk.accept_application(session=db, actor=make_staff(db, Role.FRONT_DESK), key=application.key, catalog=catalog)
    return applicant, application


def seal(cli):
    result = cli.invoke(args=["audit", "seal"])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_heads_and_keys_are_public_json(web, cli, case):
    assert "sealed" in seal(cli)
    response = web.get("/transparency/heads")
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    assert [key["current"] for key in body["keys"]] == [True]
    (head,) = body["heads"]
    assert head["size"] > 0 and head["prev_size"] == 0 and head["key_id"] == body["keys"][0]["key_id"]
    assert web.get(f"/transparency/heads?after={head['size']}").get_json()["heads"] == []


def test_a_retired_key_stays_published_so_its_heads_still_verify(web, app, cli, case):
    retired = Ed25519PrivateKey.generate().public_key().public_bytes_raw()
    app.config["TRANSPARENCY_RETIRED_KEYS"] = base64.b64encode(retired).decode()
    keys = web.get("/transparency/heads").get_json()["keys"]
    assert sorted(key["current"] for key in keys) == [False, True]
    assert base64.b64encode(retired).decode() in [key["public_key"] for key in keys]


def test_the_verifier_downloads_as_the_file_itself(web):
    response = web.get("/transparency/verifier.py")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.data == VERIFIER.read_bytes()


def test_the_receipt_is_the_applicant_s_and_staff_s_who_may_see_the_case_and_nobody_else_s(
    web, other_web, db, cli, case
):
    applicant, application = case
    seal(cli)
    url = f"/applications/{application.key}/receipt.json"
    assert web.get(url).status_code == 302  # signed out: to the sign-in page
    web.login(applicant.login_name)
    response = web.get(url)
    assert response.status_code == 200 and response.headers["Content-Disposition"].startswith("attachment")
    assert response.get_json()["application"] == application.number
    assert url in web.get(f"/applications/{application.key}").get_data(as_text=True)
    other_web.login(make_citizen(db).login_name)
    assert other_web.get(url).status_code == 404


@pytest.mark.parametrize(
    ("role", "department", "status"),
    [(Role.FRONT_DESK, None, 200), (Role.CLERK, "HRSS", 200), (Role.CLERK, "AMR", 404), (Role.SUPERVISOR, "AMR", 404)],
)
def test_staff_get_the_receipt_exactly_when_they_may_view_the_case(web, db, cli, case, role, department, status):
    _, application = case
    web.login(make_staff(db, role, department).login_name)
    assert web.get(f"/applications/{application.key}/receipt.json").status_code == status


def run_verifier(tmp_path, receipt: bytes, heads: bytes):
    (tmp_path / "receipt.json").write_bytes(receipt)
    (tmp_path / "heads.json").write_bytes(heads)
    return subprocess.run(
        [sys.executable, "-I", str(VERIFIER), str(tmp_path / "receipt.json"), str(tmp_path / "heads.json")],
        capture_output=True,
        text=True,
        cwd=tmp_path,  # nothing of the project on its path: the verifier stands alone
    )


def test_a_receipt_from_the_app_verifies_alone_and_fails_once_an_event_is_edited(tmp_path, web, db, cli, case):
    applicant, application = case
    seal(cli)
    web.login(applicant.login_name)
    heads = web.get("/transparency/heads").data
    receipt_url = f"/applications/{application.key}/receipt.json"
    good = run_verifier(tmp_path, web.get(receipt_url).data, heads)
    assert good.returncode == 0, good.stdout + good.stderr
    assert good.stdout.startswith("receipt ok")

    # An insider edits a reason: the event's own hash no longer covers it.
    first = history(session=db, case=application)[0]
    db.execute(update(AuditEvent).where(col(AuditEvent.id) == first.id).values(reason="never happened"))
    db.commit()
    edited = run_verifier(tmp_path, web.get(receipt_url).data, heads)
    assert edited.returncode == 1
    assert "event 1 (" in edited.stdout and "it was changed" in edited.stdout

    # One who also recomputes every hash of the chain is caught by the tree the head was signed over.
    db.expire_all()
    prev = first.prev_hash
    for event in history(session=db, case=application):
        event.prev_hash, event.hash = prev, event_digest(event, prev)
        prev = event.hash
        db.add(event)
    db.commit()
    rechained = run_verifier(tmp_path, web.get(receipt_url).data, heads)
    assert rechained.returncode == 1
    assert "is not leaf" in rechained.stdout


def test_audit_seal_prove_heads_and_verify_on_the_command_line(cli, db, case):
    _, application = case
    assert "sealed" in seal(cli)
    assert "nothing new to seal" in seal(cli)
    listed = cli.invoke(args=["audit", "heads"])
    head = db.get(TransparencyHead, int(listed.output.split()[0]))
    assert head is not None and head.root in listed.output
    proved = cli.invoke(args=["audit", "prove", application.number])
    assert proved.exit_code == 0 and json.loads(proved.output)["head"]["root"] == head.root
    assert cli.invoke(args=["audit", "prove", "ZJ-19000101-000000"]).exit_code == 1
    verified = cli.invoke(args=["audit", "verify"])
    assert verified.exit_code == 0, verified.output
    assert f"transparency log ok: {head.size} leaves under 1 signed heads" in verified.output

    db.execute(update(TransparencyHead).values(root="00" * 32))
    db.commit()
    broken = cli.invoke(args=["audit", "verify"])
    assert broken.exit_code == 1
    assert f"transparency log broken: head at size {head.size}: its signature does not hold" in broken.output
