"""One real application's history, from its audit events, as a journey that replays it.

Only what people did becomes a step; what the system did in the same transaction
(fan-out, instant items decided at acceptance, e-certificates delivered, completion)
happens again by itself when the replay does the same things at the same times. The
people are new Faker people of the same roles, and the answers are `auto` unless
asked for (they are personal data).
"""

import re

import yaml
from sqlmodel import Session, select

from services.audit import history
from services.catalog import Catalog
from services.clock import to_china
from services.errors import NotFound
from services.models import Application, Attachment, Certificate, Notice, Rating, Rectification, Task, User, Visit

# Events of people that map one to one onto a verb, with how to read the verb's argument.
TASK_VERBS = {
    "task.claim": ("claim", lambda e: {"item": e.payload["item"]}),
    "task.release": ("release", lambda e: {"item": e.payload["item"]}),
    "task.resume": ("resume", lambda e: {"item": e.payload["item"]}),
    "task.approve": ("approve", lambda e: {"item": e.payload["item"], **({"note": e.reason} if e.reason else {})}),
    "task.reject": ("reject", lambda e: {"item": e.payload["item"], "reason": e.reason}),
    "task.suspend": (
        "suspend",
        lambda e: {"item": e.payload["item"], "procedure": e.payload["procedure"], "reason": e.reason},
    ),
    "task.request_notice": ("request_notice", lambda e: {"item": e.payload["item"], "reason": e.reason}),
    "task.request_extension": (
        "request_extension",
        lambda e: {"item": e.payload["item"], "days": e.payload["days"], "reason": e.reason},
    ),
    "task.grant_extension": (
        "grant_extension",
        lambda e: {"item": e.payload["item"], **({"answer": e.reason} if e.reason else {})},
    ),
    "task.refuse_extension": ("refuse_extension", lambda e: {"item": e.payload["item"], "answer": e.reason}),
    "task.deliver": (
        "deliver",
        lambda e: {
            "item": e.payload["item"],
            **({"tracking_number": e.payload["tracking_number"]} if e.payload.get("tracking_number") else {}),
        },
    ),
}


def _by_a_person(event) -> bool:
    """Not a follow-on: the system's own moves, and the instant items the desk decides on accepting,
    repeat by themselves."""
    if event.actor_role == "system":
        return False
    return event.actor_role != "front_desk" or event.event == "task.deliver"


def _moment(at) -> str:
    return to_china(at).strftime("%Y-%m-%d %H:%M:%S")


class _Cast:
    """Actor names by role: the applicant, front_desk, clerk_psb, supervisor (numbered when several)."""

    def __init__(self, session: Session, applicant: User, wallet: list[str]):
        self.session = session
        self.names = {applicant.id: "applicant"}
        self.actors = {"applicant": {"role": applicant.role, **({"wallet": wallet} if wallet else {})}}

    def name(self, user_id: int) -> str:
        if user_id not in self.names:
            user = self.session.get(User, user_id)
            base = user.role if user.role != "clerk" else f"clerk_{user.department.lower()}"
            name, n = base, 1
            while name in self.actors:
                n += 1
                name = f"{base}_{n}"
            self.names[user_id] = name
            self.actors[name] = {"role": user.role, **({"department": user.department} if user.department else {})}
        return self.names[user_id]

    def front_desk(self) -> str:
        existing = next((name for name, spec in self.actors.items() if spec["role"] == "front_desk"), None)
        if existing:
            return existing
        self.actors["front_desk"] = {"role": "front_desk"}
        return "front_desk"


def export_journey(*, session: Session, catalog: Catalog, number: str, with_answers: bool = False) -> str:
    application = session.exec(
        select(Application).where((Application.number == number) | (Application.key == number))
    ).first()
    if application is None:
        raise NotFound(f"no application {number}")
    return yaml.safe_dump(
        journey_document(session, catalog, application, with_answers), allow_unicode=True, sort_keys=False, width=120
    )


