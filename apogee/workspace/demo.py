"""The demo workspace: the target structure of PRODUCT.md and realistic invented data.

`ensure_structure()` creates what is missing of the pipelines, stages, gates,
qualification fields, currencies and lost reasons, by name, so it can run on a
live workspace. `seed_demo()` adds users, organizations, persons and ~60 deals
with stage histories once; running it again changes nothing. Every write goes
through the services, as `actor=None` (a system task).
"""

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from importlib import import_module

from django.conf import settings
from django.db import transaction

from apogee.accounts import services as accounts
from apogee.accounts.models import Role, Team, User
from apogee.activities import services as activities
from apogee.activities.defaults import ensure_default_types
from apogee.activities.models import Activity, ActivityType
from apogee.contacts import services as contacts
from apogee.contacts.models import Organization, Person
from apogee.core import services as core
from apogee.core.models import Currency
from apogee.customfields.models import FieldDefinition
from apogee.customfields.services import create_field_definition
from apogee.deals import services as deals
from apogee.deals.models import Deal, LostReason, ParticipantRole, Visibility
from apogee.leads import services as leads
from apogee.leads.models import Lead
from apogee.pipelines import services as pipelines
from apogee.pipelines.models import HandoffMode, Pipeline, Stage

DEMO_PASSWORD = "apogee-demo-2026"  # noqa: S105 - printed on purpose: the demo login
DEMO_ADMIN = "sophie"

# name: [(stage, probability, rotting days)]
PIPELINES = {
    "Missions": [
        ("First contact", 5, None),
        ("Contact with primes", 10, None),
        ("Follow-up", 15, None),
        ("Opportunity identified", 20, None),
    ],
    "RFI": [
        ("RFI received", 10, 14),
        ("Evaluation (bid/no-bid)", 20, 14),
        ("ROM preparation", 30, 21),
        ("ROM at customer", 40, 60),
        ("Outcome", 50, 90),
    ],
    "Sales": [
        ("First contact", 10, 30),
        ("Opportunity identified", 20, 45),
        ("Opportunity in evaluation", 30, 30),
        ("Proposal preparation", 50, 21),
        ("Proposal at customer", 60, 60),
        ("Selected / negotiation", 80, 30),
    ],
    "CCN": [("Request", 30, 14), ("Preparation", 50, 21), ("At customer", 70, 45), ("Negotiation", 85, 30)],
}
HANDOFFS = {"Missions": "Sales", "RFI": "Sales"}
# (pipeline, stage): field keys required from that stage on
GATES = {
    ("Sales", "Opportunity in evaluation"): ["opportunity_type"],
    ("Sales", "Proposal preparation"): ["offer_type"],
}


def _options(*pairs: tuple[str, str, str]) -> list[dict]:
    return [{"key": k, "label_en": en, "label_fr": fr} for k, en, fr in pairs]


DEAL_FIELDS = [
    (
        "opportunity_type",
        "Opportunity type",
        "Type d'opportunité",
        "single_option",
        _options(
            ("esa", "ESA", "ESA"),
            ("institutional", "Institutional (non-ESA)", "Institutionnel (hors ESA)"),
            ("national", "National", "National"),
            ("commercial", "Commercial", "Commercial"),
        ),
    ),
    (
        "programme",
        "Programme",
        "Programme",
        "single_option",
        _options(
            ("horizon_europe", "Horizon Europe", "Horizon Europe"),
            ("eic_accelerator", "EIC Accelerator", "EIC Accelerator"),
            ("esa_earth_observation", "ESA Earth Observation", "ESA Observation de la Terre"),
            ("esa_science", "ESA Science", "ESA Science"),
            ("esa_gstp", "ESA GSTP", "ESA GSTP"),
            ("esa_artes", "ESA ARTES", "ESA ARTES"),
            ("swiss_national", "Swiss national funding", "Financement national suisse"),
            ("none", "None", "Aucun"),
        ),
    ),
    (
        "market_sector",
        "Market sector",
        "Secteur de marché",
        "single_option",
        _options(
            ("space", "Space", "Spatial"),
            ("watchmaking", "Watchmaking", "Horlogerie"),
            ("automotive", "Automotive", "Automobile"),
            ("other", "Other", "Autre"),
        ),
    ),
    (
        "product_line",
        "Product line",
        "Ligne de produits",
        "multiple_options",
        _options(
            ("mechanisms", "Mechanisms", "Mécanismes"),
            ("structures", "Structures", "Structures"),
            ("motor", "Motor", "Moteur"),
            ("batteries", "Batteries", "Batteries"),
        ),
    ),
    (
        "origin",
        "Origin",
        "Origine",
        "single_option",
        _options(
            ("mission", "Mission", "Mission"),
            ("rfi", "RFI", "RFI"),
            ("lead", "Lead", "Piste"),
            ("web_form", "Web form", "Formulaire web"),
            ("direct", "Direct", "Direct"),
            ("business_development", "Business development", "Développement commercial"),
        ),
    ),
    ("mission", "Mission", "Mission", "text", []),
    (
        "offer_type",
        "Offer type",
        "Type d'offre",
        "single_option",
        _options(
            ("firm", "Firm offer", "Offre ferme"),
            ("rom", "ROM (budgetary)", "ROM (budgétaire)"),
        ),
    ),
]

