"""Activities: planned against done, per user (or per type), for activities due in the period.

Planned counts every activity due in the period that the reader may see; done counts those of
them marked done; overdue those still open whose day has passed.
"""

from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apogee.accounts.models import User
from apogee.activities.models import ActivityType
from apogee.activities.queries import activities_visible_to
from apogee.insights.computations import rate
from apogee.insights.spec import ReportSpec

from .base import COUNT, PERCENT, TEXT, Column, Report, Row, Series, Table

GROUPS = ("owner", "type")


def build(user: User, spec: ReportSpec, params) -> Report:
    today = timezone.localdate()
    by_type = spec.group_key == "type"
    column = "type_id" if by_type else "owner_id"
    activities = activities_visible_to(user).filter(due_date__gte=spec.start, due_date__lte=spec.end)
    if spec.owners:
        activities = activities.filter(owner_id__in=spec.owners)
    if spec.activity_type:
        activities = activities.filter(type_id=spec.activity_type)
    rows = list(
        activities.values(column)
        .annotate(
            planned=Count("id"),
            done=Count("id", filter=Q(is_done=True)),
            overdue=Count("id", filter=Q(is_done=False, due_date__lt=today)),
        )
        .order_by()
    )
    ids = [row[column] for row in rows]
    if by_type:
        names = {t.pk: f"{t.icon} {t.label}".strip() for t in ActivityType.objects.filter(pk__in=ids)}
    else:
        names = {u.pk: str(u) for u in get_user_model().objects.filter(pk__in=ids)}
    rows.sort(key=lambda row: names.get(row[column], "").lower())
    table = Table(
        title=_("Planned and done"),
        columns=[
            Column("who", _("Type") if by_type else _("User"), TEXT),
            Column("planned", _("Planned"), COUNT),
            Column("done", _("Done"), COUNT),
            Column("done_rate", _("Done (%)"), PERCENT),
            Column("overdue", _("Overdue"), COUNT),
        ],
    )
    totals = defaultdict(int)
    for row in rows:
        for key in ("planned", "done", "overdue"):
            totals[key] += row[key]
        table.rows.append(
            Row(
                cells=[
                    names.get(row[column], "?"),
                    row["planned"],
                    row["done"],
                    rate(row["done"], row["planned"]),
                    row["overdue"],
                ],
                flagged=row["overdue"] > 0,
            )
        )
    table.rows.append(
        Row(
            cells=[
                _("Total"),
                totals["planned"],
                totals["done"],
                rate(totals["done"], totals["planned"]),
                totals["overdue"],
            ],
            is_total=True,
        )
    )
    labels = [names.get(row[column], "?") for row in rows]
    return Report(
        kind="activities",
        title=_("Activities"),
        tables=[table],
        labels=labels,
        series=[
            Series(_("Planned"), [row["planned"] for row in rows], [None] * len(rows)),
            Series(_("Done"), [row["done"] for row in rows], [None] * len(rows)),
        ],
    )
