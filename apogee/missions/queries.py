"""Permission-scoped reads of missions: which deals are missions, their profiles and roll-ups.

A mission is seen by whoever sees its deal (deals_visible_to). Its roll-up counts only
the deals the reader may see: a private deal of someone else is neither counted nor
hinted at. Members of a mission are the deals handed off from it (the origin_deal chain,
at any depth, through deals the reader may not see) and the deals linked to it by hand,
together with their own hand-offs; never a deal of a missions pipeline, never the
mission itself, never a deleted deal.

The roll-ups of a whole list cost a fixed number of queries whatever the number of
missions: the missions, their members (one recursive query), the visible member deals,
the exchange rates.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import F, Q, QuerySet
from django.http import Http404

from apogee.accounts.models import User
from apogee.core.money import CENT
from apogee.core.queries import BaseConverter
from apogee.deals.models import Deal
from apogee.deals.queries import deals_visible_to
from apogee.pipelines.models import Pipeline

from .models import DEFAULT_MISSIONS_PIPELINE, MissionLink, MissionProfile
from .rollup import EMPTY, LOST, MemberDeal, RollUp, add_roll_ups, expected_value_of, roll_up

DEFAULT_GO_AHEAD_WITHOUT_PROFILE = 50


def mission_pipeline_q(prefix: str = "") -> Q:
    """Pipelines flagged as holding missions, or named "Missions" and not flagged either way."""
    return Q(**{f"{prefix}mission_setting__holds_missions": True}) | Q(
        **{f"{prefix}mission_setting__isnull": True, f"{prefix}name": DEFAULT_MISSIONS_PIPELINE}
    )


def mission_pipelines() -> QuerySet[Pipeline]:
    return Pipeline.objects.filter(mission_pipeline_q())


def is_mission_pipeline(pipeline: Pipeline) -> bool:
    return mission_pipelines().filter(pk=pipeline.pk).exists()


def missions_visible_to(user: User) -> QuerySet[Deal]:
    return deals_visible_to(user).filter(pipeline__in=mission_pipelines())


def get_mission_for_user_or_404(user: User, deal_id) -> Deal:
    """A mission deal the user may see; any other deal answers 404 here."""
    try:
        return (
            missions_visible_to(user)
            .select_related("pipeline", "stage", "owner", "mission_profile__agency")
            .get(pk=int(deal_id))
        )
    except (Deal.DoesNotExist, ValueError, TypeError):
        raise Http404("No such mission") from None


def profile_of(mission: Deal) -> MissionProfile | None:
    return getattr(mission, "mission_profile", None)


def go_ahead_of(mission: Deal) -> int:
    profile = profile_of(mission)
    return profile.go_ahead_probability if profile else DEFAULT_GO_AHEAD_WITHOUT_PROFILE


def member_pairs(mission_ids: Iterable[int]) -> list[tuple[int, int]]:
    """(mission id, deal id) for every deal handed off from or linked to those missions, any depth.

    One recursive query; UNION (not UNION ALL) drops repeated pairs, so a loop in the
    origin chain ends. Walks through deleted and invisible deals: they still connect.
    """
    ids = sorted({int(i) for i in mission_ids})
    if not ids:
        return []
    deal = connection.ops.quote_name(Deal._meta.db_table)
    link = connection.ops.quote_name(MissionLink._meta.db_table)
    marks = ", ".join(["%s"] * len(ids))
    sql = f"""
        WITH RECURSIVE members(mission_id, deal_id) AS (
            SELECT seed.mission_id, seed.deal_id FROM (
                SELECT d.origin_deal_id AS mission_id, d.id AS deal_id
                  FROM {deal} d WHERE d.origin_deal_id IN ({marks})
                UNION
                SELECT l.mission_id AS mission_id, l.deal_id AS deal_id
                  FROM {link} l WHERE l.mission_id IN ({marks})
            ) seed
            UNION
            SELECT m.mission_id, d.id FROM {deal} d JOIN members m ON d.origin_deal_id = m.deal_id
        )
        SELECT mission_id, deal_id FROM members
    """  # noqa: S608 - only quoted table names and placeholders are interpolated
    with connection.cursor() as cursor:
        cursor.execute(sql, [*ids, *ids])
        return [(m, d) for m, d in cursor.fetchall() if m != d]


def _member_deals(user: User, pairs: list[tuple[int, int]]) -> QuerySet[Deal]:
    return (
        deals_visible_to(user)
        .filter(pk__in={d for _m, d in pairs})
        .exclude(pipeline__in=mission_pipelines())
        .annotate(stage_probability=F("stage__probability"))
    )


def _roll_up_of(mission: Deal, deals: list[Deal], converter: BaseConverter) -> RollUp:
    return roll_up(
        [MemberDeal(d.status, d.value, d.currency, d.stage_probability) for d in deals],
        go_ahead_probability=go_ahead_of(mission),
        base=converter.base,
        on=converter.on,
        rates=converter.rates,
    )


def roll_ups_for(user: User, missions: list[Deal], *, on: date | None = None) -> dict[int, RollUp]:
    """The roll-up of each mission, counting only the deals `user` may see. Three queries in all."""
    pairs = member_pairs(m.pk for m in missions)
    if not pairs:
        return {m.pk: EMPTY for m in missions}
    visible = {d.pk: d for d in _member_deals(user, pairs).only("pk", "status", "value", "currency")}
    by_mission: dict[int, list[Deal]] = defaultdict(list)
    for mission_id, deal_id in pairs:
        if deal_id in visible:
            by_mission[mission_id].append(visible[deal_id])
    converter = BaseConverter(on)
    return {m.pk: _roll_up_of(m, by_mission.get(m.pk, []), converter) for m in missions}


@dataclass
class MemberRow:
    deal: Deal
    linked: bool  # by hand (can be unlinked), else handed off from the mission
    value_in_base: Decimal | None
    expected_value: Decimal | None


@dataclass
class MissionDetail:
    mission: Deal
    profile: MissionProfile | None
    roll_up: RollUp
    members: list[MemberRow] = field(default_factory=list)
    base_currency: str = ""


def mission_detail(user: User, mission: Deal, *, on: date | None = None) -> MissionDetail:
    """The mission's profile, roll-up and the table of its deals the user may see (open first)."""
    pairs = member_pairs([mission.pk])
    linked_ids = set(MissionLink.objects.filter(mission=mission).values_list("deal_id", flat=True))
    deals = list(
        _member_deals(user, pairs)
        .select_related("pipeline", "stage", "owner", "organization")
        .order_by("status", "-value", "pk")
    )
    converter = BaseConverter(on)
    go_ahead = go_ahead_of(mission)
    rows = []
    for d in deals:
        in_base = converter(d.value, d.currency) if d.status != LOST else None
        expected = (
            None
            if in_base is None
            else expected_value_of(
                value_in_base=in_base,
                status=d.status,
                stage_probability=d.stage_probability,
                go_ahead_probability=go_ahead,
            ).quantize(CENT, rounding=ROUND_HALF_UP)
        )
        rows.append(
            MemberRow(deal=d, linked=d.pk in linked_ids, value_in_base=in_base, expected_value=expected)
        )
    return MissionDetail(
        mission=mission,
        profile=profile_of(mission),
        roll_up=_roll_up_of(mission, deals, converter),
        members=rows,
        base_currency=converter.base,
    )


