"""Domain events as sentences: what the timeline and the audit trail show for each one.

`describe(events)` reads whatever a page of events refers to (activities, notes,
deals, leads, stages, users) with one query per model, then builds one Entry per
event. An event name it does not know still gets an entry, with its raw name, so
a new event never disappears from the audit trail.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apogee.activities.models import Activity
from apogee.contacts.models import Organization, Person
from apogee.core.models import DomainEvent, EventSource
from apogee.deals.models import Deal
from apogee.leads.models import Lead
from apogee.notes.models import Note
from apogee.pipelines.models import Stage

from .kinds import kind_of
from .labels import ChangeLabels

RECORD_URLS = {
    "deal": "deals:detail",
    "lead": "leads:detail",
    "person": "contacts:person",
    "organization": "contacts:organization",
}
_RECORD_MODELS = {"deal": Deal, "lead": Lead, "person": Person, "organization": Organization}


@dataclass
class Entry:
    id: int
    when: datetime
    who: str
    source: str
    source_label: str
    kind: str
    name: str
    subject_type: str
    subject_id: int
    text: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    # The record the event is about, when it is not the page's own record (or on the audit trail).
    link_url: str = ""
    link_label: str = ""
    # A note's sanitized HTML (apogee.notes.sanitize); the only markup rendered unescaped.
    body_html: str = ""


class _Context:
    """Everything a page of events refers to, read in one query per model."""

    def __init__(self, events: list[DomainEvent]):
        ids: dict[str, set[int]] = defaultdict(set)
        for event in events:
            ids[event.subject_type].add(event.subject_id)
            data = event.data if isinstance(event.data, dict) else {}
            for key in ("deal", "to_deal"):
                if isinstance(data.get(key), int):
                    ids["deal"].add(data[key])
            if isinstance(data.get("stage"), int):
                ids["stage"].add(data["stage"])
            for key in ("to", "from", "owner"):
                if isinstance(data.get(key), int):
                    ids["user"].add(data[key])
        self.activities = {
            a.pk: a for a in Activity.objects.filter(pk__in=ids["activity"]).select_related("type")
        }
        self.notes = {n.pk: n for n in Note.objects.filter(pk__in=ids["note"])}
        self.records = {
            kind: dict(model._base_manager.filter(pk__in=ids[kind]).values_list("pk", _title_field(kind)))
            for kind, model in _RECORD_MODELS.items()
        }
        self.stages = dict(Stage.objects.filter(pk__in=ids["stage"]).values_list("pk", "name"))
        self.users = {u.pk: str(u) for u in get_user_model().objects.filter(pk__in=ids["user"])}
        self.labels = ChangeLabels(events)

    def title(self, kind: str, pk) -> str:
        return self.records.get(kind, {}).get(pk) or f"#{pk}"


def _title_field(kind: str) -> str:
    return "title" if kind in ("deal", "lead") else "name"


def describe(events: Iterable[DomainEvent], *, record=None) -> list[Entry]:
    """One Entry per event, in the order given. `record` is the page's own record, if any."""
    events = list(events)
    context = _Context(events)
    sources = dict(EventSource.choices)
    own = (record._meta.model_name, record.pk) if record is not None else None
    entries = []
    for event in events:
        describer = _DESCRIBERS.get(event.name)
        text = describer(event, context) if describer else _fallback(event)
        entry = Entry(
            id=event.pk,
            when=event.created_at,
            who=str(event.actor) if event.actor_id else _("System"),
            source=event.source,
            source_label=str(sources.get(event.source, event.source)),
            kind=kind_of(event.name),
            name=event.name,
            subject_type=event.subject_type,
            subject_id=event.subject_id,
            text=text,
            changes=context.labels.changes(event),
        )
        _attach(entry, event, context, own)
        entries.append(entry)
    return entries


def _fallback(event: DomainEvent) -> str:
    # Settings and other events without a sentence yet: "pipeline.created" → "Pipeline created".
    return event.name.replace("_", " ").replace(".", " ").capitalize()


