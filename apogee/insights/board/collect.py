"""The figures of the board pack: four sections read from the database for a period and a reader.

Owns which deals appear in each section; the values are the plain dataclasses of pack.py,
which the charts, the deck and the workbook render without touching the database.

The reader
    `user` sees what apogee.deals.queries.deals_visible_to(user) lets them see, in every
    section (mission roll-ups count only the reader's deals too). user=None reads every
    non-deleted deal, as an administrator would: the command line's default.

Dates and money
    The as-of date is the earlier of the period's last day and today. Open deals are shown as
    they are now (stages and values have no history to rewind); the period selects what was
    won, lost or sent. Every amount is converted to the base currency at the rates in force
    on the as-of date; an amount whose currency has no rate then stays in the rows with its
    base value None and is left out of the totals, which count it in `unconverted_count`.
    Won and lost moments are read as days in the reader's time zone (the workspace default
    when there is no reader).

The sections
    1. Missions: open deals of the missions pipelines whose expected tender year is from the
       as-of year to MISSION_HORIZON_YEARS later, or not known yet; each with the roll-up of
       apogee.missions (deals handed off from or linked to it: open and won value, expected
       value weighted by the stage and go-ahead probabilities).
    2. RFIs: deals of the RFI pipelines (pipelines that hand off into a Sales pipeline, the
       missions pipelines excepted) that are open, were won or lost in the period, or had a
       ROM or budgetary offer sent in the period; each with its latest sent ROM, its expected
       RFQ date (expected_close_date) and the Sales deal handed off from it. An RFI's value is
       "potential" while no Sales deal came out of it and it was not stopped (lost): once
       handed off, its value is counted with the firm offers instead.
    3. Firm offers: open deals of the Sales pipelines (those that create contracts: the
       pipeline named "Sales" unless the contract settings say otherwise) in the stage named
       PROPOSAL_STAGE or any later stage by position; when no stage has that name (renamed),
       the last PROPOSAL_STAGES_FALLBACK stages of the pipeline. Plus the deals of those
       pipelines won or lost in the period.
    4. CCNs: every running (active) contract whose deal the reader sees, with the change
       notices under it (deals whose parent_contract is the contract's deal), whatever their
       status; won ones add to the contract, open ones are pending, lost ones add nothing.

Each section costs a fixed number of queries, whatever the number of deals.
"""

import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.utils import timezone, translation

from apogee.accounts.models import Role, User
from apogee.contracts.models import Contract, ContractStatus, format_ccn_number
from apogee.contracts.queries import pipeline_settings
from apogee.core.queries import BaseConverter
from apogee.deals.models import Deal, DealStatus
from apogee.deals.queries import deals_visible_to
from apogee.missions.queries import by_tender_year, go_ahead_of, mission_pipeline_q, mission_rows
from apogee.offers.models import Offer, OfferStatus, OfferType
from apogee.pipelines.models import Pipeline, Stage

from .pack import (
    ZERO,
    BoardPack,
    CcnLine,
    CcnsSection,
    ContractBlock,
    MissionLine,
    MissionsSection,
    MissionYear,
    OfferLine,
    OffersSection,
    RfiLine,
    RfisSection,
    RfiState,
    StageGroup,
    horizon_of,
)
from .period import Period, parse_period

MISSION_HORIZON_YEARS = 4
PROPOSAL_STAGE = "Proposal preparation"
# The demo's Sales pipeline ends with preparation, at customer, negotiation.
PROPOSAL_STAGES_FALLBACK = 3
ROM_TYPES = (OfferType.ROM, OfferType.BUDGETARY)
# An offer in these states left the house; a draft did not, even with a submission day typed in.
SENT = (OfferStatus.SUBMITTED, OfferStatus.ACCEPTED, OfferStatus.REJECTED, OfferStatus.SUPERSEDED)


# Reading -----------------------------------------------------------------------------------------


def _reader(user: User | None) -> User:
    if user is not None:
        return user
    # No reader: every non-deleted deal, which is exactly what an administrator sees, so the same
    # permission-scoped queries (the missions roll-ups included) serve both. Never saved.
    return User(username="board-report", role=Role.ADMIN, is_active=True)


