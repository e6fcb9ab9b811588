"""PostgreSQL plans each policy's query from its statistics: a rule's filter must be one whose share of rows
they let it estimate. Guessed far too small, the planner joined 55,000 firms' filings in a nested loop and
one policy took 12 s of CPU instead of 0.1 s (bench/BENEFITS.md)."""

from datetime import date

import pytest
from sqlalchemy import func, insert, or_, select, text

from services.benefits.functions import StartsWith
from services.models import CompanyRecord
from tests.factories import make_company

INDUSTRIES = ["C39"] * 60 + ["I65"] * 30 + ["F52"] * 110


def test_postgresql_estimates_how_many_firms_an_industry_prefix_keeps(session):
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite's planner estimates no share of rows for a filter on a column")
    companies = [make_company(session) for _ in INDUSTRIES]
    session.execute(
        insert(CompanyRecord.__table__),  # type: ignore[attr-defined]
        [
            {
                "user_id": company.id,
                "founded_on": date(2020, 1, 1),
                "headcount": 5,
                "size": "micro",
                "industry_code": code,
                "district": "xihu",
            }
            for company, code in zip(companies, INDUSTRIES, strict=True)
        ],
    )
    session.execute(text("ANALYZE company_record"))
    code = CompanyRecord.__table__.c.industry_code  # type: ignore[attr-defined]
    in_c_or_i = or_(StartsWith(code, "C"), StartsWith(code, "I"))
    actual = session.execute(select(func.count()).select_from(CompanyRecord).where(in_c_or_i)).scalar_one()
    assert actual == 90
    query = select(code).where(in_c_or_i).compile(session.get_bind(), compile_kwargs={"literal_binds": True})
    plan = session.execute(text(f"EXPLAIN (FORMAT JSON) {query}")).scalar_one()
    estimated = plan[0]["Plan"]["Plan Rows"]
    # A guess knowing nothing of the codes is one row in 200 for each prefix: 2 rows here (the old substr).
    assert actual / 2 <= estimated <= actual * 2
