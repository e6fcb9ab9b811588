"""The metrics rollup: additive counts per China submission day, so the dashboard sums rows instead of cases.

Each row holds what services/metrics counts over the applications submitted on
`day` (and their tasks), split by the keys the figures are filtered or grouped
by. Rows are only ever replaced a whole day at a time (services/metrics/rollup.py);
the primary keys make a day counted twice fail loudly instead of doubling a figure.
"""

from datetime import date, datetime

from sqlmodel import Field, SQLModel


class ApplicationDayCounts(SQLModel, table=True):
    """Applications submitted on `day` for `service_code` that are now in `status`."""

    __tablename__ = "metric_application_day"

    day: date = Field(primary_key=True)
    service_code: str = Field(primary_key=True, max_length=64)
    status: str = Field(primary_key=True, max_length=24)
    submitted: int
    online: int
    finished: int
    finished_without_visit: int
    finished_at_most_one_visit: int = Field(sa_column_kwargs={"server_default": "0"})
    finished_with_deadline: int
    finished_in_time: int
    finished_same_day: int
    accepted: int
    notices: int
    second_notices: int
    visits_beyond_promise: int
    # 好差评: how many of them were rated, and the sum of their scores (the trend's mean is the one over the other).
    rated: int = Field(sa_column_kwargs={"server_default": "0"})
    rating_score: int = Field(sa_column_kwargs={"server_default": "0"})


class TaskDayCounts(SQLModel, table=True):
    """Tasks of `item_code` for `department`, of the applications submitted on `day` for `service_code`."""

    __tablename__ = "metric_task_day"

    day: date = Field(primary_key=True)
    service_code: str = Field(primary_key=True, max_length=64)
    department: str = Field(primary_key=True, max_length=20)
    item_code: str = Field(primary_key=True, max_length=64)
    status: str = Field(primary_key=True, max_length=16)
    tasks: int
    online: int  # of applications made online
    application_finished: int
    application_finished_without_visit: int
    application_finished_at_most_one_visit: int = Field(sa_column_kwargs={"server_default": "0"})
    decided: int
    decided_with_deadline: int
    decided_in_time: int
    decided_same_day: int
    # Open tasks turn late as days pass, so only the late decisions (fixed once made) are kept here.
    decided_late: int


class DepartmentDayCases(SQLModel, table=True):
    """The applications submitted on `day` for `service_code` that `department` has tasks in."""

    __tablename__ = "metric_department_day"

    day: date = Field(primary_key=True)
    service_code: str = Field(primary_key=True, max_length=64)
    department: str = Field(primary_key=True, max_length=20)
    applications: int
    notices: int
    second_notices: int
    visits_beyond_promise: int


class MetricsRefresh(SQLModel, table=True):
    """Single row: when the last refresh started; the next one looks for changes from shortly before then."""

    __tablename__ = "metric_refresh"

    id: int = Field(default=1, primary_key=True)
    started_at: datetime | None = None