def _zone(user: User | None) -> zoneinfo.ZoneInfo:
    name = (user.timezone if user is not None else "") or settings.DEFAULT_USER_TIMEZONE
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.DEFAULT_USER_TIMEZONE)


@dataclass(frozen=True)
class _Window:
    """The period as aware moments in the reader's zone: [start, end)."""

    period: Period
    zone: zoneinfo.ZoneInfo

    @property
    def start(self) -> datetime:
        return datetime.combine(self.period.start, time.min, tzinfo=self.zone)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.period.end + timedelta(days=1), time.min, tzinfo=self.zone)

    def closed_in(self) -> Q:
        return Q(status=DealStatus.WON, won_at__gte=self.start, won_at__lt=self.end) | Q(
            status=DealStatus.LOST, lost_at__gte=self.start, lost_at__lt=self.end
        )

    def day(self, moment: datetime | None) -> date | None:
        return None if moment is None else timezone.localtime(moment, self.zone).date()


def _name(obj) -> str:
    return str(obj) if obj is not None else ""


def _closed_on(deal: Deal, window: _Window) -> date | None:
    return window.day(deal.won_at if deal.status == DealStatus.WON else deal.lost_at)


# 1. Missions


def collect_missions(reader: User, *, as_of: date) -> MissionsSection:
    rows = mission_rows(reader, today=as_of, horizon_years=MISSION_HORIZON_YEARS)
    groups = {group.year: group for group in by_tender_year(rows)}
    first, last = as_of.year, as_of.year + MISSION_HORIZON_YEARS
    years = []
    for year in [*range(first, last + 1), None]:
        group = groups.get(year)
        if group is None:
            if year is not None:
                years.append(MissionYear(year, [], ZERO, ZERO, 0))
            continue
        lines = []
        for row in group.rows:
            profile = row.profile
            lines.append(
                MissionLine(
                    deal_id=row.mission.pk,
                    title=row.mission.title,
                    stage=row.mission.stage.name,
                    programme=profile.programme if profile else "",
                    agency=_name(profile.agency) if profile else "",
                    phase=profile.phase if profile else "",
                    go_ahead=go_ahead_of(row.mission),
                    tender_year=profile.expected_tender_year if profile else None,
                    launch_year=profile.expected_launch_year if profile else None,
                    open_count=row.roll_up.open_count,
                    won_count=row.roll_up.won_count,
                    linked_value=row.roll_up.total_value,
                    expected_value=row.roll_up.expected_value,
                    unconverted_count=row.roll_up.unconverted_count,
                )
            )
        subtotal = group.subtotal
        years.append(
            MissionYear(
                year, lines, subtotal.total_value, subtotal.expected_value, subtotal.unconverted_count
            )
        )
    return MissionsSection(first_year=first, last_year=last, years=years)


# 2. RFIs


def rfi_pipelines(sales: list[Pipeline]) -> QuerySet[Pipeline]:
    return Pipeline.objects.filter(handoff_target__in=sales).exclude(mission_pipeline_q())


def _rfi_state(deal: Deal, handed_off: bool) -> str:
    if handed_off:
        return RfiState.IN_SALES
    if deal.status == DealStatus.LOST:
        return RfiState.STOPPED
    if deal.status == DealStatus.WON:
        return RfiState.RFQ_EXPECTED
    return RfiState.OPEN


