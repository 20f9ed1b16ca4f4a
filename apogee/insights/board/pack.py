"""The board pack's plain values: what each of its four sections holds, and the sums they make.

Pure (no Django, no database): collect.py fills them, the charts, the deck and the workbook
read them. Statuses are the deals' ("open", "won", "lost"), as in apogee.missions.rollup.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from apogee.core.money import CENT
from apogee.missions.rollup import LOST, OPEN, WON

from .period import Period

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class MissionLine:
    deal_id: int
    title: str
    stage: str
    programme: str
    agency: str
    phase: str  # a Phase code, "" when not set
    go_ahead: int  # percent
    tender_year: int | None
    launch_year: int | None
    open_count: int
    won_count: int
    linked_value: Decimal  # open and won deals of the mission, in the base currency
    expected_value: Decimal
    unconverted_count: int


@dataclass(frozen=True)
class MissionYear:
    year: int | None  # None: tender year not known yet
    missions: list[MissionLine]
    linked_value: Decimal
    expected_value: Decimal
    unconverted_count: int


@dataclass(frozen=True)
class MissionsSection:
    first_year: int
    last_year: int
    years: list[MissionYear]  # every year first..last, empty ones too, then the undated ones if any

    @property
    def missions(self) -> list[MissionLine]:
        return [m for y in self.years for m in y.missions]

    @property
    def linked_value(self) -> Decimal:
        return sum((y.linked_value for y in self.years), ZERO)

    @property
    def expected_value(self) -> Decimal:
        return sum((y.expected_value for y in self.years), ZERO)

    @property
    def unconverted_count(self) -> int:
        return sum(y.unconverted_count for y in self.years)


class RfiState:
    OPEN = "open"
    RFQ_EXPECTED = "rfq_expected"  # won without a Sales deal yet
    IN_SALES = "in_sales"  # a Sales deal was handed off from it
    STOPPED = "stopped"  # lost

    POTENTIAL = (OPEN, RFQ_EXPECTED)


class Horizon:
    """When the RFQ is expected, from the as-of date."""

    PASSED = "passed"
    WITHIN_1_YEAR = "within_1_year"
    WITHIN_2_YEARS = "within_2_years"
    LATER = "later"
    UNKNOWN = "unknown"

    ORDER = (PASSED, WITHIN_1_YEAR, WITHIN_2_YEARS, LATER, UNKNOWN)


@dataclass(frozen=True)
class RfiLine:
    deal_id: int
    title: str
    customer: str
    stage: str
    status: str  # open, won or lost
    state: str  # RfiState
    expected_rfq: date | None
    horizon: str  # Horizon
    rom_sent_on: date | None
    rom_amount: Decimal | None
    rom_currency: str
    roms_sent: int
    value: Decimal
    currency: str
    value_in_base: Decimal | None
    sales_deal: str  # title of the Sales deal handed off from it, "" when none
    owner: str

    @property
    def is_potential(self) -> bool:
        return self.state in RfiState.POTENTIAL

    @property
    def potential_in_base(self) -> Decimal | None:
        return self.value_in_base if self.is_potential else None


@dataclass(frozen=True)
class RfisSection:
    lines: list[RfiLine]
    roms_sent_in_period: int

    @property
    def potential(self) -> list[RfiLine]:
        return [line for line in self.lines if line.is_potential]

    @property
    def potential_value(self) -> Decimal:
        return sum((line.value_in_base for line in self.potential if line.value_in_base is not None), ZERO)

    @property
    def unconverted_count(self) -> int:
        return sum(1 for line in self.potential if line.value_in_base is None)

    def potential_by_horizon(self) -> dict[str, tuple[Decimal, Decimal]]:
        """Horizon → (value of RFIs with a ROM sent, value of those without), base currency."""
        result = {h: (ZERO, ZERO) for h in Horizon.ORDER}
        for line in self.potential:
            if line.value_in_base is None:
                continue
            with_rom, without = result[line.horizon]
            if line.rom_sent_on:
                result[line.horizon] = (with_rom + line.value_in_base, without)
            else:
                result[line.horizon] = (with_rom, without + line.value_in_base)
        return result


@dataclass(frozen=True)
class OfferLine:
    deal_id: int
    title: str
    customer: str
    stage: str
    probability: int
    status: str  # open, won or lost
    value: Decimal
    currency: str
    value_in_base: Decimal | None
    expected_close: date | None
    closed_on: date | None  # won or lost, in the reader's time zone
    lost_reason: str
    owner: str

    @property
    def weighted_in_base(self) -> Decimal | None:
        if self.value_in_base is None or self.status != OPEN:
            return None
        return (self.value_in_base * self.probability / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def _total(lines, attribute: str) -> Decimal:
    return sum((v for line in lines if (v := getattr(line, attribute)) is not None), ZERO)


def _missing(lines) -> int:
    return sum(1 for line in lines if line.value_in_base is None)


@dataclass(frozen=True)
class StageGroup:
    stage: str
    probability: int
    lines: list[OfferLine]

    @property
    def value(self) -> Decimal:
        return _total(self.lines, "value_in_base")

    @property
    def weighted_value(self) -> Decimal:
        return _total(self.lines, "weighted_in_base")

    @property
    def unconverted_count(self) -> int:
        return _missing(self.lines)


@dataclass(frozen=True)
class OffersSection:
    stages: list[StageGroup]  # every counted stage, in pipeline order, empty ones too
    won: list[OfferLine]
    lost: list[OfferLine]
    stage_rule: str  # the name of the first counted stage, as found in the pipeline
    by_fallback: bool  # no stage bears PROPOSAL_STAGE's name: the last stages were taken

    @property
    def open_lines(self) -> list[OfferLine]:
        return [line for group in self.stages for line in group.lines]

    @property
    def open_value(self) -> Decimal:
        return _total(self.open_lines, "value_in_base")

    @property
    def weighted_value(self) -> Decimal:
        return _total(self.open_lines, "weighted_in_base")

    @property
    def won_value(self) -> Decimal:
        return _total(self.won, "value_in_base")

    @property
    def lost_value(self) -> Decimal:
        return _total(self.lost, "value_in_base")

    @property
    def unconverted_count(self) -> int:
        return _missing(self.open_lines) + _missing(self.won) + _missing(self.lost)


@dataclass(frozen=True)
class CcnLine:
    deal_id: int
    number: str  # "CCN-03", "" while the contract has not numbered it
    title: str
    stage: str
    status: str  # open, won or lost
    value: Decimal  # may be negative: a CCN can take scope away
    currency: str
    value_in_base: Decimal | None
    expected_close: date | None
    closed_on: date | None


@dataclass(frozen=True)
class ContractBlock:
    contract_id: int
    number: str
    title: str
    customer: str
    signed_on: date
    value: Decimal
    currency: str
    value_in_base: Decimal | None
    change_notices: list[CcnLine]

    def _sum(self, status: str) -> Decimal:
        return _total([c for c in self.change_notices if c.status == status], "value_in_base")

    @property
    def won_value(self) -> Decimal:
        return self._sum(WON)

    @property
    def open_value(self) -> Decimal:
        return self._sum(OPEN)

    @property
    def current_value(self) -> Decimal | None:
        """The signed value plus the won change notices; None when the contract's own rate is missing."""
        return None if self.value_in_base is None else self.value_in_base + self.won_value

    @property
    def unconverted_count(self) -> int:
        counted = [c for c in self.change_notices if c.status != LOST]
        return _missing(counted) + (1 if self.value_in_base is None else 0)


