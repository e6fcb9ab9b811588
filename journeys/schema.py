"""The JSON Schema of a journey file, built from the vocabulary and kept as seed_data/journeys/schema.json.

Editors (VS Code's YAML extension, IntelliJ) read the file for completion and checking;
the loader validates with it before its own checks. A test fails when the file drifts.
"""

import json
from pathlib import Path

from journeys.vocabulary import (
    ADVANCE_UNITS,
    BREACHES,
    COLOURS,
    EXPECTATIONS,
    MATERIAL_KINDS,
    ROLES,
    STEP_KEYS,
    VERBS,
    Verb,
)
from services.catalog.model import DELIVERY_METHODS
from services.models import (
    ApplicationStatus,
    BenefitOfferStatus,
    DisputeStatus,
    DisputeTaskStatus,
    EnterpriseRequestStatus,
    EnterpriseTaskStatus,
    TaskStatus,
)

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "seed_data" / "journeys" / "schema.json"


def _states(*kinds) -> list[str]:
    """Every status of these classes (each kind of case, or its tasks), once."""
    return sorted(
        {value for kind in kinds for name, value in vars(kind).items() if name.isupper() and isinstance(value, str)}
    )


CASE_STATES = _states(ApplicationStatus, EnterpriseRequestStatus, DisputeStatus, BenefitOfferStatus)
TASK_STATES = _states(TaskStatus, EnterpriseTaskStatus, DisputeTaskStatus)

TEXT = {"type": "string", "minLength": 1}
NAME = {"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9_]*$"}
DAY = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$", "description": "a date, YYYY-MM-DD"}
MOMENT = {
    "type": "string",
    "pattern": r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?$",
    "description": "China time, YYYY-MM-DD HH:MM",
}
COUNT = {"type": "integer", "minimum": 0}
YUAN = {"type": "number", "exclusiveMinimum": 0, "description": "yuan"}
ANSWERS = {
    "description": "auto, or answers by field key laid over the automatic ones ('' leaves one empty)",
    "anyOf": [{"const": "auto"}, {"type": "object", "additionalProperties": {"type": ["string", "number", "null"]}}],
}
FILES = {
    "description": "auto, or by material key: pdf, png, exe (a program: refused) or missing",
    "anyOf": [{"const": "auto"}, {"type": "object", "additionalProperties": {"enum": list(MATERIAL_KINDS)}}],
}

ARGUMENTS = {
    "service": TEXT,
    "label": NAME,
    "fields": ANSWERS,
    "materials": FILES,
    "delivery": {"enum": list(DELIVERY_METHODS)},
    "item": TEXT,
    "material": TEXT,
    "department": TEXT,
    "procedure": TEXT,
    "reason": TEXT,
    "purpose": TEXT,
    "note": TEXT,
    "answer": TEXT,
    "comment": {"type": "string"},
    "new_fact": TEXT,
    "tracking_number": TEXT,
    "tolerate": {"type": "boolean"},
    "category": TEXT,
    "description": TEXT,
    "concerns_department": TEXT,
    "attachments": {"type": "array", "maxItems": 1, "items": {"enum": ["pdf", "png", "exe"]}},
    "lead": TEXT,
    "co_handlers": {"type": "array", "items": TEXT},
    "text": TEXT,
    "title": TEXT,
    "problem": TEXT,
    "against": NAME,
    "kind": TEXT,
    "centre": TEXT,
    "claim": TEXT,
    "evidence": {"type": "array", "maxItems": 1, "items": {"enum": ["pdf", "png", "exe"]}},
    "routes": {"type": "array", "minItems": 1, "items": TEXT},
    "at": MOMENT,
    "place": {"enum": ["online", "centre"]},
    "terms": TEXT,
    "referral": {"enum": ["arbitration", "litigation"]},
    "days": {"type": "integer", "minimum": 1, "maximum": 30},
    "score": {"type": "integer", "minimum": 1, "maximum": 5},
    "file": {"enum": ["pdf", "png", "exe"]},
    "policy": TEXT,
    "bank_account": {"type": "string", "pattern": r"^\d{10,30}$"},
    "bank_name": TEXT,
    "returned": {"type": "object", "additionalProperties": TEXT, "description": "case label: the bank's reason"},
    "of": NAME,
    "company": {
        "type": "object",
        "additionalProperties": False,
        "required": ["size", "headcount"],
        "properties": {
            "size": {"enum": ["micro", "small", "medium", "large"]},
            "headcount": {"type": "integer", "minimum": 1},
            "industry_code": TEXT,
            "district": TEXT,
            "founded_on": DAY,
        },
    },
    "insured_months": {"type": "integer", "minimum": 1, "maximum": 24},
    "monthly_unemployment_yuan": YUAN,
    "received": {"type": "array", "items": TEXT, "description": "policies whose benefit was paid elsewhere"},
    "yuan": {"type": "number", "minimum": 0},
    "amount": YUAN,
    "review": NAME,
    "items": {
        "type": "array",
        "minItems": 1,
        "items": {
            "type": "object",
            "additionalProperties": False,
            "required": ["reason"],
            "properties": {"field": TEXT, "material": TEXT, "reason": TEXT},
            "minProperties": 2,
            "maxProperties": 2,
        },
    },
}


