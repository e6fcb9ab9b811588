"""`flask --app app …` commands, through Flask's CLI runner and as a real process."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import select

from seeding.cli import demo_command
from services.accounts import check_password
from services.models import User

ROOT = Path(__file__).resolve().parents[2]


def test_catalog_check_prints_the_counts(app):
    result = app.test_cli_runner().invoke(args=["catalog", "check"])
    assert result.exit_code == 0, result.output
    counts = app.extensions["catalog"].counts()
    assert counts["departments"] >= 10 and counts["items"] >= 40 and counts["bundles"] >= 6
    assert f"{counts['items']} items" in result.output
    assert (
        f"{counts['centres']} centres" in result.output and f"{counts['dispute_kinds']} dispute kinds" in result.output
    )


def test_catalog_check_names_the_broken_file_and_entry(app, tmp_path):
    broken = tmp_path / "catalog"
    shutil.copytree(ROOT / "seed_data" / "catalog", broken)
    item_file = next(p for p in sorted((broken / "items").glob("*.yaml")))
    text = item_file.read_text(encoding="utf-8")
    department = text.split("department:", 1)[1].split()[0]
    item_file.write_text(text.replace(f"department: {department}", "department: NO_SUCH_DEPT", 1), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["catalog", "check", "--dir", str(broken)])
    assert result.exit_code == 1
    assert item_file.name in result.output and "NO_SUCH_DEPT" in result.output


def test_catalog_check_names_a_centre_whose_parent_is_not_one_level_up(app, tmp_path):
    broken = tmp_path / "catalog"
    shutil.copytree(ROOT / "seed_data" / "catalog", broken)
    centres = broken / "centres.yaml"
    text = centres.read_text(encoding="utf-8")
    centres.write_text(text.replace("parent: HZ_XIHU\n", "parent: HZ\n", 1), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["catalog", "check", "--dir", str(broken)])
    assert result.exit_code == 1
    assert "centres.yaml: centre HZ_XIHU_XIXI: parent 'HZ' is a city centre" in result.output


def test_catalog_check_names_a_policy_whose_rule_reads_an_unknown_fact(app, tmp_path):
    broken = tmp_path / "catalog"
    shutil.copytree(ROOT / "seed_data" / "catalog", broken)
    policies = broken / "policies" / "citizens.yaml"
    text = policies.read_text(encoding="utf-8")
    policies.write_text(text.replace('{field: age, op: ">=", value: 80}', '{field: agee, op: ">=", value: 80}', 1))
    result = app.test_cli_runner().invoke(args=["catalog", "check", "--dir", str(broken)])
    assert result.exit_code == 1
    assert "citizens.yaml: policy elderly_allowance_2026: eligible.all[0]: unknown field 'agee'" in result.output


def test_catalog_check_as_a_real_process(database_url):
    env = {**os.environ, "APP_ENV": "development", "DATABASE_URL": database_url}
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "catalog", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "catalogue ok" in done.stdout


def test_users_create_makes_a_clerk_who_can_log_in(app, db):
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "--role",
            "clerk",
            "--department",
            "PSB",
            "--username",
            "wang.clerk",
            "--name",
            "王审批",
            "--password",
            "clerk-pass-1-of-PSB",
        ]
    )
    assert result.exit_code == 0, result.output
    clerk = db.exec(select(User).where(User.login_name == "wang.clerk")).one()
    assert (clerk.role, clerk.department) == ("clerk", "PSB")
    assert check_password(session=db, name="wang.clerk", password="clerk-pass-1-of-PSB").id == clerk.id
    assert clerk.totp_secret is None  # enrols at the first sign-in


def test_users_create_refuses_an_unknown_department(app):
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "--role",
            "clerk",
            "--department",
            "NOPE",
            "--username",
            "x.clerk",
            "--password",
            "clerk-pass-1-of-PSB",
        ]
    )
    assert result.exit_code == 1 and "Unknown department" in result.output


def test_demo_is_idempotent_and_prints_logins(app, db):
    first = app.test_cli_runner().invoke(demo_command)
    second = app.test_cli_runner().invoke(demo_command)
    assert first.exit_code == 0 and second.exit_code == 0, first.output
    assert "http://127.0.0.1:5000/" in first.output and "frontdesk" in first.output
    assert first.output == second.output
    assert len(db.exec(select(User).where(User.role == "front_desk")).all()) == 1


def test_users_create_refuses_a_weak_password(app):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "--role", "front_desk", "--username", "li.desk", "--password", "password1234"]
    )
    assert result.exit_code == 1 and "password" in result.output


def test_a_demo_staff_member_gets_in_with_the_printed_password_and_the_otp_code_command(app, web):
    from seeding.demo import DEMO_PASSWORD

    runner = app.test_cli_runner()
    assert "otp-code frontdesk" in runner.invoke(demo_command).output
    assert web.post("/login", {"login": "frontdesk", "password": DEMO_PASSWORD}).headers["Location"] == "/login/code"
    code = runner.invoke(args=["users", "otp-code", "frontdesk"]).output.strip()
    assert web.post("/login/code", {"code": code}).status_code == 302
    assert "综合受理窗口" in web.get("/").get_data(as_text=True)


def test_reset_second_factor_signs_the_staff_member_out_and_makes_them_enrol_again(app, web, db):
    from tests.factories import PASSWORD, make_staff

    clerk = make_staff(db, "clerk", "PSB")
    web.login(clerk.login_name)
    result = app.test_cli_runner().invoke(args=["users", "reset-second-factor", clerk.login_name])
    assert result.exit_code == 0, result.output
    assert clerk.full_name not in web.get("/").get_data(as_text=True)
    assert web.post("/login", {"login": clerk.login_name, "password": PASSWORD}).headers["Location"] == "/login/enrol"


def test_the_otp_code_command_is_refused_in_production(app):
    app.test_cli_runner().invoke(demo_command)
    app.config["APP_ENV"] = "production"
    result = app.test_cli_runner().invoke(args=["users", "otp-code", "frontdesk"])
    assert result.exit_code == 1 and "development" in result.output


def test_production_refuses_to_start_without_a_secret(monkeypatch):
    from app import create_app

    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"DATABASE_URL": "sqlite://"})


def test_the_tools_above_the_web_add_their_commands_through_flask_entry_points():
    """`flask` loads each `flask.commands` entry point of the installed project as the command of that name."""
    import tomllib

    import click
    from werkzeug.utils import import_string

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["entry-points"]["flask.commands"]
    assert set(declared) == {"demo", "seed", "journeys"}
    for name, target in declared.items():
        command = import_string(target)
        assert isinstance(command, click.Command) and command.name == name


def test_users_create_with_a_taken_username_says_the_username_is_taken(app, db):
    def create(username, password):
        return app.test_cli_runner().invoke(
            args=["users", "create", "--role", "front_desk", "--username", username, "--password", password]
        )

    assert create("li.desk", "desk-pass-1-of-city").exit_code == 0
    again = create("Li.Desk", "another-desk-pass-2")
    assert again.exit_code == 1
    assert again.output.strip() == "error: username: The username 'li.desk' is taken; choose another."
    assert len(db.exec(select(User).where(User.login_name == "li.desk")).all()) == 1


def test_users_create_names_the_username_when_it_is_a_citizens_login_and_reports_every_field(app, db):
    from tests.factories import make_citizen

    citizen = make_citizen(db)
    typed = citizen.login_name.lower()  # as an operator might type it; sign-in folds it back to the citizen's
    result = app.test_cli_runner().invoke(
        args=["users", "create", "--role", "front_desk", "--username", typed, "--password", "password1234"]
    )
    assert result.exit_code == 1
    said = dict(line.removeprefix("error: ").split(": ", 1) for line in result.output.strip().splitlines())
    assert said["username"] == f"The username {citizen.login_name!r} is taken; choose another."
    assert "password" in said  # told together, not one after the other
    assert db.exec(select(User).where(User.role == "front_desk")).all() == []
