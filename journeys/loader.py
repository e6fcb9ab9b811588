"""Reads journey files: YAML with lines kept, the JSON Schema, then checks against the catalogue.

Every problem is reported as `file:line: reason`, all of them at once, before anything runs.
"""

import difflib
import re
from datetime import datetime
from pathlib import Path

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from journeys.model import MAIN, REVIEW, Actor, Application, Journey, Step
from journeys.schema import load_schema
from journeys.vocabulary import APPLICATION, DISPUTE, EXPECTATION_KINDS, EXPECTATIONS, OFFER, REQUEST, VERBS
from journeys.yamlines import Node, YamlError, line_at, load_yaml
from seeding.demo import CITIZEN, COMPANY, SPOUSE
from services.catalog import Catalog
from services.clock import CHINA
from services.workflow.task_rules import PROCEDURES


class JourneyInvalid(ValueError):
    """A journey that cannot run; `problems` are (line, reason) pairs."""

    def __init__(self, path: str, problems: list[tuple[int, str]]):
        self.path = path
        self.problems = sorted(set(problems))
        super().__init__("\n".join(f"{path}:{line}: {reason}" for line, reason in self.problems))


def demo_accounts(catalog: Catalog) -> dict[str, tuple[str, str | None]]:
    """Login → (role, department) of the accounts `flask --app app demo` creates."""
    accounts = {
        CITIZEN.mobile: ("citizen", None),
        SPOUSE.mobile: ("citizen", None),
        COMPANY.credit_code: ("company", None),
        "frontdesk": ("front_desk", None),
        "supervisor": ("supervisor", None),
    }
    accounts.update({f"clerk.{code.lower()}": ("clerk", code) for code in catalog.departments})
    return accounts


def parse_moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace(" ", "T")).replace(tzinfo=CHINA)