def verb_schema(verb: Verb) -> dict:
    body = {"type": "object", "additionalProperties": False, "properties": {key: ARGUMENTS[key] for key in verb.keys}}
    if verb.required:
        body["required"] = list(verb.required)
    shapes = [body]
    if verb.scalar:
        shapes.append(ARGUMENTS[verb.scalar])
    if not verb.required:
        shapes.append({"type": "null"})
    schema = shapes[0] if len(shapes) == 1 else {"anyOf": shapes}
    return {"description": verb.summary, **schema}


def expect_schema() -> dict:
    task = {
        "anyOf": [
            {"enum": TASK_STATES},
            {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "status": {"enum": TASK_STATES},
                    "deadline": {"anyOf": [DAY, {"type": "null"}]},
                    "colour": {"enum": list(COLOURS)},
                    "owed": {"type": "array", "items": TEXT},
                },
            },
        ]
    }
    notification = {
        "type": "object",
        "additionalProperties": False,
        "required": ["to"],
        "properties": {"to": NAME, "count": COUNT, "sent": COUNT, "contains": TEXT},
    }
    properties = {
        "status": {"enum": CASE_STATES},
        "tasks": {"type": "object", "additionalProperties": task},
        "deadline": {"anyOf": [DAY, {"type": "null"}]},
        "colour": {"enum": list(COLOURS)},
        "visits": COUNT,
        "breaches": {
            "type": "object",
            "additionalProperties": False,
            "properties": {name: {"type": "boolean"} for name in BREACHES},
        },
        "notifications": {"anyOf": [notification, {"type": "array", "items": notification}]},
        "wallet": {"type": "object", "additionalProperties": {"type": "array", "items": TEXT}},
        "certificates": {"type": "array", "items": TEXT},
        "applications": {"type": "object", "additionalProperties": COUNT},
        "rating": {"anyOf": [{"type": "integer", "minimum": 1, "maximum": 5}, {"type": "null"}]},
        "rectifications": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"open": COUNT, "answered": COUNT},
        },
        "sees": {"anyOf": [TEXT, {"type": "array", "items": TEXT, "minItems": 1}]},
        "escalated": {"type": "boolean"},
        "reopened": {"type": "boolean"},
        "answer": TEXT,
        "centre": TEXT,
        "referral": {"enum": ["arbitration", "litigation", None]},
        "amount": YUAN,
    }
    for key, text in EXPECTATIONS.items():
        properties[key] = {"description": text, **properties[key]}
    return {"type": "object", "additionalProperties": False, "minProperties": 1, "properties": properties}


def journey_schema() -> dict:
    actions = {name: {"$ref": f"#/$defs/verbs/{name}"} for name in VERBS}
    step_keys = {"as": NAME, "application": NAME, "case": NAME, "note": TEXT}
    assert set(step_keys) == set(STEP_KEYS)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://atmostonce.example/schemas/journey.json",
        "title": "AtMostOnce journey",
        "description": "A scripted story replayed in-process, over HTTP or in a browser. See docs/journeys.md.",
        "type": "object",
        "additionalProperties": False,
        "required": ["name", "purpose", "seed", "start", "actors", "steps"],
        "properties": {
            "name": TEXT,
            "purpose": {"type": "string", "minLength": 1, "pattern": r"^[^\n]+$", "description": "one line"},
            "seed": {"type": "integer", "description": "Faker's seed: the same seed, the same people and answers"},
            "start": {"description": "where the virtual clock starts", **MOMENT},
            "actors": {
                "type": "object",
                "minProperties": 1,
                "propertyNames": NAME,
                "additionalProperties": {"$ref": "#/$defs/actor"},
            },
            "steps": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/step"}},
        },
        "$defs": {
            "actor": {
                "type": "object",
                "additionalProperties": False,
                "minProperties": 1,
                "properties": {
                    "role": {"enum": list(ROLES)},
                    "department": TEXT,
                    "wallet": {"type": "array", "items": TEXT, "description": "certificate types already issued"},
                    "demo": {"type": "string", "description": "the login of a demo account instead of a new person"},
                },
            },
            "advance": {
                "type": "object",
                "additionalProperties": False,
                "minProperties": 1,
                "properties": {**{unit: COUNT for unit in ADVANCE_UNITS}, "to": MOMENT},
            },
            "expect": expect_schema(),
            "refused": {
                "type": "object",
                "additionalProperties": False,
                "required": ["message"],
                "minProperties": 2,
                "maxProperties": 2,
                "properties": {
                    "message": {
                        "type": "string",
                        "minLength": 1,
                        "description": "a pattern the refusal's words must match",
                    },
                    **actions,
                },
            },
            "step": {
                "type": "object",
                "additionalProperties": False,
                "minProperties": 1,
                "properties": {
                    **step_keys,
                    "advance": {"$ref": "#/$defs/advance"},
                    "expect": {"$ref": "#/$defs/expect"},
                    "expect_refused": {"$ref": "#/$defs/refused"},
                    **actions,
                },
            },
            "verbs": {name: verb_schema(verb) for name, verb in VERBS.items()},
        },
    }


def schema_text() -> str:
    return json.dumps(journey_schema(), indent=2, ensure_ascii=False) + "\n"


def load_schema() -> dict:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
