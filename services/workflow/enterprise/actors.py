"""Who acts on an enterprise request beside the actors every kind shares, and the office they work in."""

from services.workflow.table import APPLICANT, ASSIGNEE, CLERK, SYSTEM

# The department that triages every request and answers the common problems.
OFFICE_DEPARTMENT = "BIZENV"

OFFICE = "business_office"  # a clerk of the business-environment office
OFFICE_SUPERVISOR = "office_supervisor"  # a supervisor of the office (or of the city)
LEAD = "lead_handler"  # the clerk holding the lead department's task
CO_HANDLER = "co_handler"  # the clerk holding a co-handling department's task
ACTORS = (APPLICANT, OFFICE, OFFICE_SUPERVISOR, CLERK, ASSIGNEE, LEAD, CO_HANDLER, SYSTEM)
