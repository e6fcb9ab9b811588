"""Who acts on a dispute beside the actors every kind shares, and the one task that is not a route's."""

from services.workflow.table import APPLICANT, CLERK, SYSTEM

COUNTERPARTY = "counterparty"  # the other party, a registered person or firm
INTAKE = "centre_intake"  # the centre's window (the front desk), which registers and routes
MEDIATOR = "mediator"  # the clerk of a route's agency who holds a mediation task
JUDGE = "judge"  # the court's clerk who holds a judicial confirmation task
ACTORS = (APPLICANT, COUNTERPARTY, INTAKE, CLERK, MEDIATOR, JUDGE, SYSTEM)  # the applicant: the party who filed
PARTIES = {APPLICANT, COUNTERPARTY}

# The task that asks the court to confirm an agreement; every other task mediates along a route.
JUDICIAL_CONFIRMATION = "judicial_confirmation"
