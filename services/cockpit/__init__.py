"""The city-brain cockpit: trends, departments compared, the mix of kinds of case, live counters, drill-down.

Everything here reads; the rollup (services/metrics) is the source of the application figures,
the registry of kinds (services/workflow/case_types) the source of which kinds of case exist.
"""