def _attach(entry: Entry, event: DomainEvent, context: _Context, own) -> None:
    """The note's body, and a link to the record when the event is about another one."""
    if event.subject_type == "note":
        note = context.notes.get(event.subject_id)
        if note is not None and note.deleted_at is None and event.name != "note.deleted":
            entry.body_html = note.body_html
        return
    if event.subject_type == "activity":
        activity = context.activities.get(event.subject_id)
        if activity is not None and activity.deleted_at is None:
            entry.link_url = reverse("activities:edit", args=[activity.pk])
            entry.link_label = activity.subject
        return
    if (
        event.subject_type in RECORD_URLS
        and (event.subject_type, event.subject_id) != own
        and event.subject_id in context.records[event.subject_type]
        and not event.name.endswith(".purged")
    ):
        entry.link_url = reverse(RECORD_URLS[event.subject_type], args=[event.subject_id])
        entry.link_label = context.title(event.subject_type, event.subject_id)


def _data(event: DomainEvent) -> dict:
    return event.data if isinstance(event.data, dict) else {}


def _activity_subject(event: DomainEvent, context: _Context) -> str:
    activity = context.activities.get(event.subject_id)
    return activity.subject if activity else str(_data(event).get("subject", ""))


def _activity_planned(event: DomainEvent, context: _Context) -> str:
    activity = context.activities.get(event.subject_id)
    data = _data(event)
    kind = activity.type.label if activity else data.get("type", "")
    due = data.get("due_date", "")
    with suppress(TypeError, ValueError):
        due = date_format(datetime.fromisoformat(due).date(), "SHORT_DATE_FORMAT")
    return _("Planned %(type)s “%(subject)s” for %(due)s") % {
        "type": str(kind).lower(),
        "subject": _activity_subject(event, context),
        "due": due,
    }


def _simple(text: Callable[[], str]) -> Callable[[DomainEvent, _Context], str]:
    return lambda event, context: text()


def _bid(event: DomainEvent, final: str, proposed: str | None = None) -> str:
    data = _data(event)
    decision = _("bid") if data.get("decision") == "bid" else _("no-bid")
    text = proposed if proposed and data.get("status") == "proposed" else final
    return text % {"decision": decision, "total": data.get("total") or "—"}


def _offer(event: DomainEvent, text: str) -> str:
    data = _data(event)
    kinds = {
        "rom": _("ROM"),
        "budgetary": _("budgetary offer"),
        "firm": _("firm offer"),
        "ccn_quote": _("CCN quote"),
    }
    return text % {
        "type": kinds.get(data.get("offer_type"), _("offer")),
        "reference": data.get("reference", ""),
        "revision": data.get("revision", ""),
        "amount": f"{data.get('currency', '')} {data.get('amount', '')}".strip(),
        "name": data.get("name", ""),
    }


def _deal_product(event: DomainEvent, text: str) -> str:
    data = _data(event)
    return text % {"product": data.get("product_name", ""), "quantity": data.get("quantity", "")}


def _with_data(template: Callable[[], str], key: str) -> Callable[[DomainEvent, _Context], str]:
    return lambda event, context: template() % _data(event).get(key, "")


def _with_activity(template: Callable[[], str]) -> Callable[[DomainEvent, _Context], str]:
    return lambda event, context: template() % {"subject": _activity_subject(event, context)}