@dataclass(frozen=True)
class CcnsSection:
    contracts: list[ContractBlock]  # every running contract the reader sees, oldest first

    @property
    def with_change_notices(self) -> list[ContractBlock]:
        return [c for c in self.contracts if c.change_notices]

    @property
    def change_notices(self) -> list[CcnLine]:
        return [n for c in self.contracts for n in c.change_notices]

    @property
    def won_value(self) -> Decimal:
        return sum((c.won_value for c in self.contracts), ZERO)

    @property
    def open_value(self) -> Decimal:
        return sum((c.open_value for c in self.contracts), ZERO)

    @property
    def unconverted_count(self) -> int:
        return sum(c.unconverted_count for c in self.contracts)


@dataclass(frozen=True)
class BoardPack:
    period: Period
    language: str
    as_of: date
    generated_at: datetime  # in the reader's time zone
    base_currency: str
    reader: str  # the reader's name, "" for every deal (command line without --user)
    missions: MissionsSection
    rfis: RfisSection
    offers: OffersSection
    ccns: CcnsSection

    def filename(self, extension: str) -> str:
        return f"board-report-{self.period.label}.{extension.lstrip('.')}"


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def horizon_of(expected: date | None, as_of: date) -> str:
    if expected is None:
        return Horizon.UNKNOWN
    if expected < as_of:
        return Horizon.PASSED
    if expected <= _add_years(as_of, 1):
        return Horizon.WITHIN_1_YEAR
    if expected <= _add_years(as_of, 2):
        return Horizon.WITHIN_2_YEARS
    return Horizon.LATER
