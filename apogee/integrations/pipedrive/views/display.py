"""What the Pipedrive pages say about a run: labels of entities and phases, progress, durations.

Plain functions over a run's fields, translated; the views put them in their context.
"""

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from apogee.integrations.pipedrive.models import ImportRun, IssueLevel

# The tabs of the issues table, in the order a reviewer deals with them.
ISSUE_TABS = (
    (IssueLevel.ERROR, gettext_lazy("Errors")),
    (IssueLevel.UNMAPPED, gettext_lazy("Unmapped")),
    (IssueLevel.DUPLICATE, gettext_lazy("Suspected duplicates")),
    (IssueLevel.WARNING, gettext_lazy("Warnings")),
)
ENTITY_PLURALS = {
    "organization": gettext_lazy("Organizations"),
    "person": gettext_lazy("Persons"),
    "product": gettext_lazy("Products"),
    "deal": gettext_lazy("Deals"),
    "lead": gettext_lazy("Leads"),
    "activity": gettext_lazy("Activities"),
    "note": gettext_lazy("Notes"),
}
ENTITY_NAMES = {
    "organization": gettext_lazy("Organization"),
    "person": gettext_lazy("Person"),
    "product": gettext_lazy("Product"),
    "deal": gettext_lazy("Deal"),
    "lead": gettext_lazy("Lead"),
    "activity": gettext_lazy("Activity"),
    "note": gettext_lazy("Note"),
    "user": gettext_lazy("User"),
    "pipeline": gettext_lazy("Pipeline"),
    "stage": gettext_lazy("Stage"),
    "field": gettext_lazy("Custom field"),
    "map": gettext_lazy("Map"),
    "lead_label": gettext_lazy("Lead label"),
    "activity_type": gettext_lazy("Activity type"),
    "stage_change": gettext_lazy("Stage change"),
    "deal_product": gettext_lazy("Product line"),
}
# What the runner is reading (ImportRun.phase: the source's listing).
PHASES = {
    "organization": gettext_lazy("organizations"),
    "person": gettext_lazy("persons"),
    "product": gettext_lazy("products"),
    "deal": gettext_lazy("deals"),
    "archived_deal": gettext_lazy("archived deals"),
    "deleted_deal": gettext_lazy("deleted deals"),
    "archived_deleted_deal": gettext_lazy("archived deleted deals"),
    "lead_label": gettext_lazy("lead labels"),
    "lead": gettext_lazy("leads"),
    "archived_lead": gettext_lazy("archived leads"),
    "activity_type": gettext_lazy("activity types"),
    "activity": gettext_lazy("activities"),
    "note": gettext_lazy("notes"),
}


def number(value: int) -> str:
    return number_format(value, force_grouping=True)


def duration(run: ImportRun) -> str:
    """How long the run took (or has taken), from its (last) start."""
    if not run.started_at or not run.finished_at:
        return ""
    seconds = max(0, round((run.finished_at - run.started_at).total_seconds()))
    if seconds < 60:
        return _("%d s") % seconds
    minutes = round(seconds / 60)
    if minutes < 60:
        return _("%d min") % minutes
    return _("%(hours)d h %(minutes)02d min") % {"hours": minutes // 60, "minutes": minutes % 60}


def progress_parts(run: ImportRun) -> list[str]:
    """ "1,234 of 5,000 records · 85/s · about 2 min left · phase: deals", the parts that are known."""
    if run.total_steps:
        parts = [
            ngettext(
                "%(done)s of %(total)s record",
                "%(done)s of %(total)s records",
                run.total_steps,
            )
            % {"done": number(run.done_steps), "total": number(run.total_steps)}
        ]
    else:
        parts = [
            ngettext("%(done)s record read", "%(done)s records read", run.done_steps)
            % {"done": number(run.done_steps)}
        ]
    if run.is_active and run.rate:
        parts.append(_("%(rate)s/s") % {"rate": number(round(run.rate))})
    eta = run.eta_seconds
    if eta is not None:
        parts.append(time_left(eta))
    if run.phase and run.is_active:
        parts.append(_("phase: %(phase)s") % {"phase": PHASES.get(run.phase, run.phase)})
    return parts


def time_left(seconds: int) -> str:
    if seconds < 60:
        return _("less than a minute left")
    minutes = round(seconds / 60)
    if minutes < 60:
        return ngettext("about %d min left", "about %d min left", minutes) % minutes
    hours, minutes = divmod(minutes, 60)
    return _("about %(hours)d h %(minutes)02d min left") % {"hours": hours, "minutes": minutes}


def api_budget(run: ImportRun) -> dict | None:
    """Pipedrive's daily budget as last seen, when the run knows it."""
    seen = run.budget if isinstance(run.budget, dict) else {}
    remaining = seen.get("daily_remaining")
    if remaining is None:
        return None
    return {"remaining": remaining, "limit": seen.get("daily_limit")}


def entity_order(entity: str) -> int:
    """Entities in the order they are imported; others after."""
    order = list(ENTITY_PLURALS)
    return order.index(entity) if entity in order else len(order)
