"""Activities (calls, meetings, tasks…), their attendees, their configurable types, calendar feed tokens."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apogee.contacts.models import Organization, Person
from apogee.core.models import TimeStampedModel
from apogee.customfields.models import localized
from apogee.deals.models import Deal
from apogee.leads.models import Lead


class ActivityType(models.Model):
    key = models.SlugField(_("key"), max_length=40, unique=True)
    label_en = models.CharField(_("label (English)"), max_length=60)
    label_fr = models.CharField(_("label (French)"), max_length=60, blank=True)
    icon = models.CharField(_("icon"), max_length=8, blank=True)
    position = models.PositiveIntegerField(default=0)
    is_archived = models.BooleanField(_("archived"), default=False)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return localized(self.label_en, self.label_fr)


def cascade_unless_on_deal(collector, field, sub_objs, using):
    """on_delete of Activity.lead: a lead purged takes its activities, but not those on a deal.

    A converted lead's activities moved to the deal and kept their lead (for the lead's
    page and their history); purging the archived lead must not purge the deal's work
    with it, so those only lose the link.
    """
    models.CASCADE(collector, field, sub_objs.filter(deal__isnull=True), using)
    collector.add_field_update(field, None, sub_objs.filter(deal__isnull=False))


class TenderDeadline(models.TextChoices):
    CLARIFICATION = "clarification", _("Clarification questions deadline")
    SUBMISSION = "submission", _("Submission deadline")


class Activity(TimeStampedModel):
    """One thing to do. `due_at` is the moment (UTC) of a timed activity; null means all day.

    `due_date` is always set: the day itself for an all-day activity, the day of `due_at`
    in the creator's time zone otherwise (for sorting and the calendar index).
    """

    # Stable across edits: calendars recognise the event by it (ICS UID).
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    type = models.ForeignKey(ActivityType, on_delete=models.PROTECT, related_name="+", verbose_name=_("type"))
    subject = models.CharField(_("subject"), max_length=200)
    due_date = models.DateField(_("due date"))
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="activities", verbose_name=_("owner")
    )
    deal = models.ForeignKey(
        Deal,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="activities",
        verbose_name=_("deal"),
    )
    # Kept when the lead is converted: the activity then carries both, the deal governing who sees it.
    lead = models.ForeignKey(
        Lead,
        null=True,
        blank=True,
        on_delete=cascade_unless_on_deal,
        related_name="activities",
        verbose_name=_("lead"),
    )
    person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
        verbose_name=_("person"),
    )
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
        verbose_name=_("organization"),
    )
    note = models.TextField(_("note"), blank=True)
    is_done = models.BooleanField(_("done"), default=False)
    done_at = models.DateTimeField(_("done on"), null=True, blank=True)
    # Set on the activity that stands for a deal's tender deadline (kept in step by deadlines.py).
    tender_deadline = models.CharField(
        _("tender deadline"), max_length=20, blank=True, choices=TenderDeadline.choices, editable=False
    )
    # Bumped on every change: calendars replace an event only when its SEQUENCE grows.
    sequence = models.PositiveIntegerField(default=0)
    deleted_at = models.DateTimeField(null=True, blank=True, db_index=True, editable=False)

    class Meta:
        ordering = ["due_date", "due_at", "id"]
        indexes = [
            models.Index(fields=["owner", "is_done", "due_date"], name="activity_owner_due"),
            models.Index(fields=["deal", "is_done", "due_date"], name="activity_deal_due"),
            models.Index(fields=["lead", "is_done", "due_date"], name="activity_lead_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__isnull=True) | Q(duration_minutes__gt=0),
                name="activity_duration_positive",
            ),
            models.UniqueConstraint(
                fields=["deal", "tender_deadline"],
                condition=~Q(tender_deadline=""),
                name="one_activity_per_tender_deadline",
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_all_day(self) -> bool:
        return self.due_at is None

    def is_overdue(self, now=None) -> bool:
        if self.is_done:
            return False
        now = now or timezone.now()
        if self.due_at is not None:
            return self.due_at < now
        return self.due_date < timezone.localdate(now)


class ActivityAttendee(models.Model):
    """A colleague or a contact who takes part: exactly one of `user` and `person`."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="attendees")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(person__isnull=True))
                | (Q(user__isnull=True) & Q(person__isnull=False)),
                name="attendee_user_xor_person",
            ),
            models.UniqueConstraint(fields=["activity", "user"], name="attendee_user_once"),
            models.UniqueConstraint(fields=["activity", "person"], name="attendee_person_once"),
        ]

    def __str__(self) -> str:
        return str(self.user or self.person)


class CalendarFeedToken(models.Model):
    """The secret of a user's ICS feed; only its SHA-256 is stored. Revoking replaces or removes it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    secret_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"calendar feed of {self.user}"