def _origin_chain(deal: Deal) -> set[int]:
    """The deal and every deal it was handed off from, up to the first (one recursive query)."""
    table = connection.ops.quote_name(Deal._meta.db_table)
    sql = f"""
        WITH RECURSIVE up(id, origin_deal_id) AS (
            SELECT d.id, d.origin_deal_id FROM {table} d WHERE d.id = %s
            UNION
            SELECT d.id, d.origin_deal_id FROM {table} d JOIN up ON d.id = up.origin_deal_id
        )
        SELECT id FROM up
    """  # noqa: S608 - only a quoted table name is interpolated
    with connection.cursor() as cursor:
        cursor.execute(sql, [deal.pk])
        return {row[0] for row in cursor.fetchall()}


def _missions_above(deal: Deal) -> QuerySet[Deal]:
    """Mission deals `deal` rolls up into, whoever may see them: an ancestor that is a mission,
    or the mission the deal or an ancestor is linked to."""
    chain = _origin_chain(deal)
    return (
        Deal.objects.filter(deleted_at__isnull=True, pipeline__in=mission_pipelines())
        .filter(Q(pk__in=chain - {deal.pk}) | Q(mission_links__deal_id__in=chain))
        .exclude(pk=deal.pk)
        .distinct()
    )


def mission_ids_of(deal: Deal) -> set[int]:
    """Every mission `deal` rolls up into, visible or not: for the services' checks only."""
    return set(_missions_above(deal).values_list("pk", flat=True))


def missions_of(user: User, deal: Deal) -> list[Deal]:
    """The missions `deal` rolls up into, among those the user may see (none hinted at otherwise)."""
    return list(
        missions_visible_to(user)
        .filter(pk__in=_missions_above(deal).values("pk"))
        .select_related("mission_profile")
        .order_by("title", "pk")
    )


def link_candidates(user: User, mission: Deal) -> QuerySet[Deal]:
    """Deals the user may link to the mission: visible, of another pipeline, not yet in a mission."""
    return (
        deals_visible_to(user)
        .exclude(pipeline__in=mission_pipelines())
        .exclude(pk__in=MissionLink.objects.values("deal_id"))
        .exclude(pk__in={d for _m, d in member_pairs([mission.pk])})
        .select_related("pipeline")
        .order_by("status", "title", "pk")
    )


@dataclass
class MissionRow:
    mission: Deal
    profile: MissionProfile | None
    roll_up: RollUp


@dataclass
class YearGroup:
    year: int | None
    rows: list[MissionRow]
    subtotal: RollUp


def mission_rows(
    user: User, *, today: date, horizon_years: int | None = 4, include_closed: bool = False
) -> list[MissionRow]:
    """The missions the user sees, by expected tender year (undated last), each with its roll-up.

    With a horizon, only tender years from this year to this year + horizon, plus missions
    whose tender year is not known yet (they are identified, just not dated).
    """
    missions = missions_visible_to(user).select_related("stage", "owner", "mission_profile__agency")
    if not include_closed:
        missions = missions.filter(status="open")
    if horizon_years is not None:
        missions = missions.filter(
            Q(mission_profile__isnull=True)
            | Q(mission_profile__expected_tender_year__isnull=True)
            | Q(
                mission_profile__expected_tender_year__gte=today.year,
                mission_profile__expected_tender_year__lte=today.year + horizon_years,
            )
        )
    missions = missions.order_by(
        F("mission_profile__expected_tender_year").asc(nulls_last=True),
        F("mission_profile__expected_launch_year").asc(nulls_last=True),
        "title",
        "pk",
    )
    missions = list(missions)
    roll_ups = roll_ups_for(user, missions, on=today)
    return [MissionRow(m, profile_of(m), roll_ups[m.pk]) for m in missions]


def by_tender_year(rows: list[MissionRow]) -> list[YearGroup]:
    groups: dict[int | None, list[MissionRow]] = {}
    for row in rows:
        year = row.profile.expected_tender_year if row.profile else None
        groups.setdefault(year, []).append(row)
    return [
        YearGroup(year, items, add_roll_ups(r.roll_up for r in items))
        for year, items in sorted(groups.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))
    ]
