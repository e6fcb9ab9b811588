"""A policy's query reads each grouping of certificates once, however many of its rules and its amount read it.

The answers are held to the Python judge by tests/service/test_benefit_sweep.py; this holds the shape that
keeps the sweep from reading a type's certificates twice (bench/BENEFITS.md)."""

from datetime import date

from sqlalchemy.dialects import postgresql

from services.benefits.query import among_query, eligible_query
from services.catalog import default_catalog

TODAY = date(2026, 12, 7)


def _readings_of(table: str, statement) -> int:
    return str(statement.compile(dialect=postgresql.dialect())).count(f"FROM {table} ")


def _readings_of_certificates(statement) -> int:
    return _readings_of("certificate", statement)


def test_the_childcare_rule_and_its_count_per_child_share_one_grouping_of_birth_certificates():
    policy = default_catalog().policies["childcare_subsidy_2026"]
    # The holders of a birth certificate (the way in), then one grouping counted by the rule and the amount.
    assert _readings_of_certificates(eligible_query(policy, TODAY)) == 2


def test_the_degree_and_the_graduation_day_come_from_one_grouping_and_imply_the_holders_once():
    policy = default_catalog().policies["graduate_living_allowance"]
    assert _readings_of_certificates(eligible_query(policy, TODAY)) == 2


def test_a_certificate_rule_repeated_as_a_guard_is_read_once():
    policy = default_catalog().policies["flexible_employment_insurance_subsidy_2026"]
    # The registrations' holders (the way in) and their one grouping, though the rule guards the later ones.
    assert _readings_of_certificates(eligible_query(policy, TODAY)) == 2
    # Judging a few subjects there is no way in to add: the one grouping.
    assert _readings_of_certificates(among_query((policy,), TODAY)) == 1


def test_on_postgresql_the_grouping_of_a_rules_certificates_is_also_the_way_in():
    # PostgreSQL starts from the grouping's rows once the WHERE clause asks for one; a semi-join on the holders
    # would group and hash the same certificates' owners a second time.
    for code in ("childcare_subsidy_2026", "graduate_living_allowance", "talent_housing_subsidy"):
        policy = default_catalog().policies[code]
        assert _readings_of_certificates(eligible_query(policy, TODAY, postgres=True)) == 1


def test_on_postgresql_a_firms_months_insured_and_its_unemployment_insurance_come_from_one_reading():
    # The SME refund's rule counts the months insured and its amount sums the unemployment insurance paid.
    policy = default_catalog().policies["job_stabilisation_refund_sme_2026"]
    assert _readings_of("contribution", eligible_query(policy, TODAY, postgres=True)) == 1
    # SQLite, without lateral joins, looks each up where it is needed.
    assert _readings_of("contribution", eligible_query(policy, TODAY)) == 2


def test_the_old_age_allowance_works_out_an_age_once_for_the_rule_and_once_for_the_amount():
    # Three tiers of age: as a condition per tier the age was worked out from the ID number up to five times more.
    policy = default_catalog().policies["elderly_allowance_2026"]
    assert str(eligible_query(policy, TODAY).compile(dialect=postgresql.dialect())).count("substr(") == 2