_DESCRIBERS: dict[str, Callable[[DomainEvent, _Context], str]] = {
    # Deals
    "deal.created": lambda e, c: (
        _("Created the deal “%(title)s” in “%(stage)s”")
        % {"title": _data(e).get("title", ""), "stage": c.stages.get(_data(e).get("stage"), "?")}
    ),
    "deal.updated": _simple(lambda: _("Changed the deal")),
    "deal.stage_changed": lambda e, c: (
        _("Moved from “%(from)s” to “%(to)s”")
        % {"from": _data(e).get("from_stage_name", "?"), "to": _data(e).get("to_stage_name", "?")}
    ),
    "deal.won": _simple(lambda: _("Marked the deal as won")),
    "deal.lost": lambda e, c: (
        _("Marked the deal as lost: %s") % _data(e)["reason_label"]
        if _data(e).get("reason_label")
        else _("Marked the deal as lost")
    ),
    "deal.reopened": _simple(lambda: _("Reopened the deal")),
    "deal.handed_off": lambda e, c: _("Handed off to “%s”") % c.title("deal", _data(e).get("to_deal")),
    "deal.participant_added": lambda e, c: _("Added participant %s") % _data(e).get("person_name", ""),
    "deal.participant_removed": lambda e, c: _("Removed participant %s") % _data(e).get("person_name", ""),
    "deal.deleted": _simple(lambda: _("Moved the deal to the trash")),
    "deal.restored": _simple(lambda: _("Restored the deal from the trash")),
    "deal.purged": _simple(lambda: _("Deleted the deal for good")),
    # Leads
    "lead.created": lambda e, c: _("Captured the lead “%s”") % _data(e).get("title", ""),
    "lead.updated": _simple(lambda: _("Changed the lead")),
    "lead.assigned": lambda e, c: _("Assigned the lead to %s") % c.users.get(_data(e).get("to"), "?"),
    "lead.labelled": lambda e, c: (
        (_("Added the label “%s”") if _data(e).get("added") else _("Removed the label “%s”"))
        % _data(e).get("label_name", "")
    ),
    "lead.archived": _simple(lambda: _("Archived the lead")),
    "lead.unarchived": _simple(lambda: _("Put the lead back in the inbox")),
    "lead.converted": lambda e, c: (
        _("Converted the lead to the deal “%s”") % c.title("deal", _data(e).get("deal"))
    ),
    "lead.deleted": _simple(lambda: _("Moved the lead to the trash")),
    "lead.restored": _simple(lambda: _("Restored the lead from the trash")),
    "lead.purged": _simple(lambda: _("Deleted the lead for good")),
    # Contacts
    "person.created": lambda e, c: _("Added the person %s") % _data(e).get("name", ""),
    "person.updated": _simple(lambda: _("Changed the person")),
    "person.deleted": _simple(lambda: _("Moved the person to the trash")),
    "person.restored": _simple(lambda: _("Restored the person from the trash")),
    "person.purged": _simple(lambda: _("Deleted the person for good")),
    "organization.created": lambda e, c: _("Added the organization %s") % _data(e).get("name", ""),
    "organization.updated": _simple(lambda: _("Changed the organization")),
    "organization.deleted": _simple(lambda: _("Moved the organization to the trash")),
    "organization.restored": _simple(lambda: _("Restored the organization from the trash")),
    "organization.purged": _simple(lambda: _("Deleted the organization for good")),
    # Activities
    "activity.created": _activity_planned,
    "activity.updated": _with_activity(lambda: _("Changed the activity “%(subject)s”")),
    "activity.done": _with_activity(lambda: _("Completed “%(subject)s”")),
    "activity.undone": _with_activity(lambda: _("Marked “%(subject)s” as not done")),
    "activity.deleted": _with_activity(lambda: _("Deleted the activity “%(subject)s”")),
    "activity.restored": _with_activity(lambda: _("Restored the activity “%(subject)s”")),
    "activity.moved": _with_activity(lambda: _("Moved the activity “%(subject)s” to the deal")),
    # Bid decisions and offers
    "bid_decision.recorded": lambda e, c: _bid(
        e,
        _("Recorded a %(decision)s decision (score %(total)s)"),
        _("Proposed a %(decision)s decision (score %(total)s), awaiting approval"),
    ),
    "bid_decision.approved": lambda e, c: _bid(e, _("Approved the %(decision)s decision")),
    "bid_decision.rejected": lambda e, c: _bid(e, _("Rejected the %(decision)s decision")),
    "bid_decision.superseded": lambda e, c: _bid(e, _("A newer decision replaced the proposed %(decision)s")),
    "offer.created": lambda e, c: _offer(e, _("Drafted %(type)s %(reference)s: %(amount)s")),
    "offer.updated": lambda e, c: _offer(e, _("Changed %(type)s %(reference)s")),
    "offer.revised": lambda e, c: _offer(
        e, _("Revised %(type)s %(reference)s (revision %(revision)s): %(amount)s")
    ),
    "offer.superseded": lambda e, c: _offer(
        e, _("Revision %(revision)s of %(type)s %(reference)s superseded")
    ),
    "offer.submitted": lambda e, c: _offer(e, _("Submitted %(type)s %(reference)s: %(amount)s")),
    "offer.accepted": lambda e, c: _offer(e, _("The customer accepted %(type)s %(reference)s")),
    "offer.rejected": lambda e, c: _offer(e, _("The customer rejected %(type)s %(reference)s")),
    "offer.document_attached": lambda e, c: _offer(e, _("Attached “%(name)s” to %(reference)s")),
    "offer.document_removed": lambda e, c: _offer(e, _("Removed “%(name)s” from %(reference)s")),
    # Missions and contracts
    "mission.profile_set": _simple(lambda: _("Set the mission profile")),
    "mission.deal_linked": _with_data(lambda: _("Linked “%s” to the mission"), "deal_title"),
    "mission.deal_unlinked": _with_data(lambda: _("Unlinked “%s” from the mission"), "deal_title"),
    "contract.created": _with_data(lambda: _("Created contract %s"), "number"),
    "contract.updated": _simple(lambda: _("Changed the contract")),
    "change_notice.numbered": _with_data(lambda: _("Numbered change notice %s"), "number"),
    # The product catalogue, and the products of a deal (subject: the deal)
    "products.product_created": _with_data(lambda: _("Added “%s” to the product catalogue"), "name"),
    "products.product_updated": _with_data(lambda: _("Changed the product “%s”"), "name"),
    "products.product_archived": _with_data(lambda: _("Archived the product “%s”"), "name"),
    "products.product_restored": _with_data(lambda: _("Restored the product “%s”"), "name"),
    "products.deal_product_added": lambda e, c: _deal_product(
        e, _("Added product “%(product)s” ×%(quantity)s")
    ),
    "products.deal_product_changed": lambda e, c: _deal_product(e, _("Changed product “%(product)s”")),
    "products.deal_product_removed": lambda e, c: _deal_product(
        e, _("Removed product “%(product)s” ×%(quantity)s")
    ),
    # Insights
    "insights.report_saved": _with_data(lambda: _("Saved the report “%s”"), "name"),
    "insights.report_deleted": _with_data(lambda: _("Deleted the saved report “%s”"), "name"),
    "insights.dashboard_saved": _with_data(lambda: _("Saved the dashboard “%s”"), "name"),
    "insights.dashboard_deleted": _with_data(lambda: _("Deleted the dashboard “%s”"), "name"),
    "insights.dashboard_item_added": _with_data(lambda: _("Added “%s” to the dashboard"), "report_name"),
    "insights.dashboard_item_removed": _with_data(lambda: _("Took “%s” off the dashboard"), "report_name"),
    "insights.dashboard_item_moved": _simple(lambda: _("Reordered the dashboard")),
    # Notes
    "note.added": _simple(lambda: _("Added a note")),
    "note.edited": _simple(lambda: _("Edited a note")),
    "note.pinned": _simple(lambda: _("Pinned a note")),
    "note.unpinned": _simple(lambda: _("Unpinned a note")),
    "note.deleted": _simple(lambda: _("Deleted a note")),
    "note.moved": _simple(lambda: _("Moved a note to the deal")),
}
