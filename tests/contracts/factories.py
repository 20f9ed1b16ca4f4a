"""Change notices for tests, created through the real service (a CCN deal, numbered at once)."""

import itertools

from apogee.contracts.services import create_change_notice

_counter = itertools.count(1)


def make_change_notice(contract, *, owner, value=1000, currency=None, title=None):
    return create_change_notice(
        contract=contract,
        actor=None,
        owner=owner,
        title=title or f"CCN {next(_counter)}",
        value=value,
        currency=currency,
    )
