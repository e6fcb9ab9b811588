from services.workflow.engine import available_events, fire, relations_of
from services.workflow.table import APPLICATION_TRANSITIONS, Transition, allowed_events, refusal

__all__ = [
    "APPLICATION_TRANSITIONS",
    "Transition",
    "allowed_events",
    "available_events",
    "fire",
    "refusal",
    "relations_of",
]
