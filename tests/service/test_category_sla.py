"""An enterprise request's tasks take its category's SLA thresholds (seed_data/catalog/sla.yaml), not the city's."""

from dataclasses import replace

from sqlmodel import col, select

from services import clock
from services.catalog.model import SlaThresholds
from services.deadline_colour import ColourRanges
from services.models import EnterpriseTaskRole, Task, task_sla_key
from services.sla import sweep
from services.workdays import load_calendar
from tests.sample import request_staff, request_tasks, routed_request


def amber_in_sql(session, catalog, tasks) -> set[int]:
    """Which of `tasks` the SQL form of the colour (what lists and the sweep filter by) finds amber today."""
    colours = ColourRanges(load_calendar(session=session), clock.china_today(), catalog.sla)
    return set(
        session.exec(
            select(col(Task.id)).where(
                col(Task.id).in_([t.id for t in tasks]),
                colours.is_(Task.deadline, "amber", code_column=task_sla_key()),
            )
        ).all()
    )


def test_a_category_s_own_amber_colours_its_tasks_where_the_city_s_would_not(session, catalog, store, at):
    assert catalog.sla.of("land_utilities").amber_working_days == 3  # seed_data/catalog/sla.yaml
    city_only = replace(catalog, sla=SlaThresholds(catalog.sla.default, {}))
    staff = request_staff(session)
    at(2026, 11, 2)
    _, request = routed_request(session, catalog, store, staff)  # land and utilities: due Monday 16 November
    handling = [
        *request_tasks(session, request)[EnterpriseTaskRole.LEAD],
        *request_tasks(session, request)[EnterpriseTaskRole.CO_HANDLER],
    ]
    assert {(t.sla_key, t.deadline.isoformat()) for t in handling} == {("land_utilities", "2026-11-16")}

    at(2026, 11, 12)  # Thursday: two working days left before the deadline
    sweep(session=session, catalog=city_only)
    assert {t.sla_colour for t in request_tasks(session, request)[EnterpriseTaskRole.LEAD]} == {"green"}
    assert amber_in_sql(session, city_only, handling) == set()

    sweep(session=session, catalog=catalog)
    assert {t.sla_colour for t in request_tasks(session, request)[EnterpriseTaskRole.LEAD]} == {"amber"}
    assert amber_in_sql(session, catalog, handling) == {t.id for t in handling}
