"""Leads and labels for tests, created through the real services so events exist."""

import itertools

from apogee.deals.models import Visibility
from apogee.leads.models import Lead, LeadKind, LeadLabel
from apogee.leads.services import create_lead, save_lead_label

_counter = itertools.count(1)


def make_lead(
    *, owner, title=None, kind=LeadKind.OTHER, visibility=Visibility.EVERYONE, labels=(), **extra
) -> Lead:
    return create_lead(
        title=title or f"Lead {next(_counter)}",
        actor=None,
        owner=owner,
        kind=kind,
        visibility=visibility,
        labels=labels,
        **extra,
    )


def make_label(name=None, colour="#1f8a4c") -> LeadLabel:
    return save_lead_label(actor=None, name=name or f"Label {next(_counter)}", colour=colour)