CURRENCIES = [("CHF", "Swiss franc"), ("EUR", "Euro"), ("USD", "US dollar")]
RATES = {
    "EUR": [(date(2025, 1, 1), Decimal("0.9400")), (date(2026, 1, 1), Decimal("0.9300"))],
    "USD": [(date(2025, 1, 1), Decimal("0.8900")), (date(2026, 1, 1), Decimal("0.8000"))],
}
LOST_REASONS = [
    "Price too high",
    "Technical solution not selected",
    "Schedule",
    "Lost to a competitor",
    "Programme cancelled or postponed",
    "No-bid decision",
]


@transaction.atomic
def ensure_structure() -> dict[str, Pipeline]:
    ensure_default_types()
    for code, name in CURRENCIES:
        currency = Currency.objects.filter(code=code).first() or core.add_currency(
            code=code, name=name, actor=None
        )
        for valid_from, rate in RATES.get(code, []):
            if not currency.rates.filter(valid_from=valid_from).exists():
                core.set_exchange_rate(
                    currency=currency, valid_from=valid_from, rate_to_base=rate, actor=None
                )
    for key, label_en, label_fr, field_type, options in DEAL_FIELDS:
        if not FieldDefinition.objects.filter(entity="deal", key=key).exists():
            create_field_definition(
                entity="deal",
                key=key,
                label_en=label_en,
                label_fr=label_fr,
                field_type=field_type,
                options=options,
                actor=None,
            )
    for label in LOST_REASONS:
        if not LostReason.objects.filter(label=label).exists():
            deals.save_lost_reason(label=label, actor=None)
    result = {}
    for name, stages in PIPELINES.items():
        pipeline = Pipeline.objects.filter(name=name).first()
        if pipeline is None:
            pipeline = pipelines.create_pipeline(name=name, actor=None, stage_names=[])
        for stage_name, probability, rotting in stages:
            if not pipeline.stages.filter(name=stage_name).exists():
                gates = GATES.get((name, stage_name), [])
                pipelines.add_stage(
                    pipeline=pipeline,
                    name=stage_name,
                    probability=probability,
                    rotting_days=rotting,
                    gate_field_keys=gates,
                    actor=None,
                )
        result[name] = pipeline
    for source, target in HANDOFFS.items():
        if result[source].handoff_target_id is None:
            pipelines.update_pipeline(
                pipeline=result[source],
                handoff_target=result[target],
                handoff_mode=HandoffMode.CREATE_LINKED,
                actor=None,
            )
    return result


USERS = [
    # username, first, last, role, e-mail
    ("sophie", "Sophie", "Keller", Role.ADMIN, "sophie.keller@apogee.example"),
    ("marc", "Marc", "Dubois", Role.MANAGER, "marc.dubois@apogee.example"),
    ("lea", "Léa", "Rochat", Role.MEMBER, "lea.rochat@apogee.example"),
    ("thomas", "Thomas", "Weber", Role.MEMBER, "thomas.weber@apogee.example"),
]

