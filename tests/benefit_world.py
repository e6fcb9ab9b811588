"""Random citizens, firms and policies for holding the engine's two halves to the same answers.

Everything comes from one random.Random(seed): a failing seed reproduces. People are drawn near
the policies' edges (ages around 80 and 35, months paid around 6 and 12, certificates that just
expired, grants and listings that just lapsed) so that a disagreement at a boundary shows.
"""

import random
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any

from services.benefits.facts import month_start
from services.catalog import Text
from services.catalog.policy_model import FACT_FIELDS, Policy
from services.catalog.policy_rules import RuleContext, read_amount, read_rule
from services.models import (
    BenefitGrant,
    BlacklistEntry,
    Certificate,
    CompanyFiling,
    CompanyRecord,
    Contribution,
    Employment,
    ResidentRecord,
)
from tests.factories import credit_code, id_number, make_citizen, make_company

DISTRICTS = ("xihu", "shangcheng", "binjiang")
SIZES = ("micro", "small", "medium", "large")
INDUSTRIES = ("C13", "C39", "F51", "I65", "M73", "H62")
TEXTS: dict[str, tuple[str, ...]] = {
    "residence_district": DISTRICTS,
    "size": SIZES,
    "industry_code": INDUSTRIES,
    "company_district": DISTRICTS,
}
PREFIXES = ("C", "C3", "I", "F5", "M")
# Certificate data a random rule may test, with the values people hold.
CERT_DATA: dict[str, dict[str, tuple[str, ...]]] = {
    "degree_certificate": {"degree": ("bachelor", "master", "doctor", "associate")},
    "talent_certificate": {"talent_category": ("graduate", "class_e", "class_d", "class_c", "class_a")},
    "birth_medical_certificate": {"child_gender": ("male", "female")},
    "unemployment_registration": {"hard_to_employ": ("yes", "no")},
    "hukou_booklet": {},
}
POLICY_CODES = ("random_a", "random_b", "random_c")