def collect_rfis(
    visible: QuerySet[Deal], *, sales: list[Pipeline], window: _Window, as_of: date, convert: BaseConverter
) -> RfisSection:
    period = window.period
    roms = Offer.objects.filter(offer_type__in=ROM_TYPES, status__in=SENT, submitted_on__isnull=False)
    sent_in_period = roms.filter(submitted_on__gte=period.start, submitted_on__lte=period.end)
    deals = list(
        visible.filter(pipeline__in=rfi_pipelines(sales))
        .filter(Q(status=DealStatus.OPEN) | window.closed_in() | Q(pk__in=sent_in_period.values("deal_id")))
        .select_related("stage", "organization", "owner")
        .order_by(F("expected_close_date").asc(nulls_last=True), "title", "pk")
    )
    ids = [d.pk for d in deals]
    # The latest sent revision of each ROM line: (deal, line number) → offer.
    lines: dict[tuple[int, int], Offer] = {}
    in_period: set[tuple[int, int]] = set()
    for offer in roms.filter(deal_id__in=ids).order_by("submitted_on", "revision", "id"):
        key = (offer.deal_id, offer.number)
        lines[key] = offer
        if offer.submitted_on in period:
            in_period.add(key)
    latest: dict[int, Offer] = {}
    count: dict[int, int] = defaultdict(int)
    for (deal_id, _number), offer in lines.items():
        count[deal_id] += 1
        if deal_id not in latest or (offer.submitted_on, offer.pk) > (
            latest[deal_id].submitted_on,
            latest[deal_id].pk,
        ):
            latest[deal_id] = offer
    handed: dict[int, str] = {}
    for origin_id, title in (
        visible.filter(origin_deal_id__in=ids, pipeline__in=sales)
        .order_by("created_at", "pk")
        .values_list("origin_deal_id", "title")
    ):
        handed.setdefault(origin_id, title)  # an RFI handed off twice shows its first Sales deal
    result = []
    for deal in deals:
        rom = latest.get(deal.pk)
        result.append(
            RfiLine(
                deal_id=deal.pk,
                title=deal.title,
                customer=_name(deal.organization),
                stage=deal.stage.name,
                status=deal.status,
                state=_rfi_state(deal, deal.pk in handed),
                expected_rfq=deal.expected_close_date,
                horizon=horizon_of(deal.expected_close_date, as_of),
                rom_sent_on=rom.submitted_on if rom else None,
                rom_amount=rom.amount if rom else None,
                rom_currency=rom.currency if rom else "",
                roms_sent=count.get(deal.pk, 0),
                value=deal.value,
                currency=deal.currency,
                value_in_base=convert(deal.value, deal.currency),
                sales_deal=handed.get(deal.pk, ""),
                owner=_name(deal.owner),
            )
        )
    return RfisSection(lines=result, roms_sent_in_period=len(in_period))


# 3. Firm offers


def sales_pipelines() -> list[Pipeline]:
    return [pipeline for pipeline, creates_contracts, _holds in pipeline_settings() if creates_contracts]


def proposal_stages(stages: list[Stage]) -> tuple[list[Stage], bool]:
    """The stages of one pipeline (in order) that hold firm offers, and whether the fallback chose them."""
    for index, stage in enumerate(stages):
        if stage.name.strip().casefold() == PROPOSAL_STAGE.casefold():
            return stages[index:], False
    return stages[-PROPOSAL_STAGES_FALLBACK:], True


def _offer_line(deal: Deal, window: _Window, convert: BaseConverter) -> OfferLine:
    return OfferLine(
        deal_id=deal.pk,
        title=deal.title,
        customer=_name(deal.organization),
        stage=deal.stage.name,
        probability=deal.stage.probability,
        status=deal.status,
        value=deal.value,
        currency=deal.currency,
        value_in_base=convert(deal.value, deal.currency),
        expected_close=deal.expected_close_date,
        closed_on=None if deal.status == DealStatus.OPEN else _closed_on(deal, window),
        lost_reason=_name(deal.lost_reason),
        owner=_name(deal.owner),
    )


def collect_offers(
    visible: QuerySet[Deal], *, sales: list[Pipeline], window: _Window, convert: BaseConverter
) -> OffersSection:
    by_pipeline: dict[int, list[Stage]] = defaultdict(list)
    for stage in Stage.objects.filter(pipeline__in=sales).order_by("position", "id"):
        by_pipeline[stage.pipeline_id].append(stage)
    counted: list[Stage] = []
    rule, fallback = PROPOSAL_STAGE, False
    several = len(sales) > 1
    for pipeline in sales:
        stages, by_fallback = proposal_stages(by_pipeline.get(pipeline.pk, []))
        counted += stages
        if stages and pipeline.pk == sales[0].pk:
            rule, fallback = stages[0].name, by_fallback
    related = ("stage", "organization", "owner", "lost_reason")
    open_deals = list(
        visible.filter(status=DealStatus.OPEN, stage__in=counted)
        .select_related(*related)
        .order_by(F("expected_close_date").asc(nulls_last=True), "-value", "pk")
    )
    names = {p.pk: p.name for p in sales}
    groups = []
    for stage in counted:
        lines = [_offer_line(d, window, convert) for d in open_deals if d.stage_id == stage.pk]
        label = f"{names[stage.pipeline_id]}: {stage.name}" if several else stage.name
        groups.append(StageGroup(stage=label, probability=stage.probability, lines=lines))
    closed = [
        _offer_line(d, window, convert)
        for d in visible.filter(pipeline__in=sales)
        .filter(window.closed_in())
        .select_related(*related)
        .order_by("pk")
    ]
    closed.sort(key=lambda line: (line.closed_on, line.deal_id))
    return OffersSection(
        stages=groups,
        won=[line for line in closed if line.status == DealStatus.WON],
        lost=[line for line in closed if line.status == DealStatus.LOST],
        stage_rule=rule,
        by_fallback=fallback,
    )