ORGANIZATIONS = [
    # name, roles, country, city, domain, vat
    ("European Space Agency", ["agency", "customer"], "NL", "Noordwijk", "esa.int", ""),
    ("Thales Alenia Space", ["prime", "customer"], "FR", "Cannes", "thalesaleniaspace.com", "FR12345678901"),
    ("OHB System", ["prime", "customer"], "DE", "Bremen", "ohb.de", "DE123456789"),
    ("Airbus Defence and Space", ["prime", "customer"], "DE", "Friedrichshafen", "airbus.com", "DE987654321"),
    ("European Innovation Council (EISMEA)", ["agency"], "BE", "Brussels", "ec.europa.eu", ""),
    ("Swiss Space Office", ["agency"], "CH", "Bern", "sbfi.admin.ch", ""),
    ("Nordlys Microsystems AB", ["partner"], "SE", "Uppsala", "nordlys-micro.example", "SE556677889901"),
    ("Politecnico Alpino", ["partner"], "IT", "Torino", "polialpino.example", ""),
    (
        "Manufacture Horlogère du Jura SA",
        ["customer"],
        "CH",
        "Le Sentier",
        "mhj-watch.example",
        "CHE-123.456.789",
    ),
    ("Alpenmotion AG", ["customer"], "CH", "Winterthur", "alpenmotion.example", "CHE-987.654.321"),
]

PERSONS = [
    # name, organization index, job title, role on deals
    ("Anke de Vries", 0, "Contract officer", ParticipantRole.CONTRACT_OFFICER),
    ("Paolo Brenni", 0, "Technical officer, mechanisms", ParticipantRole.TECHNICAL_OFFICER),
    ("Ingrid Solberg", 0, "Technical officer, structures", ParticipantRole.TECHNICAL_OFFICER),
    ("Camille Fabre", 1, "Procurement manager", ParticipantRole.CONTRACT_OFFICER),
    ("Julien Martel", 1, "Mechanical architect", ParticipantRole.TECHNICAL_OFFICER),
    ("Katrin Vogel", 2, "Subcontracts manager", ParticipantRole.CONTRACT_OFFICER),
    ("Stefan Ahrens", 2, "AOCS engineer", ParticipantRole.TECHNICAL_OFFICER),
    ("Hélène Caron", 3, "Buyer, space systems", ParticipantRole.CONTRACT_OFFICER),
    ("Markus Lindner", 3, "Payload engineer", ParticipantRole.TECHNICAL_OFFICER),
    ("Elena Marin", 4, "Programme officer", ParticipantRole.CONTRACT_OFFICER),
    ("Reto Baumann", 5, "Programme manager", ParticipantRole.DECISION_MAKER),
    ("Sara Lindqvist", 6, "CTO", ParticipantRole.TECHNICAL_OFFICER),
    ("Giulia Ferri", 7, "Professor, space structures", ParticipantRole.TECHNICAL_OFFICER),
    ("Nicolas Aubert", 8, "Head of R&D", ParticipantRole.TECHNICAL_OFFICER),
    ("Urs Meier", 9, "Purchasing", ParticipantRole.CONTRACT_OFFICER),
]

MISSIONS = ["CHIME", "CO2M", "ROSE-L", "LSTM", "CIMR", "Harmony", "TRUTHS", "FORUM"]
SUBSYSTEMS = [
    "hold-down and release mechanism",
    "deployment hinge",
    "solar array drive",
    "antenna pointing mechanism",
    "instrument baffle structure",
    "bracket set",
    "stepper motor",
    "battery module breadboard",
]


@dataclass
class _Plan:
    pipeline: str
    target_stage: int
    outcome: str  # open / won / lost


def _name_to_email(name: str, domain: str) -> str:
    import unicodedata

    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    first, *rest = ascii_name.split()
    return f"{first}.{rest[-1]}@{domain}"