class World:
    """Writes a random population as of `today`."""

    def __init__(self, session, rng: random.Random, today: date):
        self.session, self.rng, self.today = session, rng, today
        self.serial = rng.randrange(10_000, 90_000)

    def day(self, around_days: int, spread: int) -> date:
        return self.today - timedelta(days=around_days + self.rng.randint(-spread, spread))

    def populate(self, citizens: int, firms: int) -> tuple[list[int], list[int]]:
        people = [self.citizen() for _ in range(citizens)]
        companies = [self.firm(people) for _ in range(firms)]
        for subject in people + companies:
            self.exclusions(subject)
        self.session.commit()
        return people, companies

    def next_serial(self) -> int:
        self.serial += 1
        return self.serial

    def citizen(self) -> int:
        rng = self.rng
        age = rng.choice((rng.randint(18, 95), rng.choice((34, 35, 79, 80, 89, 90, 100))))
        born = self.today.replace(year=self.today.year - age) - timedelta(days=rng.randint(-3, 3))
        if born.month == 2 and born.day == 29:
            born = born - timedelta(days=1)
        user = make_citizen(
            self.session,
            id_number=id_number(self.next_serial(), born.strftime("%Y%m%d")),
            is_active=rng.random() > 0.05,
        )
        if rng.random() < 0.85:
            household = f"H{rng.randint(1, 12)}"
            self.session.add(
                ResidentRecord(user_id=user.id, district=rng.choice(DISTRICTS), household_number=household)
            )
        for cert_type, keys in CERT_DATA.items():
            for _ in range(rng.choice((0, 0, 1, 1, 2))):
                self.certificate(user.id, cert_type, keys)
        self.contributions(user.id, ("pension", "medical", "income_tax"), ("employee", "flexible"))
        return user.id

    def certificate(self, owner: int, cert_type: str, keys: dict[str, tuple[str, ...]]) -> None:
        rng = self.rng
        data: dict[str, Any] = {key: rng.choice(values) for key, values in keys.items() if rng.random() < 0.9}
        if cert_type == "degree_certificate" and rng.random() < 0.9:
            data["graduation_date"] = self.day(365 * 5, 60).isoformat()
        if cert_type == "birth_medical_certificate":
            data["child_birth_date"] = self.day(365 * 3, 20).isoformat()
        if rng.random() < 0.3:
            data["valid_until"] = self.day(0, 3).isoformat()
        self.session.add(
            Certificate(
                owner_id=owner,
                cert_type=cert_type,
                number=f"R-{cert_type}-{self.next_serial()}",
                data=data,
                issued_by="PSB",
                issued_on=date(2020, 1, 1),
            )
        )

    def contributions(self, subject: int, kinds: tuple[str, ...], paid_as: tuple[str, ...]) -> None:
        rng = self.rng
        for back in range(15):
            if rng.random() < 0.55:
                continue
            for kind in rng.sample(kinds, rng.randint(1, len(kinds))):
                self.session.add(
                    Contribution(
                        subject_id=subject,
                        month=month_start(self.today, back),
                        kind=kind,
                        paid_as=rng.choice(paid_as),
                        amount_fen=rng.randint(1, 5_000_000),
                    )
                )

    def firm(self, people: list[int]) -> int:
        rng = self.rng
        user = make_company(self.session, credit_code=credit_code(self.next_serial()), is_active=rng.random() > 0.05)
        if rng.random() < 0.85:
            self.session.add(
                CompanyRecord(
                    user_id=user.id,
                    founded_on=self.day(365 * rng.choice((1, 3, 10)), 30),
                    headcount=rng.choice((0, 1, 9, 10, 49, 50, 99, 100, 400)),
                    size=rng.choice(SIZES),
                    industry_code=rng.choice(INDUSTRIES),
                    district=rng.choice(DISTRICTS),
                )
            )
        self.contributions(user.id, ("pension", "unemployment", "medical", "corporate_tax"), ("employer",))
        for _ in range(rng.randint(0, 4)):
            started = self.day(365, 200)
            ended = rng.choice((None, self.day(200, 200), self.day(400, 30)))
            self.session.add(
                Employment(
                    employer_id=user.id,
                    employee_id=rng.choice(people),
                    started_on=started,
                    ended_on=ended,
                    end_reason=None if ended is None else rng.choice(("quit", "layoff", "contract_end")),
                    first_job=rng.random() < 0.4,
                )
            )
        for year in (self.today.year - 2, self.today.year - 1):
            for kind in ("revenue", "rd_expense", "export_revenue", "credit_insurance_premium"):
                if rng.random() < 0.5:
                    amount = rng.randint(0, 5_000_000_000)
                    self.session.add(CompanyFiling(company_id=user.id, year=year, kind=kind, amount_fen=amount))
        return user.id

    def exclusions(self, subject: int) -> None:
        rng = self.rng
        if rng.random() < 0.15:
            self.session.add(
                BenefitGrant(policy=rng.choice(POLICY_CODES), subject_id=subject, granted_on=self.today, amount_fen=100)
            )
        if rng.random() < 0.1:
            lifted = rng.choice((None, self.day(0, 2)))
            self.session.add(
                BlacklistEntry(subject_id=subject, listed_on=self.day(30, 30), lifted_on=lifted, authority="AMR")
            )


