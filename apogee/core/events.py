"""The outbox: record_event writes a DomainEvent in the caller's transaction.

Consumers subscribe by event name; they are called after commit with the event
id, so a rolled-back change never triggers anything. Consumers must be idempotent.
"""

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db import models, transaction

from .context import current_source
from .models import DomainEvent

_subscribers: dict[str, list[Callable[[int], None]]] = defaultdict(list)


def subscribe(name: str, consumer: Callable[[int], None]) -> None:
    """Call `consumer(event_id)` after commit for every event named `name` ("*" for all)."""
    if consumer not in _subscribers[name]:
        _subscribers[name].append(consumer)


def record_event(
    name: str, *, subject: models.Model, actor: Any = None, data: dict | None = None, occurred_at=None
) -> DomainEvent:
    """`occurred_at` is for importers replaying history; live changes leave it to now."""
    extra = {"created_at": occurred_at} if occurred_at is not None else {}
    event = DomainEvent.objects.create(
        **extra,
        name=name,
        subject_type=subject._meta.model_name,
        subject_id=subject.pk,
        actor=actor if getattr(actor, "pk", None) else None,
        source=current_source(),
        data=data or {},
    )
    for consumer in [*_subscribers.get(name, []), *_subscribers.get("*", [])]:
        transaction.on_commit(lambda c=consumer, pk=event.pk: c(pk))
    return event


def jsonable(value: Any) -> Any:
    """A value as it is stored in an event payload (dates and decimals as strings)."""
    if value is None or isinstance(value, bool | int | str | float):
        return value
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, models.Model):
        return value.pk
    return str(value)