def seed_demo() -> dict[str, int]:
    """Create the demo workspace once; a second run finds it and changes nothing."""
    structure = ensure_structure()
    with transaction.atomic():
        team = Team.objects.filter(name="Sales").first() or accounts.create_team(name="Sales", actor=None)
        users = {}
        for username, first, last, role, email in USERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = accounts.create_user(
                    username=username,
                    email=email,
                    password=DEMO_PASSWORD,
                    actor=None,
                    first_name=first,
                    last_name=last,
                    role=role,
                    team=team,
                )
            users[username] = user
        if Deal.objects.exists():
            return _counts()
        _seed_contacts_and_deals(structure, users)
        for seed in _app_seeders():
            seed(users=users, now=datetime.now(tz=UTC))
    return _counts()


def _app_seeders():
    """`seed(users=, now=)` of every Apogee app with a `demo` module, in INSTALLED_APPS order.

    Apps built on deals (bid decisions, offers, contracts, missions) add their part of
    the demo from their own module, after the deals, persons and activities exist.
    """
    for app in settings.INSTALLED_APPS:
        if not app.startswith("apogee.") or app == "apogee.workspace":
            continue
        try:
            module = import_module(f"{app}.demo")
        except ModuleNotFoundError as missing:
            if missing.name != f"{app}.demo":
                raise
            continue
        if hasattr(module, "seed"):
            yield module.seed


def _counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "organizations": Organization.objects.count(),
        "persons": Person.objects.count(),
        "deals": Deal.objects.count(),
        "pipelines": Pipeline.objects.count(),
        "leads": Lead.objects.count(),
        "activities": Activity.objects.count(),
    }


def _seed_contacts_and_deals(structure: dict[str, Pipeline], users: dict[str, User]) -> None:
    rng = random.Random(2026)  # fixed seed: the same demo every time
    organizations = []
    for name, roles, country, city, domain, vat in ORGANIZATIONS:
        organizations.append(
            contacts.create_organization(
                actor=None,
                name=name,
                roles=roles,
                country=country,
                city=city,
                email_domains=[domain],
                vat_number=vat,
                website=f"https://www.{domain}",
                owner=users["marc"],
            )
        )
    persons = []
    for name, org_index, title, role in PERSONS:
        org = organizations[org_index]
        persons.append(
            (
                contacts.create_person(
                    actor=None,
                    name=name,
                    organization=org,
                    job_title=title,
                    emails=[_name_to_email(name, org.email_domains[0])],
                    phones=[f"+41 21 555 {rng.randint(10, 99)} {rng.randint(10, 99)}"],
                ),
                role,
            )
        )
    owners = [users["marc"], users["lea"], users["thomas"], users["lea"], users["thomas"]]
    stages = {name: list(p.stages.order_by("position")) for name, p in structure.items()}
    lost_reasons = list(LostReason.objects.all())
    now = datetime.now(tz=UTC)

    plans = (
        [_Plan("Missions", rng.randrange(4), "open") for _ in range(10)]
        + [_Plan("RFI", rng.randrange(5), rng.choice(["open", "open", "lost"])) for _ in range(12)]
        + [
            _Plan("Sales", rng.randrange(6), rng.choice(["open", "open", "open", "won", "lost"]))
            for _ in range(26)
        ]
    )
    won_sales: list[Deal] = []
    for index, plan in enumerate(plans):
        deal = _seed_deal(plan, index, rng, stages, organizations, persons, owners, lost_reasons, now)
        if deal.status == "won" and plan.pipeline == "Sales":
            won_sales.append(deal)
    _seed_hand_offs()
    for index in range(8):
        parent = won_sales[index % len(won_sales)] if won_sales else None
        plan = _Plan("CCN", rng.randrange(4), rng.choice(["open", "open", "won", "lost"]))
        _seed_deal(
            plan, 100 + index, rng, stages, organizations, persons, owners, lost_reasons, now, parent=parent
        )
    _seed_tenders(organizations[0], now)
    _seed_leads(users, organizations)
    _seed_activities(users, now)


