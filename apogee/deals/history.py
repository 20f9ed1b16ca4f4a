"""The history shown on a deal page: stage moves and field changes, with names instead of ids."""

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apogee.contacts.models import Organization
from apogee.core.models import DomainEvent
from apogee.customfields.queries import ValueFormatter, definitions_for

from . import events
from .models import Deal, StageChange, Visibility

FIELD_LABELS = {
    "title": gettext_lazy("Title"),
    "value": gettext_lazy("Value"),
    "currency": gettext_lazy("Currency"),
    "organization": gettext_lazy("Organization"),
    "expected_close_date": gettext_lazy("Expected close date"),
    "owner": gettext_lazy("Owner"),
    "visibility": gettext_lazy("Visible to"),
    "stage": gettext_lazy("Stage"),
}
LIMIT = 200


@dataclass
class Entry:
    when: datetime
    who: str
    kind: str
    text: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)


def deal_history(deal: Deal) -> list[Entry]:
    """Newest first. Stage moves come from StageChange (they keep the original time on import)."""
    entries: list[Entry] = []
    for change in StageChange.objects.filter(deal=deal).select_related(
        "from_stage", "to_stage", "changed_by"
    )[:LIMIT]:
        who = str(change.changed_by) if change.changed_by else _("System")
        if change.from_stage is None:
            text = _("Created in “%s”") % (change.to_stage.name if change.to_stage else "?")
        else:
            text = _("Moved from “%(from)s” to “%(to)s”") % {
                "from": change.from_stage.name,
                "to": change.to_stage.name if change.to_stage else "?",
            }
        entries.append(Entry(when=change.changed_at, who=who, kind="stage", text=text))

    event_rows = list(
        DomainEvent.objects.filter(subject_type="deal", subject_id=deal.pk)
        .exclude(name__in=[events.DEAL_STAGE_CHANGED, events.DEAL_CREATED])
        .select_related("actor")
        .order_by("-id")[:LIMIT]
    )
    labels = _Labels([row.data.get("changes", {}) for row in event_rows])
    for event in event_rows:
        who = str(event.actor) if event.actor else _("System")
        entries.append(
            Entry(
                when=event.created_at,
                who=who,
                kind=event.name.split(".")[-1],
                text=_describe(event),
                changes=labels.changes(event),
            )
        )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries


def conflict_rows(changes: list[dict]) -> list[tuple[str, str, str, str]]:
    """A version conflict's changes (DealVersionConflict.changes) as (label, old, new, who) for people."""
    labels = _Labels([{c["field"]: [c["old"], c["new"]]} for c in changes])
    return [(*labels.row(c["field"], c["old"], c["new"]), c["by"]) for c in changes]


def _describe(event: DomainEvent) -> str:
    data = event.data
    return {
        events.DEAL_UPDATED: _("Changed"),
        events.DEAL_WON: _("Marked as won"),
        events.DEAL_LOST: _("Marked as lost: %s") % data.get("reason_label", ""),
        events.DEAL_REOPENED: _("Reopened"),
        events.DEAL_HANDED_OFF: _("Handed off (deal #%s)") % data.get("to_deal"),
        events.DEAL_PARTICIPANT_ADDED: _("Added participant %s") % data.get("person_name", ""),
        events.DEAL_PARTICIPANT_REMOVED: _("Removed participant %s") % data.get("person_name", ""),
    }.get(event.name, event.name)


class _Labels:
    """Resolves ids in change payloads to names, with one query per kind for the whole history."""

    def __init__(self, change_sets: list[dict]):
        self.definitions = list(definitions_for("deal", include_archived=True))
        custom_values = []
        users, organizations = set(), set()
        for changes in change_sets:
            for key, pair in changes.items():
                if key.startswith("custom."):
                    custom_values.extend({key[7:]: v} for v in pair if v is not None)
                elif key == "owner":
                    users.update(v for v in pair if v)
                elif key == "organization":
                    organizations.update(v for v in pair if v)
        self.formatter = ValueFormatter(self.definitions, custom_values)
        self.users = {u.pk: str(u) for u in get_user_model().objects.filter(pk__in=users)}
        self.organizations = dict(Organization.objects.filter(pk__in=organizations).values_list("pk", "name"))
        self.custom_labels = {d.key: d.label for d in self.definitions}

    def changes(self, event: DomainEvent) -> list[tuple[str, str, str]]:
        return [self.row(key, old, new) for key, (old, new) in event.data.get("changes", {}).items()]

    def row(self, key: str, old, new) -> tuple[str, str, str]:
        if key.startswith("custom."):
            custom_key = key[7:]
            label = self.custom_labels.get(custom_key, custom_key)
            return label, self.formatter.format(custom_key, old), self.formatter.format(custom_key, new)
        return str(FIELD_LABELS.get(key, key)), self._plain(key, old), self._plain(key, new)

    def _plain(self, key: str, value) -> str:
        if value in (None, ""):
            return "—"
        if key == "owner":
            return self.users.get(value, f"#{value}")
        if key == "organization":
            return self.organizations.get(value, f"#{value}")
        if key == "visibility":
            return str(dict(Visibility.choices).get(value, value))
        return str(value)