class PolicyMaker:
    """Random policies in the YAML's own words, read by the catalogue's rule reader."""

    def __init__(self, rng: random.Random, certificate_keys: dict[str, tuple[str, ...]], today: date):
        self.rng, self.today = rng, today
        self.certificate_keys = certificate_keys

    def facts(self, audience: str, *kinds: str) -> list[str]:
        return sorted(n for n, f in FACT_FIELDS.items() if f.audience == audience and (not kinds or f.kind in kinds))

    def policy(self, code: str) -> tuple[Policy, dict[str, Any]]:
        """A policy, and the YAML its rules and amount were read from (to show when the halves disagree)."""
        rng = self.rng
        audience = rng.choice(("citizens", "companies"))
        context = RuleContext(audience, self.certificate_keys)
        raw_rule = self.rule(audience, depth=0)
        raw_amount = self.amount(audience)
        in_force = rng.random() < 0.9
        return Policy(
            code=code,
            name=Text(code, code),
            department="HRSS",
            audience=audience,
            starts_on=self.today - timedelta(days=30 if in_force else 60),
            ends_on=self.today + timedelta(days=30) if in_force else self.today - timedelta(days=1),
            amount=read_amount(raw_amount, "amount", context),
            budget_yuan=Decimal(10**9),
            eligible=read_rule(raw_rule, "eligible", context),
            excluded_if_received=tuple(c for c in POLICY_CODES if c != code and rng.random() < 0.3),
            excludes_blacklisted=rng.random() < 0.7,
        ), {"eligible": raw_rule, "amount": raw_amount}

    def rule(self, audience: str, depth: int) -> dict[str, Any]:
        rng = self.rng
        roll = rng.random()
        if depth < 2 and roll < 0.35:
            shape = rng.choice(("all", "any", "not"))
            if shape == "not":
                return {"not": self.rule(audience, depth + 1)}
            return {shape: [self.rule(audience, depth + 1) for _ in range(rng.randint(1, 3))]}
        if audience == "citizens" and roll < 0.55:
            return self.certificates()
        return self.compare(audience)

    def certificates(self) -> dict[str, Any]:
        rng = self.rng
        cert_type = rng.choice(sorted(CERT_DATA))
        where = []
        for key, values in CERT_DATA[cert_type].items():
            if rng.random() < 0.6:
                op = rng.choice(("=", "!=", "in", "not_in"))
                value = rng.choice(values) if op in ("=", "!=") else rng.sample(values, rng.randint(1, 2))
                where.append({"key": key, "op": op, "value": value})
        if cert_type == "birth_medical_certificate" and rng.random() < 0.7:
            where.append({"key": "child_birth_date", "op": rng.choice((">", ">=", "<")), "value": {"years_ago": 3}})
        if cert_type == "degree_certificate" and rng.random() < 0.5:
            where.append({"key": "graduation_date", "op": rng.choice((">", "<=")), "value": {"years_ago": 5}})
        return {"certificate": cert_type, "where": where}

    def compare(self, audience: str) -> dict[str, Any]:
        rng = self.rng
        name = rng.choice(self.facts(audience))
        kind = FACT_FIELDS[name].kind
        if kind == "flag":
            return {"field": name, "op": rng.choice(("=", "!=")), "value": rng.random() < 0.5}
        if kind == "text":
            op = rng.choice(("=", "!=", "in", "not_in", "prefix"))
            values = PREFIXES if op == "prefix" else TEXTS[name]
            value = rng.choice(values) if op in ("=", "!=") else rng.sample(values, rng.randint(1, 2))
            return {"field": name, "op": op, "value": value}
        op = rng.choice(("=", "!=", "<", "<=", ">", ">="))
        if kind == "date":
            value: Any = rng.choice(({"years_ago": rng.choice((1, 3, 5))}, self.today - timedelta(days=365 * 3)))
            return {"field": name, "op": op, "value": value}
        return {"field": name, "op": op, "value": self.number(name)}

    def number(self, name: str) -> Any:
        rng = self.rng
        if FACT_FIELDS[name].kind == "money":
            return rng.choice((0, 1000, 25_000.5, 100_000, 1_000_000))
        return rng.choice({"age": (35, 80, 90), "household_size": (1, 2, 3)}.get(name, (0, 1, 2, 6, 12)))

    def amount(self, audience: str) -> dict[str, Any]:
        rng = self.rng
        kind = rng.choice(("fixed", "per_head", "tiered", "formula", "formula"))
        if kind == "fixed":
            return {"fixed": rng.choice((0, 1500, 3600.5))}
        if kind == "per_head":
            if audience == "citizens" and rng.random() < 0.5:
                return {"per_head": 3600, "count": self.certificates()}
            return {"per_head": 1500, "count": rng.choice(self.facts(audience, "number"))}
        if kind == "tiered":
            name = rng.choice(self.facts(audience, "number", "money"))
            edges = sorted({self.number(name) for _ in range(3)})
            tiers = [{"to": edges[0], "amount": 100}] if rng.random() < 0.5 else []
            tiers += [{"from": a, "to": b, "amount": 200 * (i + 1)} for i, (a, b) in enumerate(pairwise(edges))]
            tiers.append({"from": edges[-1], "amount": 999.99})
            return {"tiered": name, "tiers": tiers}
        return {"formula": self.formula(audience, depth=0)}

    def formula(self, audience: str, depth: int) -> str:
        """At most one fact per product, so that no value outgrows 64-bit integers."""
        rng = self.rng
        fact = rng.choice(self.facts(audience, "number", "money"))
        number = rng.choice(("0.6", "0.3", "2", "1500", "0.05", "3"))
        roll = rng.random()
        if depth < 2 and roll < 0.3:
            function = rng.choice(("min", "max"))
            args = ", ".join(self.formula(audience, depth + 1) for _ in range(rng.choice((2, 3))))
            return f"{function}({args})"
        if depth < 2 and roll < 0.55:
            return f"({self.formula(audience, depth + 1)}) {rng.choice('+-')} {self.formula(audience, depth + 1)}"
        if roll < 0.75:
            return f"{fact} * {number}"
        if roll < 0.9:
            return f"{fact} / {number}"
        return rng.choice((fact, number))
