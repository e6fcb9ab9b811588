"""Who asks for what, when, and how it will go: drawn before the year is played."""

import random
from datetime import date, time, timedelta

from seeding.settings import Settings
from seeding.timeline import Timeline, china_moment
from seeding.values import Holder, Story
from seeding.world import Case, Fate
from services.catalog import Catalog


def eligible(holder: Holder, audience, on: date) -> bool:
    if audience is None:
        return True
    if not audience.min_age <= holder.person.age_on(on) <= audience.max_age:
        return False
    for need in audience.needs:
        if need == "married" and holder.spouse is None:
            return False
        if need == "unmarried" and holder.spouse is not None:
            return False
        if need not in ("married", "unmarried") and need not in holder.flags:
            return False
    return True


def draw_fate(rng: random.Random, settings: Settings, service) -> Fate:
    odds, fate = settings.outcomes, Fate()
    methods = [m for m in service.delivery if settings.delivery.get(m, 0) > 0] or list(service.delivery)
    fate.delivery = rng.choices(methods, weights=[settings.delivery.get(m, 1) for m in methods])[0]
    fate.abandoned = rng.random() < odds["abandoned_draft"]
    fate.withdrawn = not fate.abandoned and rng.random() < odds["withdrawn"]
    fate.refused = rng.random() < odds["not_accepted"]
    if rng.random() < odds["notice"]:
        fate.notice_unanswered = rng.random() < odds["notice_unanswered"]
        fate.notices = 2 if not fate.notice_unanswered and rng.random() < odds["second_notice"] else 1
        fate.gives_up = rng.random() < 0.5
    non_core = [m.key for m in service.materials if m.required and not m.core and not m.wallet_cert]
    if non_core and rng.random() < odds["missing_non_core"]:
        fate.left_out = rng.choice(non_core)
        fate.tolerated = rng.random() < odds["tolerated"]
        fate.supplement_missed = fate.tolerated and rng.random() < odds["supplement_missed"]
    visits = settings.visits
    if rng.random() < visits["beyond_promise"]:
        fate.counter_visits = service.max_visits + 1
    elif service.max_visits >= 1 and rng.random() < visits["in_person_services"]:
        fate.counter_visits = 1
    if fate.delivery == "window":  # collecting the result is a visit too
        fate.counter_visits = max(0, fate.counter_visits - 1)
    # Drawn for every case (the draws after it stay in step); a case with a notice or a gap is left online.
    walks_in = rng.random() < odds["assisted"]
    if walks_in and not (fate.abandoned or fate.withdrawn or fate.notices or fate.left_out):
        fate.assisted = True
        fate.counter_visits = max(0, fate.counter_visits - 1)  # coming in to file it is their visit
    ratings = settings.ratings
    if rng.random() < ratings["share"]:
        scores = ratings["scores"]
        fate.rating = rng.choices([int(s) for s in scores], weights=list(scores.values()))[0]
        fate.rectification_answered = rng.random() < ratings["rectification_answered"]
    return fate