def _suggest(word: str, choices) -> str:
    close = difflib.get_close_matches(str(word), list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def schema_problems(document) -> list[tuple[int, str]]:
    problems = []
    schema = load_schema()
    kinds = {"step": "step", "expect": "expectation", "refused": "step to be refused", "actor": "actor key"}
    for error in Draft202012Validator(schema).iter_errors(document):
        path = list(error.absolute_path)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            allowed = error.schema.get("properties", {})
            what = next((kind for name, kind in kinds.items() if schema["$defs"][name] == error.schema), "key")
            for key in error.instance:
                if key not in allowed:
                    problems.append(
                        (line_at(document, [*path, key]), f"unknown {what} {key!r}{_suggest(key, allowed)}")
                    )
            continue
        if error.validator in ("anyOf", "oneOf") and error.context:
            error = best_match(error.context)
        where = ".".join(str(part) for part in path)
        problems.append((line_at(document, path), f"{where}: {error.message}" if where else error.message))
    return problems


class _Checker:
    """The checks a schema cannot make: names that must exist, roles that must fit."""

    def __init__(self, document: Node, catalog: Catalog):
        self.document = document
        self.catalog = catalog
        self.problems: list[tuple[int, str]] = []
        self.actors: dict[str, Actor] = {}
        self.applications: dict[str, Application] = {}
        self.unusable: set[str] = set()  # labels whose apply has a problem already reported

    @property
    def agencies(self) -> list[str]:
        """Who a clerk may work for: a department, or the agency of a dispute's route."""
        return [*self.catalog.departments, *self.catalog.dispute_routes]

    def problem(self, line: int, reason: str) -> None:
        self.problems.append((line, reason))

    # --- actors ----------------------------------------------------------------------

    def read_actors(self) -> None:
        accounts = demo_accounts(self.catalog)
        actors = self.document["actors"]
        for name, spec in actors.items():
            line = actors.line_of(name)
            if ("role" in spec) == ("demo" in spec):
                self.problem(line, f"actor {name!r} needs either a role or a demo login")
                continue
            if "demo" in spec:
                if spec["demo"] not in accounts:
                    self.problem(
                        line, f"actor {name!r}: {spec['demo']!r} is not a demo login{_suggest(spec['demo'], accounts)}"
                    )
                    continue
                if set(spec) - {"demo"}:
                    self.problem(line, f"actor {name!r}: a demo account brings its own role, department and wallet")
                role, department = accounts[spec["demo"]]
                self.actors[name] = Actor(name, role, line, department, demo=spec["demo"])
                continue
            role, department, wallet = spec["role"], spec.get("department"), tuple(spec.get("wallet", ()))
            if role == "clerk" and not department:
                self.problem(line, f"actor {name!r}: a clerk needs a department")
            if department and role not in ("clerk", "supervisor"):
                self.problem(line, f"actor {name!r}: only clerks and supervisors belong to a department")
            if department and department not in self.agencies:
                self.problem(
                    spec.line_of("department"),
                    f"unknown department {department!r}{_suggest(department, self.catalog.departments)}",
                )
            if wallet and role not in ("citizen", "company"):
                self.problem(spec.line_of("wallet"), f"actor {name!r}: only applicants hold a wallet")
            for cert_type in wallet:
                if cert_type not in self.catalog.certificate_types:
                    self.problem(
                        spec.line_of("wallet"),
                        f"unknown certificate type {cert_type!r}{_suggest(cert_type, self.catalog.certificate_types)}",
                    )
            self.actors[name] = Actor(name, role, line, department, wallet)

    def actor(self, name, line: int) -> Actor | None:
        if name not in self.actors:
            self.problem(line, f"unknown actor {name!r}{_suggest(name, self.actors)}")
            return None
        return self.actors[name]

    # --- steps -----------------------------------------------------------------------

    def read_steps(self) -> list[Step]:
        steps = []
        raw_steps = self.document["steps"]
        for index, raw in enumerate(raw_steps):
            step = self.read_step(index, raw_steps.line_of(index), raw)
            if step is not None:
                steps.append(step)
        return steps

    def read_step(self, index: int, line: int, raw: Node) -> Step | None:
        actions = [key for key in raw if key in VERBS or key in ("advance", "expect", "expect_refused")]
        if len(actions) != 1:
            listed = ", ".join(actions) if actions else "none"
            self.problem(
                line, f"a step does exactly one thing (advance, expect, expect_refused or a verb); found {listed}"
            )
            return None
        action = actions[0]
        if "case" in raw and "application" in raw:
            self.problem(raw.line_of("case"), "name the case once: 'case:' or 'application:', not both")
        label_key = "case" if "case" in raw else "application"
        label = raw.get(label_key, MAIN)
        label_line = raw.line_of(label_key) if label_key in raw else line
        note = raw.get("note")
        if action in ("advance", "expect"):
            if "as" in raw:
                self.problem(raw.line_of("as"), f"{action!r} takes no 'as:'")
            if action == "advance":
                self.check_moment(raw["advance"], "to")
                return Step(index, line, "advance", dict(raw["advance"]), note=note)
            application = self.application(label, label_line)
            self.check_expectation(raw["expect"], application)
            return Step(index, line, "expect", dict(raw["expect"]), application=label, note=note)
        refused = action == "expect_refused"
        body = raw[action] if refused else raw
        verb = next(key for key in body if key in VERBS) if refused else action
        pattern = None
        if refused:
            pattern = body["message"]
            try:
                re.compile(pattern)
            except re.error as error:
                self.problem(body.line_of("message"), f"message is not a valid pattern: {error}")
        args = self.arguments(verb, body[verb])
        actor = self.check_actor(verb, raw, line, refused)
        verb_line = body.line_of(verb)
        if verb == "apply":
            label = args.get("label", MAIN)
            self.check_apply(args, actor, verb_line, refused, label)
        elif VERBS[verb].opens:
            label = args.get("label", MAIN)
            self.check_opening(verb, args, actor, verb_line, label, refused)
        elif not VERBS[verb].needs_case:
            self.check_benefit_job(verb, args, verb_line)
        else:
            application = self.application(label, label_line)
            self.check_target(verb, args, actor, application, verb_line, refused)
        return Step(
            index,
            line,
            "refused" if refused else "action",
            args,
            verb=verb,
            actor=actor.name if actor else None,
            application=label,
            pattern=pattern,
            note=note,
        )

    def check_moment(self, mapping: Node, key: str) -> None:
        if key in mapping:
            try:
                parse_moment(mapping[key])
            except ValueError:
                self.problem(mapping.line_of(key), f"{key}: {mapping[key]!r} is not a real date and time")

    @staticmethod
    def arguments(verb: str, raw) -> dict:
        spec = VERBS[verb]
        if raw is None:
            return {}
        if isinstance(raw, dict):
            return dict(raw)
        return {spec.scalar: raw}

    def check_actor(self, verb: str, raw: Node, line: int, refused: bool) -> Actor | None:
        spec = VERBS[verb]
        if spec.system:
            if "as" in raw:
                self.problem(raw.line_of("as"), f"{verb!r} is the scheduler's job and takes no 'as:'")
            return None
        if "as" not in raw:
            self.problem(line, f"{verb!r} needs 'as:' naming who does it")
            return None
        actor = self.actor(raw["as"], raw.line_of("as"))
        if actor and actor.role not in spec.roles and not refused:
            self.problem(
                raw.line_of("as"),
                f"{actor.name!r} is a {actor.role.replace('_', ' ')}; {verb!r} is done by "
                f"{' or '.join(r.replace('_', ' ') for r in spec.roles)} (use expect_refused to show it fails)",
            )
        elif actor and spec.department and actor.department != spec.department and not refused:
            self.problem(
                raw.line_of("as"),
                f"{verb!r} is done by the staff of {spec.department}, not {actor.name!r}"
                " (use expect_refused to show it fails)",
            )
        return actor

    def application(self, label: str, line: int) -> Application | None:
        if label in self.unusable:
            return None
        if label not in self.applications:
            if label == MAIN:
                self.problem(
                    line,
                    "there is no application yet: a step before this one must 'apply' (or open a case of another kind)",
                )
            else:
                self.problem(line, f"unknown application {label!r}{_suggest(label, self.applications)}")
            return None
        return self.applications[label]

    def check_apply(self, args: dict, actor: Actor | None, line: int, refused: bool, label: str) -> None:
        try:
            service = self.catalog.service(args["service"])
        except KeyError:
            codes = [*self.catalog.bundles, *self.catalog.items]
            self.problem(line, f"unknown service {args['service']!r}{_suggest(args['service'], codes)}")
            self.unusable.add(label)
            return
        if actor and actor.is_applicant and actor.role not in service.applicant_types and not refused:
            self.problem(
                line,
                f"{service.code} is for {' or '.join(service.applicant_types)} accounts, "
                f"not {actor.name!r} ({actor.role})",
            )
        if args.get("delivery") and args["delivery"] not in service.delivery:
            self.problem(line, f"{service.code} delivers by {', '.join(service.delivery)}, not {args['delivery']!r}")
        self.check_answers(service, args, line, refused)
        if label in self.applications:
            self.problem(line, f"an application labelled {label!r} exists already: give this one another 'label:'")
        elif actor is not None:
            self.applications[label] = Application(label, service.code, actor.name, line)

    def check_opening(self, verb: str, args: dict, actor: Actor | None, line: int, label: str, refused: bool) -> None:
        """A case of another kind than an application: what it names must exist."""
        kind = VERBS[verb].opens
        if kind == REQUEST:
            code, known, what = args["category"], self.catalog.request_categories, "request category"
            self.check_departments(args, ("concerns_department",), line)
        elif kind == OFFER:
            code, known, what = args["policy"], self.catalog.policies, "policy"
            self.check_audience(code, actor, line)
        else:
            code, known, what = args["kind"], self.catalog.dispute_kinds, "kind of dispute"
            self.check_centre(args["centre"], line)
            other = self.actor(args["against"], line)
            if other is not None and not other.is_applicant:
                self.problem(line, f"a dispute is against a person or a firm, not {other.name!r} ({other.role})")
            if other is not None and actor is not None and other.name == actor.name and not refused:
                self.problem(line, f"{actor.name!r} files a dispute against itself (use expect_refused to show it)")
        if code not in known:
            self.problem(line, f"unknown {what} {code!r}{_suggest(code, known)}")
            self.unusable.add(label)
            return
        if label in self.applications:
            self.problem(line, f"a case labelled {label!r} exists already: give this one another 'label:'")
        elif actor is not None:
            self.applications[label] = Application(label, code, actor.name, line, kind=kind or "")

    def check_review(self, args: dict, offer: Application, line: int) -> None:
        """A disputed amount files an application of the policy's review item, which later steps address by label."""
        review_item = self.catalog.policies[offer.service].amount_review_item
        if review_item is None:
            self.problem(line, f"policy {offer.service!r} names no review item: its amount cannot be disputed")
            return
        label = args.get("review", REVIEW)
        if label in self.applications:
            self.problem(line, f"a case labelled {label!r} exists already: give the review another 'review:'")
        else:
            self.applications[label] = Application(label, review_item, offer.applicant, line)

    def check_audience(self, code: str, actor: Actor | None, line: int) -> None:
        policy = self.catalog.policies.get(code)
        audience = {"citizens": "citizen", "companies": "company"}
        if policy is not None and actor is not None and actor.role != audience[policy.audience]:
            self.problem(line, f"{code} is for {policy.audience}, not {actor.name!r} ({actor.role})")

    def check_benefit_job(self, verb: str, args: dict, line: int) -> None:
        """A scheduler's job or a data feed of 免申即享: the policies and actors it names must exist."""
        policies = [*args.get("received", ()), *([args["policy"]] if "policy" in args else ())]
        for code in policies:
            if code not in self.catalog.policies:
                self.problem(line, f"unknown policy {code!r}{_suggest(code, self.catalog.policies)}")
        if "of" in args:
            actor = self.actor(args["of"], line)
            if actor is not None and not actor.is_applicant:
                self.problem(line, f"{args['of']!r} is staff: the government holds records of citizens and firms")
            elif actor is not None and actor.role != "company" and ("company" in args or "insured_months" in args):
                self.problem(line, f"{args['of']!r} is a {actor.role}: only a firm has a company register entry")
        for label in args.get("returned", {}):
            application = self.application(label, line)
            if application is not None and application.kind != OFFER:
                self.problem(line, f"returned: {label!r} is {application.kind}, not an offer")

    def check_centre(self, centre: str, line: int) -> None:
        if centre not in self.catalog.centres:
            self.problem(line, f"unknown centre {centre!r}{_suggest(centre, self.catalog.centres)}")

    def check_departments(self, args: dict, keys: tuple[str, ...], line: int) -> None:
        for key in keys:
            named = args.get(key) or ()
            for department in [named] if isinstance(named, str) else named:
                if department not in self.agencies:
                    self.problem(
                        line,
                        f"{key}: unknown department {department!r}{_suggest(department, self.catalog.departments)}",
                    )

    def check_answers(self, service, args: dict, line: int, refused: bool) -> None:
        fields = {spec.key: spec for spec in service.fields}
        materials = {spec.key for spec in service.materials}
        answers = args.get("fields") if isinstance(args.get("fields"), dict) else {}
        for key, value in answers.items():
            if key not in fields:
                self.problem(line, f"{service.code} has no field {key!r}{_suggest(key, fields)}")
            elif fields[key].type == "select" and value not in ("", None) and not refused:
                choices = [option.value for option in fields[key].options]
                if value not in choices:
                    self.problem(
                        line,
                        f"{key}: {value!r} is not one of {', '.join(choices)}"
                        " (use expect_refused to show it is refused)",
                    )
        for key in args.get("materials") if isinstance(args.get("materials"), dict) else ():
            if key not in materials:
                self.problem(line, f"{service.code} has no material {key!r}{_suggest(key, materials)}")

    def check_target(
        self, verb: str, args: dict, actor: Actor | None, application: Application | None, line: int, refused: bool
    ) -> None:
        if application is None:
            return
        spec = VERBS[verb]
        if application.kind not in spec.kinds:
            self.problem(
                line, f"{verb!r} works on {' or '.join(spec.kinds)}s; {application.label!r} is {application.kind}"
            )
            return
        if spec.by_applicant and actor and actor.name != application.applicant and not refused:
            self.problem(line, f"{actor.name!r} did not open {application.label!r}; {application.applicant!r} did")
        if application.kind != APPLICATION:
            self.check_departments(args, ("lead", "co_handlers"), line)
            for route in args.get("routes", ()):
                if route not in self.catalog.dispute_routes:
                    self.problem(line, f"unknown route {route!r}{_suggest(route, self.catalog.dispute_routes)}")
            if verb == "escalate_dispute":
                self.check_centre(args["centre"], line)
            if verb == "dispute_offer":
                self.check_review(args, application, line)
            if "at" in args:
                try:
                    parse_moment(args["at"])
                except ValueError:
                    self.problem(line, f"at: {args['at']!r} is not a real date and time")
            return
        service = self.catalog.service(application.service)
        if verb == "resubmit":
            self.check_answers(service, args, line, refused)
        if spec.target == "item":
            self.check_item(verb, args, actor, service, line, refused)
        if spec.target == "material" and args["material"] not in {m.key for m in service.materials}:
            self.problem(line, f"{service.code} has no material {args['material']!r}")
        if verb == "notice":
            keys = {("field", f.key) for f in service.fields} | {("material", m.key) for m in service.materials}
            for item in args["items"]:
                kind = "field" if "field" in item else "material"
                if (kind, item.get(kind)) not in keys:
                    self.problem(line, f"{service.code} has no {kind} {item.get(kind)!r}")
        if verb == "suspend" and args["procedure"] not in PROCEDURES:
            self.problem(line, f"unknown procedure {args['procedure']!r}; one of {', '.join(PROCEDURES)}")
        if verb == "answer_rectification" and args.get("department") not in (None, *self.catalog.departments):
            self.problem(line, f"unknown department {args['department']!r}")

    def check_item(self, verb: str, args: dict, actor: Actor | None, service, line: int, refused: bool) -> None:
        codes = service.item_codes
        item = args.get("item")
        if item is None:
            if len(codes) > 1:
                self.problem(line, f"{verb!r} needs the item: {service.code} has {', '.join(codes)}")
                return
            args["item"] = item = codes[0]
        if item not in codes:
            self.problem(line, f"{service.code} has no item {item!r}{_suggest(item, codes)}")
            return
        department = self.catalog.items[item].department
        if actor and actor.role == "clerk" and actor.department != department and not refused:
            self.problem(
                line,
                f"{actor.name!r} is a clerk of {actor.department}; {item} belongs to {department} "
                "(use expect_refused to show the refusal)",
            )

    def check_expectation(self, expect: Node, application: Application | None) -> None:
        for key in expect:
            if key not in EXPECTATIONS:  # the schema said so already; keep going with the rest
                continue
            line = expect.line_of(key)
            value = expect[key]
            if application is not None and application.kind not in EXPECTATION_KINDS[key]:
                self.problem(line, f"{key!r} is not something {application.label!r} (a {application.kind}) has")
                continue
            if key == "tasks" and application is not None and application.kind in (REQUEST, DISPUTE):
                self.check_departments({"tasks": list(value)}, ("tasks",), line)
            elif key == "tasks" and application is not None:
                codes = self.catalog.service(application.service).item_codes
                for code in value:
                    if code not in codes:
                        self.problem(
                            value.line_of(code), f"{application.service} has no item {code!r}{_suggest(code, codes)}"
                        )
            if key == "notifications":
                for entry in value if isinstance(value, list) else [value]:
                    self.actor(entry["to"], line)
            if key in ("wallet", "applications"):
                for name in value:
                    actor = self.actor(name, value.line_of(name))
                    if actor and not actor.is_applicant:
                        self.problem(value.line_of(name), f"{name!r} is staff: only applicants hold {key}")
            for cert_type in [
                *(value if key == "certificates" else ()),
                *(t for types in (value.values() if key == "wallet" else ()) for t in types),
            ]:
                if cert_type not in self.catalog.certificate_types:
                    self.problem(
                        line,
                        f"unknown certificate type {cert_type!r}{_suggest(cert_type, self.catalog.certificate_types)}",
                    )


def read_journey(text: str, path: str, catalog: Catalog) -> Journey:
    try:
        document = load_yaml(text)
    except YamlError as error:
        raise JourneyInvalid(path, [(error.line, error.reason)]) from None
    if not isinstance(document, Node):
        raise JourneyInvalid(path, [(1, "a journey is a mapping with name, purpose, seed, start, actors and steps")])
    problems = schema_problems(document)
    if problems:
        raise JourneyInvalid(path, problems)
    checker = _Checker(document, catalog)
    checker.check_moment(document, "start")
    checker.read_actors()
    steps = checker.read_steps()
    if checker.problems:
        raise JourneyInvalid(path, checker.problems)
    return Journey(
        path=path,
        name=document["name"],
        purpose=document["purpose"],
        seed=document["seed"],
        start=parse_moment(document["start"]),
        actors=checker.actors,
        steps=tuple(steps),
        applications=checker.applications,
        start_line=document.line_of("start"),
    )


def load_journey(path: str | Path, catalog: Catalog) -> Journey:
    path = Path(path)
    return read_journey(path.read_text(encoding="utf-8"), str(path), catalog)


def journey_files(paths) -> list[Path]:
    """The .yaml and .yml files of the given files and folders, in name order."""
    found = []
    for path in map(Path, paths):
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml")))
        else:
            found.append(path)
    return found