def _seed_tenders(esa: Organization, now: datetime) -> None:
    """ESA as end customer of the deals primes buy from us, and tenders with deadlines coming up."""
    open_sales = list(
        Deal.objects.filter(pipeline__name="Sales", status="open")
        .exclude(organization=esa)
        .select_related("stage")
        .order_by("-stage__position", "id")
    )
    for deal in Deal.objects.filter(pipeline__name__in=["Sales", "RFI", "CCN"]).exclude(organization=esa):
        deals.update_deal(deal=deal, actor=None, changes={"end_customer": esa})
    noon = now.replace(hour=11, minute=0, second=0, microsecond=0)  # tenders close at noon, Dutch time
    for index, deal in enumerate(open_sales[:4]):
        deals.update_deal(
            deal=deal,
            actor=None,
            changes={
                "tender_reference": f"AO/1-{11840 + index * 7}/26/NL",
                "clarification_deadline": noon + timedelta(days=2 + index * 6),
                "submission_deadline": noon + timedelta(days=9 + index * 9),
                "offer_valid_until": (now + timedelta(days=190)).date(),
            },
        )


def _seed_deal(
    plan, index, rng, stages, organizations, persons, owners, lost_reasons, now, parent=None
) -> Deal:
    pipeline_stages = stages[plan.pipeline]
    mission = rng.choice(MISSIONS)
    subsystem = rng.choice(SUBSYSTEMS)
    space = rng.random() < 0.8
    organization = rng.choice(organizations[:4]) if space else rng.choice(organizations[4:])
    opportunity_type = (
        "esa"
        if organization.name.startswith("European Space")
        else rng.choice(["esa", "institutional", "national", "commercial"])
    )
    sector = "space" if space else rng.choice(["watchmaking", "automotive", "other"])
    if plan.pipeline == "Missions":
        title = f"{mission} — {subsystem} opportunities"
    elif plan.pipeline == "RFI":
        title = f"RFI {mission} {subsystem}"
    elif plan.pipeline == "CCN":
        title = f"CCN {index - 99}: {parent.title if parent else subsystem}"[:200]
        organization = parent.organization if parent else organization
    else:
        title = f"{subsystem.capitalize()} for {mission if space else organization.name}"
    values = {
        "opportunity_type": opportunity_type,
        "market_sector": sector,
        "product_line": rng.sample(["mechanisms", "structures", "motor", "batteries"], k=rng.randint(1, 2)),
        "origin": {"Missions": "mission", "RFI": "rfi"}.get(
            plan.pipeline, rng.choice(["mission", "rfi", "lead", "direct"])
        ),
        "offer_type": "rom" if plan.pipeline == "RFI" else "firm",
        "programme": rng.choice(
            [
                "esa_earth_observation",
                "esa_science",
                "esa_gstp",
                "horizon_europe",
                "eic_accelerator",
                "swiss_national",
            ]
        )
        if space
        else "none",
    }
    if space:
        values["mission"] = mission
    currency = "EUR" if space else rng.choice(["CHF", "CHF", "USD"])
    value = (
        Decimal(rng.randrange(40, 2400) * 1000)
        if plan.pipeline != "CCN"
        else Decimal(rng.randrange(-60, 300) * 1000)
    )
    value = max(value, Decimal(0))
    started = now - timedelta(days=rng.randint(60, 900))
    owner = rng.choice(owners)
    related = [p for p in persons if p[0].organization_id == organization.pk][:2]
    deal = deals.create_deal(
        title=title,
        pipeline=stages[plan.pipeline][0].pipeline,
        stage=pipeline_stages[0],
        actor=None,
        owner=owner,
        organization=organization,
        value=value,
        currency=currency,
        expected_close_date=(now + timedelta(days=rng.randint(-30, 720))).date(),
        visibility=Visibility.EVERYONE if index % 7 else Visibility.OWNER,
        custom_values=values,
        participants=[(p, role) for p, role in related],
        parent_contract=parent,
        occurred_at=started,
    )
    # Moves spread from the start to a recent last move, so most open deals are not rotting.
    last_move = now - timedelta(days=rng.randint(2, 40))
    later_stages = pipeline_stages[1 : plan.target_stage + 1]
    step = (last_move - started) / max(1, len(later_stages))
    when = started
    for stage in later_stages:
        when = when + step
        deals.move_deal_to_stage(deal=deal, stage=stage, actor=None, occurred_at=when)
    closed_at = min(now, when + timedelta(days=rng.randint(5, 40)))
    if plan.outcome == "won":
        deals.mark_deal_won(deal=deal, actor=None, occurred_at=closed_at)
    elif plan.outcome == "lost":
        deals.mark_deal_lost(deal=deal, actor=None, reason=rng.choice(lost_reasons), occurred_at=closed_at)
    deal.refresh_from_db()
    return deal


