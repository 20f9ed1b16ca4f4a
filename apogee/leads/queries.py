"""Permission-scoped reads of leads and their labels: the one door for the inbox, the lead page and the API.

Visibility follows deals (deals.queries.visibility_q): administrators see every lead;
everyone sees their own leads and leads shared with everyone; a lead shared with the
owner's team is seen by that team; a manager sees every lead of their team.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from apogee.accounts.models import User
from apogee.deals.queries import visibility_q
from apogee.pipelines.models import Pipeline
from apogee.pipelines.queries import active_pipelines

from .models import Lead, LeadKind, LeadLabel, LeadSource, LeadStatus

# The pipeline a lead goes to when converted, unless the user chooses another.
DEFAULT_PIPELINE_NAMES = {LeadKind.MISSION: "Missions", LeadKind.OTHER: "Sales"}
AGES = ("lt7", "lt30", "older")


def leads_visible_to(user: User) -> QuerySet[Lead]:
    if not user.is_authenticated or not user.is_active:
        return Lead.objects.none()
    return Lead.objects.filter(visibility_q(user), deleted_at__isnull=True)


def can_see_lead(user: User, lead: Lead) -> bool:
    return leads_visible_to(user).filter(pk=lead.pk).exists()


def get_lead_for_user_or_404(user: User, lead_id) -> Lead:
    # 404 rather than 403: a lead the user may not see does not exist for them.
    try:
        return (
            leads_visible_to(user)
            .select_related("organization", "person", "owner", "converted_deal")
            .prefetch_related("labels")
            .get(pk=int(lead_id))
        )
    except (Lead.DoesNotExist, ValueError, TypeError):
        raise Http404("No such lead") from None


def deleted_lead_for_user_or_404(user: User, lead_id) -> Lead:
    """A deleted lead the user could see, for undo."""
    try:
        return Lead.objects.filter(visibility_q(user), deleted_at__isnull=False).get(pk=int(lead_id))
    except (Lead.DoesNotExist, ValueError, TypeError):
        raise Http404("No such lead") from None


def active_labels() -> QuerySet[LeadLabel]:
    return LeadLabel.objects.filter(is_archived=False)


def with_list_relations(leads: QuerySet[Lead]) -> QuerySet[Lead]:
    """What a row of the inbox shows, in a constant number of queries whatever the number of leads."""
    return leads.select_related("organization", "person", "owner", "converted_deal").prefetch_related(
        Prefetch("labels", queryset=LeadLabel.objects.order_by("position", "id"))
    )


@dataclass
class LeadFilter:
    """The inbox filters, parsed from a query string; shared by the inbox page and the API."""

    status: str = LeadStatus.OPEN
    owners: list[int] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    age: str = ""
    q: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def is_valid(self) -> bool:
        return not self.errors

    def apply(self, leads: QuerySet[Lead], *, now=None) -> QuerySet[Lead]:
        if self.status != "all":
            leads = leads.filter(status=self.status)
        if self.owners:
            leads = leads.filter(owner_id__in=self.owners)
        if self.labels:
            # Any of the chosen labels; the subquery keeps one row per lead.
            leads = leads.filter(
                pk__in=Lead.labels.through.objects.filter(leadlabel_id__in=self.labels).values("lead_id")
            )
        if self.sources:
            leads = leads.filter(source__in=self.sources)
        if self.q:
            leads = leads.filter(
                Q(title__icontains=self.q)
                | Q(organization__name__icontains=self.q)
                | Q(person__name__icontains=self.q)
            )
        now = now or timezone.now()
        if self.age == "lt7":
            leads = leads.filter(created_at__gt=now - timedelta(days=7))
        elif self.age == "lt30":
            leads = leads.filter(created_at__gt=now - timedelta(days=30))
        elif self.age == "older":
            leads = leads.filter(created_at__lte=now - timedelta(days=30))
        return leads


def _ids(values: list[str], name: str, errors: dict) -> list[int]:
    ids = []
    for value in values:
        if value in ("", None):
            continue
        try:
            number = int(value)
            if not 1 <= number < 2**63:
                raise ValueError
            ids.append(number)
        except (TypeError, ValueError):
            errors.setdefault(name, []).append(_("Not an id: %s") % value)
    return ids


def parse_lead_filter(params, *, default_status: str = LeadStatus.OPEN) -> LeadFilter:
    """Read status, owner, label, source, age and q from a QueryDict; bad values become `errors`."""
    errors: dict[str, list[str]] = {}
    status = params.get("status") or default_status
    if status not in (*LeadStatus.values, "all"):
        errors["status"] = [_("Unknown status: %s") % status]
        status = default_status
    sources = [s for s in params.getlist("source") if s]
    bad_sources = [s for s in sources if s not in LeadSource.values]
    if bad_sources:
        errors["source"] = [_("Unknown source: %s") % s for s in bad_sources]
    age = params.get("age") or ""
    if age and age not in AGES:
        errors["age"] = [_("Unknown age: %s") % age]
        age = ""
    return LeadFilter(
        status=status,
        owners=_ids(params.getlist("owner"), "owner", errors),
        labels=_ids(params.getlist("label"), "label", errors),
        sources=[s for s in sources if s in LeadSource.values],
        age=age,
        q=(params.get("q") or "").strip()[:200].replace("\x00", ""),
        errors=errors,
    )


def default_pipeline_for(lead: Lead) -> Pipeline | None:
    """Missions for a mission lead, Sales otherwise; the first active pipeline if that one is gone."""
    pipelines = list(active_pipelines())
    wanted = DEFAULT_PIPELINE_NAMES.get(lead.kind, "Sales")
    return next((p for p in pipelines if p.name == wanted), pipelines[0] if pipelines else None)
