"""Deals of the generated account, each made from (seed, id) alone: stage history consistent with the
current stage and the won/lost time, archived and deleted ones, products, qualification fields."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from . import catalogue as cat
from .model import Deal, DealProduct, StageMove, record_rng

if TYPE_CHECKING:
    from .generate import _Generator

PRE_STUDY_DELETED = datetime(2022, 3, 1, tzinfo=UTC)
THOMAS_LEFT = datetime(2022, 6, 30, tzinfo=UTC)
OLD_OPTIONS_UNTIL = datetime(2022, 1, 1, tzinfo=UTC)
ORG_KINDS = {
    "Business Development": (("agency", "prime", "institution", "commercial", "research"), (1, 3, 1, 3, 1)),
    "Mission": (("prime", "agency"), (6, 4)),
    "RFI": (("agency", "prime"), (5, 5)),
    "ESA Sales": (("agency", "prime"), (45, 55)),
    "CCN": (("agency", "prime"), (7, 3)),
    "Non-ESA": (("institution", "commercial", "research"), (35, 45, 20)),
    "Product": (("commercial", "prime", "research"), (6, 3, 1)),
    "S2M2": (("commercial", "research"), (7, 3)),
}
OPPORTUNITY_TYPES = {
    "ESA Sales": ("ESA",),
    "CCN": ("ESA",),
    "Mission": ("ESA",),
    "RFI": ("ESA", "ESA", "National"),
    "Non-ESA": ("Institutional (non-ESA)", "National", "Commercial"),
    "Business Development": ("ESA", "Commercial", "Institutional (non-ESA)"),
    "Product": ("Commercial",),
    "S2M2": ("Commercial",),
}


class DealMaker:
    def __init__(self, gen: _Generator) -> None:
        self.gen = gen
        self.pipelines = [p for p in gen.pipelines if not p.is_deleted]
        self.cum_weights = list(itertools.accumulate(weight for _name, weight, _stages in cat.PIPELINES))
        self.path_stages = {p.id: [s for s in gen.stages if s.pipeline_id == p.id] for p in self.pipelines}
        self.live_stages = {
            pid: [s for s in stages if not s.is_deleted] for pid, stages in self.path_stages.items()
        }
        self.rfi = next(p for p in self.pipelines if p.name == "RFI")
        self.span = gen.as_of - gen.start - timedelta(days=3)
        self.users_before = [u.id for u in gen.users]
        self.users_after = gen.active_user_ids()
        self.products = [p for p in gen.products if not p.is_deleted]
        self.org_kinds = {}
        for name, (kinds, weights) in ORG_KINDS.items():
            available = [(k, w) for k, w in zip(kinds, weights, strict=True) if gen.orgs_by_kind.get(k)]
            self.org_kinds[name] = (
                [k for k, _ in available],
                list(itertools.accumulate(w for _, w in available)),
            )
        key = gen.key
        self.k = {
            "type": key("deal", "Opportunity type", "enum"),
            "programme": key("deal", "Programme", "set"),
            "mission_text": key("deal", "Mission", "varchar"),
            "mission": key("deal", "Mission", "enum"),
            "budget": key("deal", "Budget estimate", "monetary"),
            "period": key("deal", "Tender period", "daterange"),
            "deadline": key("deal", "Tender deadline", "date"),
            "time": key("deal", "Submission time", "time"),
            "reference": key("deal", "ESA reference", "varchar"),
            "comments": key("deal", "Comments", "text"),
            "lead": key("deal", "Technical lead", "user"),
            "prime": key("deal", "Prime contractor", "org"),
            "officer": key("deal", "Technical officer", "people"),
            "trl": key("deal", "TRL", "double"),
            "site": key("deal", "Delivery site", "address"),
            "subsystem": key("deal", "Subsystem", "varchar_auto"),
            "offer": key("deal", "Offer type", "enum"),
            "sector": key("deal", "Market sector", "enum"),
        }
        self.options = {
            f.key: {o.label: o.id for o in f.options} for f in gen.fields if f.entity == "deal" and f.options
        }

    def make(self, deal_id: int) -> Deal:
        gen = self.gen
        rng = record_rng(gen.seed, "deal", deal_id)
        add_time = _second(gen.start + self.span * ((deal_id - 1 + rng.random()) / gen.deal_count))
        pipeline = rng.choices(self.pipelines, cum_weights=self.cum_weights)[0]
        name = pipeline.name
        age = (gen.as_of - add_time).days
        open_share = 0.85 if age < 180 else 0.45 if age < 540 else 0.1
        if name == "Mission":
            open_share = max(open_share, 0.5)
        status = "open" if rng.random() < open_share else ("won" if rng.random() < 0.4 else "lost")
        close = None
        if status != "open":
            close = min(
                gen.as_of - timedelta(hours=1),
                add_time + timedelta(days=rng.randint(20, 540), seconds=rng.randrange(86400)),
            )
        end = close or max(
            add_time + timedelta(hours=1), gen.as_of - timedelta(days=rng.randint(0, max(1, age // 3)))
        )

        owner = rng.choice(self.users_before if add_time < THOMAS_LEFT else self.users_after)
        path = self._path(rng, pipeline, status, add_time)
        times = sorted(gen.moment(rng, add_time, end) for _ in range(len(path) - 1))
        moves = tuple(
            StageMove(at, owner, a[1], b[1], a[0], b[0])
            for at, a, b in zip(times, path[:-1], path[1:], strict=True)
        )
        last_event = max([add_time, *times, *([close] if close else [])])
        archive_time = None
        if close and close < gen.as_of - timedelta(days=730) and rng.random() < 0.45:
            archive_time = gen.moment(
                rng, close + timedelta(days=30), min(gen.as_of, close + timedelta(days=400))
            )
            last_event = archive_time
        deleted_time = None
        chance = rng.random()
        if chance < 0.012:
            deleted_time = max(
                last_event + timedelta(hours=1), gen.as_of - timedelta(seconds=rng.randrange(29 * 86400))
            )
        elif chance < 0.025 and last_event < gen.as_of - timedelta(days=32):
            deleted_time = gen.moment(rng, last_event, gen.as_of - timedelta(days=31))
        update_time = deleted_time or last_event
        if not deleted_time and rng.random() < 0.2:
            update_time = gen.moment(rng, update_time, gen.as_of)

        org_id = self._org(rng, name)
        people = gen.persons_by_org.get(org_id, [])
        person_id = rng.choice(people) if people and rng.random() < 0.9 else None
        products = self._products(rng, deal_id, name, add_time)
        currency = rng.choice(cat.CURRENCIES_BY_PIPELINE[name])
        value = self._value(rng, name)
        if products:
            currency = products[0].currency
            value = sum((p.sum for p in products), Decimal(0)).quantize(Decimal("0.01"))
        return Deal(
            id=deal_id,
            title=self._title(rng, name, org_id),
            creator_user_id=owner,
            owner_id=owner,
            value=value,
            currency=currency,
            person_id=person_id,
            org_id=org_id,
            pipeline_id=pipeline.id,
            stage_id=path[-1][1],
            status="deleted" if deleted_time else status,
            add_time=add_time,
            update_time=update_time,
            stage_change_time=times[-1] if times else None,
            won_time=close if status == "won" else None,
            lost_time=close if status == "lost" else None,
            first_won_time=close if status == "won" else None,
            lost_reason=self._lost_reason(rng) if status == "lost" else None,
            probability=rng.choice((10, 25, 50, 75)) if rng.random() < 0.1 else None,
            expected_close_date=(add_time + timedelta(days=rng.randint(60, 540))).date()
            if rng.random() < 0.75
            else None,
            label_ids=tuple(sorted(rng.sample((1, 2, 3, 4), rng.choice((0, 0, 1, 1, 2))))),
            visible_to=rng.choices((3, 1, 7), cum_weights=(85, 95, 100))[0],
            is_archived=archive_time is not None,
            archive_time=archive_time,
            deleted_time=deleted_time,
            closed_status=status if deleted_time else None,
            origin="SpreadsheetImport"
            if add_time.year == gen.start.year
            else rng.choice(("ManuallyCreated",) * 9 + ("API",)),
            moves=moves,
            products=products,
            custom=self._custom(rng, name, add_time, org_id, person_id, owner),
        )

    def _path(self, rng, pipeline, status, add_time) -> list[tuple[int, int]]:
        """(pipeline id, stage id) from the deal's first stage to its current one."""
        live = self.live_stages[pipeline.id]
        final = len(live) - 1 if status == "won" and rng.random() < 0.8 else rng.randrange(len(live))
        first = 0 if rng.random() < 0.8 else min(1, final)
        stages = [s.id for s in live[first : final + 1]]
        if pipeline.name == "Mission" and add_time < PRE_STUDY_DELETED and first == 0 and final >= 1:
            deleted = next(s.id for s in self.path_stages[pipeline.id] if s.is_deleted)
            stages.insert(1, deleted)
        if len(stages) >= 3 and rng.random() < 0.1:
            back = rng.randrange(1, len(stages) - 1)
            stages[back + 1 : back + 1] = [stages[back - 1], stages[back]]
        path = [(pipeline.id, stage_id) for stage_id in stages]
        if pipeline.name == "ESA Sales" and rng.random() < 0.15:
            rfi_stages = self.live_stages[self.rfi.id][: rng.randint(1, 4)]
            path = [(self.rfi.id, s.id) for s in rfi_stages] + path
        return path

    def _org(self, rng, pipeline_name: str) -> int:
        kinds, cum_weights = self.org_kinds[pipeline_name]
        pool = self.gen.orgs_by_kind[rng.choices(kinds, cum_weights=cum_weights)[0]]
        # Most business goes to the first organizations (ESA and the primes) of each pool.
        return pool[min(len(pool) - 1, int(len(pool) * rng.random() ** 2.5))]

    def _value(self, rng, name: str) -> Decimal:
        low, high = cat.VALUE_RANGES[name]
        value = Decimal(rng.randint(low, high) * 1000)
        if rng.random() < 0.05:
            value += Decimal(rng.randrange(1, 100)) / 100
        if name in ("Business Development", "Mission") and rng.random() < 0.4:
            value = Decimal(0)
        return value

    def _products(self, rng, deal_id: int, name: str, add_time) -> tuple[DealProduct, ...]:
        if name in ("Product", "S2M2"):
            pool = [p for p in self.products if ("S2M2" in p.name) == (name == "S2M2") and p.unit == "pcs"]
            chosen = rng.sample(pool, min(len(pool), rng.randint(1, 3)))
        elif rng.random() < 0.08:
            chosen = [next(p for p in self.products if p.code == "ENG-H")]
        else:
            return ()
        currency = rng.choice(("CHF", "EUR"))
        lines = []
        for order, product in enumerate(chosen, start=1):
            price = next(p.price for p in product.prices if p.currency == currency)
            quantity = Decimal(rng.randint(40, 400)) if product.unit == "h" else Decimal(rng.randint(1, 12))
            lines.append(
                DealProduct(
                    id=deal_id * 10 + order,
                    deal_id=deal_id,
                    product_id=product.id,
                    name=product.name,
                    item_price=price,
                    quantity=quantity,
                    discount=Decimal(rng.choice((0, 0, 0, 5, 10))),
                    currency=currency,
                    order_nr=order,
                    add_time=add_time + timedelta(hours=order),
                    update_time=add_time + timedelta(hours=order),
                    tax=Decimal("8.1") if currency == "CHF" else Decimal(0),
                )
            )
        return tuple(lines)

    def _title(self, rng, name: str, org_id: int) -> str:
        org = self.gen.organizations[org_id - 1].name
        mission, subsystem = rng.choice(cat.MISSIONS), rng.choice(cat.SUBSYSTEMS)
        return {
            "Business Development": f"{org} – introduction",
            "Mission": f"{mission} mission follow-up",
            "RFI": f"RFI {mission} {subsystem} ROM",
            "ESA Sales": f"{mission} – {subsystem}",
            "CCN": f"CCN {rng.randint(1, 9)} – {subsystem} EQM",
            "Non-ESA": f"{org} – {subsystem}",
            "Product": f"{org} – motors order",
            "S2M2": f"S2M2 modules – {org}",
        }[name]

    def _lost_reason(self, rng) -> str | None:
        chance = rng.random()
        if chance < 0.7:
            return rng.choice(cat.LOST_REASONS)
        if chance < 0.8:
            return f"Prime selected another supplier (see mail of {rng.randint(1, 28)}.{rng.randint(1, 12)}.)"
        return None

    def _custom(self, rng, name, add_time, org_id, person_id, owner) -> dict:
        gen, k, options = self.gen, self.k, self.options
        custom: dict = {}
        space = name in ("ESA Sales", "RFI", "Mission", "CCN")
        if rng.random() < 0.75:
            label = rng.choice(OPPORTUNITY_TYPES[name])
            if add_time < OLD_OPTIONS_UNTIL and name in ("ESA Sales", "Non-ESA") and rng.random() < 0.15:
                label = "Defence"  # an option deleted since, still on old deals
            custom[k["type"]] = options[k["type"]][label]
        if rng.random() < 0.6:
            programmes = cat.PROGRAMMES[:5] if space else cat.PROGRAMMES[5:]
            custom[k["programme"]] = sorted(
                options[k["programme"]][p] for p in rng.sample(programmes, rng.randint(1, 2))
            )
        mission = rng.choice(cat.MISSIONS[:12])
        if space and rng.random() < 0.6:
            custom[k["mission_text"]] = mission if rng.random() < 0.7 else mission.lower()
        if space and add_time.year >= 2023 and rng.random() < 0.6:
            custom[k["mission"]] = options[k["mission"]][mission]
        if name in ("RFI", "Mission") and rng.random() < 0.5:
            custom[k["budget"]] = (Decimal(rng.randint(100, 5000) * 1000), "EUR")
        if name in ("ESA Sales", "RFI") and rng.random() < 0.4:
            begin = add_time.date() + timedelta(days=rng.randint(30, 300))
            custom[k["period"]] = (begin, begin + timedelta(days=rng.randint(45, 120)))
            custom[k["deadline"]] = begin + timedelta(days=rng.randint(30, 45))
        if name == "ESA Sales" and rng.random() < 0.15:
            custom[k["time"]] = ("12:00:00", "Europe/Amsterdam")
        if name in ("ESA Sales", "CCN") and rng.random() < 0.5:
            yy, initials = add_time.year % 100, rng.choice(("NL/AB", "NL/FE", "NL/GLC"))
            custom[k["reference"]] = (
                f"AO/1-{rng.randint(1000, 9999)}/{yy}/{initials}"
                if name == "ESA Sales"
                else f"CCN {rng.randint(1, 9)} to contract 4000{rng.randint(100000, 999999)}/{yy}/{initials}"
            )
        if rng.random() < 0.2:
            custom[k["comments"]] = "Prime contact changed.\nSee the minutes of the last review."
        if rng.random() < 0.5:
            custom[k["lead"]] = rng.choice(self.users_before if add_time < THOMAS_LEFT else self.users_after)
        if space and rng.random() < 0.4:
            custom[k["prime"]] = rng.choice(gen.orgs_by_kind["prime"][:8])
        if person_id and rng.random() < 0.3:
            custom[k["officer"]] = person_id
        if rng.random() < 0.3:
            custom[k["trl"]] = Decimal(rng.randint(4, 16)) / 2
        if rng.random() < 0.1 and gen.organizations[1].address:
            custom[k["site"]] = dict(gen.organizations[1].address)
        if rng.random() < 0.5:
            custom[k["subsystem"]] = rng.choice(cat.SUBSYSTEMS)
        if name == "RFI":
            custom[k["offer"]] = options[k["offer"]]["ROM"]
        elif name in ("ESA Sales", "Non-ESA", "CCN") and rng.random() < 0.6:
            custom[k["offer"]] = options[k["offer"]]["Firm"]
        if rng.random() < 0.7:
            custom[k["sector"]] = options[k["sector"]][gen.org_sector[org_id].capitalize()]
        return custom


def _second(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)