LEADS = [
    # title, kind, source, labels, expected value (EUR), organization index or None
    ("Future Earth Explorer mission announced — 250 M", "mission", "event", ["Press"], 250_000_000, 0),
    ("OHB asked about our motor at the Space Tech Expo", "other", "event", ["Conference", "Hot"], 400_000, 2),
    ("EIC Accelerator call opens in March", "other", "campaign", ["Press"], 2_500_000, 4),
    ("Watch movement partner looking for a micro-mechanism", "other", "web_form", ["Hot"], 120_000, 8),
    ("Lunar lander study: deployable structures", "mission", "manual", [], None, None),
    ("Battery cell supplier wants a qualification partner", "other", "manual", ["Conference"], 80_000, None),
]
LEAD_LABELS = [("Hot", "#c4322b"), ("Conference", "#2454d6"), ("Press", "#1f8a4c")]


def _seed_leads(users: dict[str, User], organizations: list[Organization]) -> None:
    labels = {
        name: leads.save_lead_label(actor=None, name=name, colour=colour) for name, colour in LEAD_LABELS
    }
    owners = [users["lea"], users["thomas"], users["marc"]]
    for index, (title, kind, source, names, value, org_index) in enumerate(LEADS):
        leads.create_lead(
            title=title,
            actor=None,
            owner=owners[index % len(owners)],
            kind=kind,
            source=source,
            labels=[labels[n] for n in names],
            expected_value=value,
            currency="EUR",
            organization=organizations[org_index] if org_index is not None else None,
        )


def _seed_activities(users: dict[str, User], now: datetime) -> None:
    """The next step of most open Sales and RFI deals, a few overdue, a few done: a realistic to-do list."""
    rng = random.Random(11)
    types = {t.key: t for t in ActivityType.objects.all()}
    subjects = {
        "call": "Call the technical officer about the requirements",
        "meeting": "Review meeting with the prime",
        "task": "Prepare the ROM spreadsheet",
        "deadline": "Proposal due",
        "email": "Send the datasheet and heritage list",
    }
    open_deals = Deal.objects.filter(status="open", pipeline__name__in=["Sales", "RFI"]).order_by("pk")
    for index, deal in enumerate(open_deals):
        if index % 4 == 3:
            continue  # some deals have no next step: the board marks them
        key = rng.choice(list(subjects))
        due = now + timedelta(days=rng.randint(-5, 20), hours=rng.randint(0, 6))
        due = due.replace(minute=0, second=0, microsecond=0)
        activity = activities.create_activity(
            actor=None,
            type=types[key],
            subject=subjects[key],
            owner=deal.owner,
            deal=deal,
            due=due.date() if key == "deadline" else due,
            duration_minutes=None if key == "deadline" else 30,
            organization=deal.organization,
        )
        if index % 5 == 0:
            activities.mark_activity_done(activity=activity, actor=None)


def _seed_hand_offs() -> None:
    """Missions and RFIs that reached their last stage go on in Sales, linked back (two of each at most)."""
    for pipeline_name in ("Missions", "RFI"):
        pipeline = Pipeline.objects.get(name=pipeline_name)
        last = pipeline.stages.order_by("-position").first()
        for deal in Deal.objects.filter(pipeline=pipeline, stage=last, status="open").order_by("pk")[:2]:
            deals.hand_off_deal(deal=deal, actor=None)


def stage_named(pipeline_name: str, stage_name: str) -> Stage:
    return Stage.objects.get(pipeline__name=pipeline_name, name=stage_name)