# 4. CCNs


def _ccn_number(deal: Deal) -> str:
    try:
        return format_ccn_number(deal.change_notice_number.sequence)
    except Deal.change_notice_number.RelatedObjectDoesNotExist:
        return ""


def collect_ccns(visible: QuerySet[Deal], *, window: _Window, convert: BaseConverter) -> CcnsSection:
    contracts = list(
        Contract.objects.filter(status=ContractStatus.ACTIVE, deal__in=visible.values("pk"))
        .select_related("deal", "customer")
        .order_by("signed_on", "id")
    )
    notices: dict[int, list[Deal]] = defaultdict(list)
    for deal in (
        visible.filter(parent_contract_id__in=[c.deal_id for c in contracts])
        .select_related("stage", "change_notice_number")
        .order_by("change_notice_number__sequence", "created_at", "pk")
    ):
        notices[deal.parent_contract_id].append(deal)
    blocks = []
    for contract in contracts:
        lines = [
            CcnLine(
                deal_id=d.pk,
                number=_ccn_number(d),
                title=d.title,
                stage=d.stage.name,
                status=d.status,
                value=d.value,
                currency=d.currency,
                value_in_base=convert(d.value, d.currency),
                expected_close=d.expected_close_date,
                closed_on=None if d.status == DealStatus.OPEN else _closed_on(d, window),
            )
            for d in notices.get(contract.deal_id, [])
        ]
        # Numbered ones first, by number; those still waiting for a number after them.
        lines.sort(key=lambda line: (line.number == "", line.number))
        blocks.append(
            ContractBlock(
                contract_id=contract.pk,
                number=contract.number,
                title=contract.deal.title,
                customer=_name(contract.customer),
                signed_on=contract.signed_on,
                value=contract.value,
                currency=contract.currency,
                value_in_base=convert(contract.value, contract.currency),
                change_notices=lines,
            )
        )
    return CcnsSection(contracts=blocks)


# The pack ----------------------------------------------------------------------------------------


def collect_pack(period: Period, *, user: User | None, language: str, today: date | None = None) -> BoardPack:
    """The four sections for `period` as `user` sees them (None: every deal). A fixed number of queries."""
    zone = _zone(user)
    now = timezone.localtime(timezone.now(), zone)
    today = today or now.date()
    as_of = min(period.end, today)
    reader = _reader(user)
    visible = deals_visible_to(reader)
    window = _Window(period, zone)
    convert = BaseConverter(as_of)
    sales = sales_pipelines()
    return BoardPack(
        period=period,
        language=language,
        as_of=as_of,
        generated_at=now,
        base_currency=convert.base,
        reader=_name(user),
        missions=collect_missions(reader, as_of=as_of),
        rfis=collect_rfis(visible, sales=sales, window=window, as_of=as_of, convert=convert),
        offers=collect_offers(visible, sales=sales, window=window, convert=convert),
        ccns=collect_ccns(visible, window=window, convert=convert),
    )


def build_pack(
    period: Period | str, *, user: User | None, language: str, today: date | None = None
) -> BoardPack:
    """The board pack for `period` (a Period or its text, e.g. "2026-Q4") in `language` ("en", "fr").

    The deck and the workbook built from it (build_deck, build_workbook) speak the same language.
    Raises ValueError for a period or a language that cannot be read.
    """
    if isinstance(period, str):
        period = parse_period(period)
    codes = [code for code, _name in settings.LANGUAGES]
    if language not in codes:
        raise ValueError(f"Unknown language {language!r}: use one of {', '.join(codes)}.")
    with translation.override(language):
        return collect_pack(period, user=user, language=language, today=today)
