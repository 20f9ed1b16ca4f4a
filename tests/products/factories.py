"""Products and deal product lines for tests, made through the real services so events exist."""

import itertools

from apogee.products.models import DealProduct, Product
from apogee.products.services import add_deal_product, create_product

_counter = itertools.count(1)


def make_product(*, name=None, prices=None, **fields) -> Product:
    return create_product(
        actor=None,
        name=name or f"Product {next(_counter)}",
        prices=[{"amount": "100.00", "currency": "CHF"}] if prices is None else prices,
        **fields,
    )


def make_line(*, deal, product, **fields) -> DealProduct:
    return add_deal_product(actor=None, deal=deal, product=product, **fields)
