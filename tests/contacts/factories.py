"""Organizations and persons for tests, created through the services."""

import itertools

from apogee.contacts.services import create_organization, create_person

_counter = itertools.count(1)


def make_organization(name=None, **fields):
    return create_organization(actor=None, name=name or f"Organization {next(_counter)}", **fields)


def make_person(name=None, emails=(), **fields):
    return create_person(actor=None, name=name or f"Person {next(_counter)}", emails=list(emails), **fields)
