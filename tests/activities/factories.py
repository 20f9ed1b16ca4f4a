"""Activities for tests, created through the real service so events exist."""

import itertools
from datetime import date

from apogee.activities.models import Activity, ActivityType
from apogee.activities.services import create_activity

_counter = itertools.count(1)


def activity_type(key: str = "call") -> ActivityType:
    return ActivityType.objects.get(key=key)


def make_activity(*, owner, due=None, kind: str = "call", subject=None, actor=None, **fields) -> Activity:
    return create_activity(
        actor=actor,
        owner=owner,
        type=activity_type(kind),
        subject=subject or f"Activity {next(_counter)}",
        due=due or date(2026, 5, 4),
        **fields,
    )
