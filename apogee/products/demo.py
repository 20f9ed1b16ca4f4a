"""The product part of the demo workspace: a small catalogue and the products of some open deals.

Called by apogee.workspace.demo once the deals exist. The catalogue is what a
mechanisms-and-motors subcontractor sells (hardware per piece, engineering by the hour),
one product archived; the open Sales deals get their hardware, chosen by their product
line, and engineering hours. Idempotent: it does nothing once any product exists.
"""

import random
from datetime import datetime

from apogee.deals.models import Deal, DealStatus

from . import services
from .models import Product
from .queries import product_line_definition, product_line_keys

# name, code, unit, product line, prices [(amount, currency)], description
CATALOGUE = [
    (
        "Hold-down and release mechanism HDRM-200",
        "MEC-HDRM-200",
        "piece",
        "mechanisms",
        [("48500", "CHF"), ("52000", "EUR")],
        "Non-explosive, shock below 300 g; qualified for LEO and GEO.",
    ),
    ("Deployment hinge DH-3", "MEC-DH3", "piece", "mechanisms", [("18200", "CHF"), ("19500", "EUR")], ""),
    (
        "Antenna pointing mechanism APM-2",
        "MEC-APM2",
        "piece",
        "mechanisms",
        [("310000", "EUR"), ("290000", "CHF")],
        "Two axes, ±90°, with its drive electronics.",
    ),
    ("Solar array drive SADM-S", "MEC-SADM", "piece", "mechanisms", [("240000", "EUR")], ""),
    ("Instrument baffle, CFRP", "STR-BAF", "piece", "structures", [("36000", "EUR")], ""),
    ("Bracket set, titanium", "STR-BRK-TI", "set", "structures", [("7400", "CHF"), ("8000", "EUR")], ""),
    (
        "Stepper motor SM-28",
        "MOT-SM28",
        "piece",
        "motor",
        [("2950", "CHF"), ("3150", "EUR"), ("3400", "USD")],
        "",
    ),
    ("Brushless motor BLDC-40", "MOT-BL40", "piece", "motor", [("4800", "CHF")], ""),
    ("Battery module breadboard", "BAT-BB-1", "piece", "batteries", [("95000", "EUR")], ""),
    ("Engineering support", "SRV-ENG-H", "hour", "", [("165", "CHF"), ("175", "EUR")], ""),
    ("Qualification test campaign", "SRV-QUAL", "campaign", "", [("120000", "EUR")], ""),
]
# Sold no more: archived, yet still on the deals that have it.
ARCHIVED = ("Stepper motor SM-20", "MOT-SM20", "piece", "motor", [("2600", "CHF")], "Superseded by SM-28.")
DEALS_WITH_PRODUCTS = 12


def seed(*, users, now: datetime) -> None:
    if Product.objects.exists():
        return
    lines = product_line_keys(product_line_definition())
    catalogue = [_product(row, lines) for row in CATALOGUE]
    archived = _product(ARCHIVED, lines)
    by_line: dict[str, list[Product]] = {}
    for product in catalogue:
        by_line.setdefault(product.product_line, []).append(product)
    engineering = next(p for p in catalogue if p.code == "SRV-ENG-H")
    rng = random.Random(7)  # fixed seed: the same demo every time
    deals = Deal.objects.filter(
        pipeline__name="Sales", status=DealStatus.OPEN, deleted_at__isnull=True
    ).order_by("pk")[:DEALS_WITH_PRODUCTS]
    for index, deal in enumerate(deals):
        wanted = [key for key in deal.custom_values.get("product_line") or [] if by_line.get(key)]
        hardware = by_line[wanted[0]] if wanted else by_line.get("mechanisms") or catalogue
        services.add_deal_product(
            actor=None,
            deal=deal,
            product=rng.choice(hardware),
            quantity=rng.choice([1, 1, 2, 4]),
            discount_percent=rng.choice([0, 0, 5, 10]),
        )
        services.add_deal_product(
            actor=None,
            deal=deal,
            product=engineering,
            quantity=rng.choice([40, 80, 120, 200]),
            comment="Design reviews and test support" if index % 3 == 0 else "",
        )
        if index == 0:
            services.add_deal_product(actor=None, deal=deal, product=archived, quantity=6)
    services.archive_product(actor=None, product=archived)


def _product(row, lines: set[str]) -> Product:
    name, code, unit, line, prices, description = row
    return services.create_product(
        actor=None,
        name=name,
        code=code,
        unit=unit,
        product_line=line if line in lines else "",
        prices=[{"amount": amount, "currency": currency} for amount, currency in prices],
        description=description,
    )