def journey_document(session: Session, catalog: Catalog, application: Application, with_answers: bool) -> dict:
    service = catalog.service(application.service_code)
    applicant = session.get(User, application.applicant_id)
    attachments = {
        a.material_key: a for a in session.exec(select(Attachment).where(Attachment.application_id == application.id))
    }
    wallet_ids = [a.certificate_id for a in attachments.values() if a.source == "wallet"]
    wallet = (
        sorted(set(session.exec(select(Certificate.cert_type).where(Certificate.id.in_(wallet_ids)))))
        if wallet_ids
        else []
    )
    cast = _Cast(session, applicant, wallet)
    events = history(session=session, case=application)
    steps: list[dict] = []
    now = events[0].at if events else application.created_at
    pending: dict[str, str] = {}  # materials uploaded since the last submission

    def add(at, step: dict) -> None:
        nonlocal now
        if at > now:
            steps.append({"advance": {"to": _moment(at)}})
            now = at
        steps.append(step)

    def kind_of(material: str) -> str:
        row = attachments.get(material)
        return "png" if row is not None and row.content_type == "image/png" else "pdf"

    def uploads() -> dict[str, str]:
        chosen = dict(pending)
        pending.clear()
        return chosen

    apply_step = None
    for event in events:
        by = cast.name(event.actor_id) if event.actor_id else None
        if event.event == "start":
            apply_step = {"service": service.code}
            if application.delivery_method:
                apply_step["delivery"] = application.delivery_method
            apply_step["fields"] = {k: v for k, v in application.form_data.items()} if with_answers else "auto"
            add(event.at, {"as": by, "apply": apply_step})
        elif event.event == "attach":
            pending[event.payload["material"]] = kind_of(event.payload["material"])
        elif event.event == "task.supplement" and event.actor_role != "system":
            # One hand-in settles every task owing the material: one step for the first of its events.
            if pending.pop(event.payload["material"], None) is not None:
                add(event.at, {"as": by, "supplement": event.payload["material"]})
        elif event.event == "submit":
            chosen = uploads()
            apply_step["materials"] = {
                spec.key: chosen.get(spec.key, "missing")
                for spec in service.materials
                if not (attachments.get(spec.key) and attachments[spec.key].source == "wallet")
            }
            add(event.at, {"as": by, "submit": None})
        elif event.event in ("resubmit", "answer_notice"):
            chosen = uploads()
            add(event.at, {"as": by, "resubmit": {"materials": chosen} if chosen else None})
        elif event.event == "withdraw":
            add(event.at, {"as": by, "withdraw": {"reason": event.reason} if event.reason else None})
        elif event.event == "accept":
            add(event.at, {"as": by, "accept": {"tolerate": True} if event.payload.get("tolerated") else None})
        elif event.event == "issue_notice":
            notice = session.exec(select(Notice).where(Notice.key == event.payload["notice"])).one()
            body = {"items": [{item["kind"]: item["key"], "reason": item["reason"]} for item in notice.items]}
            if notice.new_fact:
                body["new_fact"] = notice.new_fact
            add(event.at, {"as": by, "notice": body})
        elif event.event == "refuse":
            add(event.at, {"as": by, "refuse": event.reason})
        elif event.event == "record_visit":
            add(event.at, {"as": by, "record_visit": event.reason})
        elif event.event == "rate":
            rating = session.exec(select(Rating).where(Rating.application_id == application.id)).one()
            add(
                event.at,
                {"as": by, "rate": {"score": rating.score, **({"comment": rating.comment} if rating.comment else {})}},
            )
        elif event.event == "answer_rectification":
            answered = session.exec(
                select(Rectification).where(Rectification.key == event.payload["rectification"])
            ).one()
            add(
                event.at,
                {"as": by, "answer_rectification": {"answer": answered.answer, "department": answered.department}},
            )
        elif event.event == "terminate":
            add(event.at, {"sweep": None})
        elif event.event in TASK_VERBS and _by_a_person(event):
            verb, argument = TASK_VERBS[event.event]
            actor = cast.front_desk() if verb == "deliver" else by
            add(event.at, {"as": actor, verb: argument(event)})
    steps.append({"expect": final_expectations(session, application)})
    number = application.number or application.key
    return {
        "name": f"Replay of {number}",
        "purpose": f"Replays {number} ({service.name.en}) from its audit history, ending {application.status}.",
        "seed": int(re.sub(r"\D", "", number) or 1) % 1_000_000,
        "start": _moment(events[0].at if events else application.created_at),
        "actors": cast.actors,
        "steps": steps,
    }


def final_expectations(session: Session, application: Application) -> dict:
    """What the replay must end in: the statuses, the visits and the certificates."""
    tasks = session.exec(select(Task).where(Task.application_id == application.id).order_by(Task.id)).all()
    visits = session.exec(select(Visit).where(Visit.application_id == application.id)).all()
    certificates = session.exec(
        select(Certificate.cert_type)
        .where(Certificate.application_id == application.id)
        .order_by(Certificate.cert_type)
    ).all()
    expect = {"status": application.status}
    if tasks:
        expect["tasks"] = {task.item_code: task.status for task in tasks}
    expect["visits"] = len(visits)
    expect["certificates"] = list(certificates)
    return expect
