"""Deals for tests, created through the real service so events and stage history exist."""

import itertools

from apogee.deals.models import Deal, Visibility
from apogee.deals.services import create_deal

_counter = itertools.count(1)


def make_deal(
    *,
    pipeline,
    owner,
    stage=None,
    title=None,
    custom_values=None,
    value=10000,
    currency="CHF",
    visibility=Visibility.EVERYONE,
    organization=None,
    **extra,
) -> Deal:
    return create_deal(
        title=title or f"Deal {next(_counter)}",
        pipeline=pipeline,
        stage=stage,
        actor=None,
        owner=owner,
        custom_values=custom_values or {},
        value=value,
        currency=currency,
        visibility=visibility,
        organization=organization,
        **extra,
    )


def stage(pipeline, name):
    return pipeline.stages.get(name=name)
