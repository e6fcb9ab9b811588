"""The reform's figures, computed from the cases by SQL aggregates (nothing is counted by hand).

Overall figures are over applications; the per-department breakdown is over
the tasks of each department. `read_metrics` sums the rollup (read.py), counts per
China submission day that `refresh_rollup` keeps current (rollup.py), and counts
live only what changes with the date alone: the open tasks now past their deadline.
The tests hold it to a reference that aggregates the cases themselves
(tests/metrics_reference.py).
"""

from services.metrics.figures import Breaches, CatalogFigures, DepartmentFigures, Figures, Metrics, Rates
from services.metrics.read import current_metrics, read_metrics
from services.metrics.rollup import REFRESH_OVERLAP, RefreshReport, refresh_rollup
from services.metrics.sql import DECIDED, FINISHED, china_date

__all__ = [
    "DECIDED",
    "FINISHED",
    "REFRESH_OVERLAP",
    "Breaches",
    "CatalogFigures",
    "DepartmentFigures",
    "Figures",
    "Metrics",
    "Rates",
    "RefreshReport",
    "china_date",
    "current_metrics",
    "read_metrics",
    "refresh_rollup",
]
