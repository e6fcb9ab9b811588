"""The reform's figures, computed from the cases by SQL aggregates (nothing is counted by hand).

Overall figures are over applications; the per-department breakdown is over
the tasks of each department. Two ways to the same numbers:

- `compute_metrics` aggregates the cases themselves (compute.py): the reference,
  whose cost grows with the tables;
- `read_metrics` sums the rollup (read.py), counts per China submission day that
  `refresh_rollup` keeps current (rollup.py), and counts live only what changes
  with the date alone: the open tasks now past their deadline.
"""
from services.metrics.compute import compute_metrics
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
    "compute_metrics",
    "current_metrics",
    "read_metrics",
    "refresh_rollup",
]