class Planner:
    def __init__(self, *, catalog: Catalog, settings: Settings, pools, timeline: Timeline, rng: random.Random):
        self.catalog = catalog
        self.settings = settings
        self.pools = pools
        self.timeline = timeline
        self.rng = rng
        self.taken: set[tuple[int, str]] = set()
        self.cases: list[Case] = []

    def case(self, service_code: str, holder: Holder, start, fate: Fate | None = None, adopt: tuple | None = None):
        rng = random.Random(self.rng.getrandbits(64))
        service = self.catalog.service(service_code)
        story = Story(self.pools, holder, start.date(), life_events=tuple(service.life_events))
        case = Case(
            len(self.cases) + 1, service_code, holder, start, rng, fate or draw_fate(rng, self.settings, service), story
        )
        if adopt is not None:
            case.adopt_key, case.application_id = adopt
            case.key = case.adopt_key
        self.taken.add((holder.user_id, service_code))
        self.cases.append(case)
        return case

    def random_cases(self, how_many: int, citizens: list[Holder], companies: list[Holder]) -> None:
        """Services in their weights' proportions; each asked for by someone it is meant for, once per person."""
        by_kind = {"citizen": citizens, "company": companies}
        middle = self.timeline.as_of - timedelta(days=self.settings.window_days // 2)
        candidates = {}
        for service in self.catalog.services():
            if service.code in self._filed_by_offers:
                continue
            audience = self.settings.audiences.get(service.code)
            people = [h for kind in service.applicant_types for h in by_kind[kind] if eligible(h, audience, middle)]
            if people:
                candidates[service.code] = people
        codes = sorted(candidates)
        weights = [self.settings.service_weights[code] for code in codes]
        wanted = self._mix(codes, weights, how_many)
        while wanted:
            code = wanted.pop()
            start = self.timeline.case_start(self.rng)
            audience = self.settings.audiences.get(code)
            for _ in range(20):
                holder = self.rng.choice(candidates[code])
                if (holder.user_id, code) not in self.taken and eligible(holder, audience, start.date()):
                    self.case(code, holder, start)
                    break
            else:  # everyone it is meant for has asked already: another service instead
                wanted.append(self.rng.choices(codes, weights=weights)[0])

    @property
    def _filed_by_offers(self) -> set[str]:
        """Items reviewing a benefit offer's disputed amount: filed from an offer's page, never from scratch."""
        return {policy.amount_review_item for policy in self.catalog.policies.values() if policy.amount_review_item}

    def _mix(self, codes: list[str], weights: list[float], how_many: int) -> list[str]:
        """Each service's share of `how_many` by weight, the remainders to the largest fractions, shuffled.

        Drawing services one by one would leave a small seed's mix (and so its share of in-person
        visits, which the clones then repeat) to chance.
        """
        total = sum(weights)
        shares = [how_many * weight / total for weight in weights]
        counts = [int(share) for share in shares]
        by_fraction = sorted(range(len(codes)), key=lambda i: (counts[i] - shares[i], self.rng.random()))
        for i in by_fraction[: how_many - sum(counts)]:
            counts[i] += 1
        mix = [code for code, n in zip(codes, counts, strict=True) for _ in range(n)]
        self.rng.shuffle(mix)
        return mix

    def working_days_before(self, days: int, at: time = time(10, 30)):
        day = self.timeline.as_of
        for _ in range(days):
            day -= timedelta(days=1)
            while not self.timeline.calendar.is_working_day(day):
                day -= timedelta(days=1)
        return china_moment(day, at)

    def demo_cases(self, citizen: Holder, company: Holder, adopted: list[tuple[str, str, int]]) -> None:
        """The demo citizen's cases in every state a newcomer should see; the demo company's too."""
        end = self.timeline.as_of
        working_days_before = self.working_days_before

        calm = dict(calm=True, delivery="e_certificate")
        for key, code, application_id in adopted:
            self.case(
                code, citizen, self.timeline.start + timedelta(hours=10), Fate(**calm), adopt=(key, application_id)
            )
        plans = [
            ("330100-PSB-009", 200, Fate(**calm, rating=5)),
            ("BUNDLE-HOME-TRANSFER", 120, Fate(**calm, rating=4, task_orders={"330100-URBAN-001": "rejected"})),
            ("330100-HCSA-004", 60, Fate(**calm, withdrawn=True)),
            (
                "330100-HOUSING-003",
                12,
                Fate(**calm, task_orders={"330100-HOUSING-003": "suspended"}, suspension_days=30),
            ),
            ("330100-HCSA-006", 6, Fate(**calm, task_orders={"330100-HCSA-006": "overdue"})),
            ("330100-HRSS-010", 4, Fate(**calm, notices=1, notice_unanswered=True)),
            # Filed for them at the front desk: the demo shows the assisted channel beside the online one.
            ("330100-PSB-009", 30, Fate(**calm, assisted=True, rating=5)),
        ]
        for code, days, fate in plans:
            if code in self.catalog.items or code in self.catalog.bundles:
                self.case(code, citizen, working_days_before(days), fate)
        submitted_last_evening = china_moment(end - timedelta(days=1), time(20, 30))
        self.case("330100-TAX-004", citizen, submitted_last_evening, Fate(**calm))
        for code, days, fate in (
            ("BUNDLE-NEW-HIRE", 90, Fate(**calm, rating=5)),
            ("330100-AMR-003", 6, Fate(**calm, task_orders={"330100-AMR-003": "overdue"})),
        ):
            if code in self.catalog.items or code in self.catalog.bundles:
                self.case(code, company, working_days_before(days), fate)

    def showcase_cases(self, citizens: list[Holder]) -> int:
        """One case of each rare outcome, so that every seeded city shows them; none is cloned."""
        items = [
            i
            for i in sorted(self.catalog.items.values(), key=lambda i: i.code)
            if "citizen" in i.applicant_types and not i.instant and i.code not in self._filed_by_offers
        ]
        tolerant = [i for i in items if any(m.required and not m.core and not m.wallet_cert for m in i.materials)]
        uploads = [i for i in items if any(m.required and not m.wallet_cert for m in i.materials)]
        quick = [i for i in items if i.promised_limit_days <= 1 and "e_certificate" in i.delivery]
        short = [i for i in items if 1 <= i.promised_limit_days <= 5]
        calm = dict(calm=True, delivery="e_certificate")

        def gap(item):
            return next(m.key for m in item.materials if m.required and not m.core and not m.wallet_cert)

        wanted = [
            (tolerant, 40, lambda i: Fate(**calm, left_out=gap(i), tolerated=True, supplement_missed=True)),
            (tolerant, 2, lambda i: Fate(**calm, left_out=gap(i), tolerated=True)),
            (uploads, 60, lambda i: Fate(**calm, notices=2, rating=4)),
            ([i for i in items if i.max_visits == 0], 80, lambda i: Fate(**calm, counter_visits=1, rating=3)),
            (items, 100, lambda i: Fate(**calm, rating=1, rectification_answered=True)),
            (quick, 6, lambda i: Fate(**calm, rating=2)),
            (short, 12, lambda i: Fate(**calm, task_orders={i.code: "overdue"})),
            (
                items,
                50,
                lambda i: Fate(**calm, task_orders={i.code: "rejected"}, rating=2, rectification_answered=True),
            ),
            (items, 30, lambda i: Fate(**calm, refused=True)),
            (short, 2, lambda i: Fate(**calm, task_orders={i.code: "unclaimed"})),
        ]
        made = 0
        for choices, days, fate in wanted:
            start = self.working_days_before(days, time(9, self.rng.randrange(60)))
            options = [
                (item, holder)
                for item in choices
                for holder in citizens
                if (holder.user_id, item.code) not in self.taken
                and eligible(holder, self.settings.audiences.get(item.code), start.date())
            ]
            if options:
                item, holder = self.rng.choice(options)
                self.case(item.code, holder, start, fate(item))
                made += 1
        return made
