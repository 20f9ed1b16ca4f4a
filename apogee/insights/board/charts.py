"""The board pack's charts: one PNG per section, drawn with matplotlib from the pack's dataclasses.

Each function returns PNG bytes, or None when the section has nothing to draw (the deck
then says so in a sentence). Labels are translated in the active language; the caller
activates the pack's language. Figures are built on matplotlib's object API with the Agg
canvas, never pyplot: no global figure state, so packs can be built side by side in threads.
"""

import io
import textwrap
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from .pack import CcnsSection, Horizon, MissionsSection, OffersSection, RfisSection

# The application's palette (apogee.css), so the deck looks like the pages.
ACCENT = "#2454d6"
ACCENT_LIGHT = "#9db4ee"
OK = "#1f8a4c"
DANGER = "#c4322b"
WARN = "#b86e00"
MUTED = "#667085"
INK = "#1d2330"
LINE = "#e3e6ec"
SERIES = [
    "#2454d6",
    "#1f8a4c",
    "#b86e00",
    "#7a3fb8",
    "#c4322b",
    "#0f8fa3",
    "#8a6d1f",
    "#d45a9a",
    "#4b5d7a",
    "#5aa02c",
    "#e0892e",
    "#3d7fd9",
]
# Sized for the left part of a 16:9 slide (see deck.CHART_*); 150 dpi stays sharp when projected.
SIZE = (8.4, 5.0)
DPI = 150
MAX_CONTRACTS = 12


def short_amount(value: Decimal | float) -> str:
    """1’250’000 → "1.3 M", 45’000 → "45 k", in the active language's number format."""
    number = Decimal(str(value))
    if abs(number) >= 1_000_000:
        scaled = (number / 1_000_000).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        return _("%(amount)s M") % {"amount": number_format(scaled, 1)}
    if abs(number) >= 1_000:
        scaled = (number / 1_000).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return _("%(amount)s k") % {"amount": number_format(scaled, 0)}
    return number_format(number.quantize(Decimal(1), rounding=ROUND_HALF_UP), 0)


def _figure() -> tuple[Figure, object]:
    figure = Figure(figsize=SIZE, dpi=DPI, layout="constrained")
    axes = figure.add_subplot()
    axes.spines[["top", "right"]].set_visible(False)
    axes.spines[["left", "bottom"]].set_color(MUTED)
    axes.tick_params(colors=INK, labelsize=10)
    axes.set_axisbelow(True)
    return figure, axes


def tick_amount(value: float) -> str:
    """An axis tick: as many decimals as the tick needs (0.25 M, 1.5 M, 2 M), never a rounded lie."""
    for divisor, unit in ((1_000_000, _("%(amount)s M")), (1_000, _("%(amount)s k"))):
        if abs(value) >= divisor:
            scaled = round(value / divisor, 2)
            decimals = next(d for d in (0, 1, 2) if round(scaled, d) == scaled)
            return unit % {"amount": number_format(scaled, decimals)}
    return number_format(round(value), 0)


def _money_axis(axes, base: str, *, horizontal: bool = False) -> None:
    formatter = FuncFormatter(lambda value, _position: tick_amount(value))
    axis = axes.xaxis if horizontal else axes.yaxis
    axis.set_major_formatter(formatter)
    axes.grid(axis="x" if horizontal else "y", color=LINE, linewidth=0.8)
    label = _("Value (%(currency)s)") % {"currency": base}
    if horizontal:
        axes.set_xlabel(label, color=MUTED, fontsize=10)
    else:
        axes.set_ylabel(label, color=MUTED, fontsize=10)


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    FigureCanvasAgg(figure).print_png(buffer)
    return buffer.getvalue()


def _wrap(text: str, width: int = 16) -> str:
    return "\n".join(textwrap.wrap(text, width=width, max_lines=3, placeholder="…")) or text


def mission_short_name(title: str) -> str:
    # Mission deals are named "CHIME — … opportunities": the mission is what the board recognises.
    return textwrap.shorten(title.split(" — ")[0], width=24, placeholder="…")


def _headroom(axes, tops: Sequence[float]) -> None:
    highest = max(tops, default=0)
    if highest > 0:
        axes.set_ylim(0, highest * 1.18)


def missions_chart(section: MissionsSection, base: str) -> bytes | None:
    """Stacked bars per expected tender year, one segment per mission: its linked deals' value.

    When no mission has a linked deal yet, the bars count the missions instead (a chart of
    zeros would say nothing).
    """
    if not section.missions:
        return None
    by_count = section.linked_value == 0
    figure, axes = _figure()
    labels = [str(y.year) if y.year is not None else _wrap(_("Year not set"), 10) for y in section.years]
    positions = range(len(section.years))
    colours = {m.deal_id: SERIES[i % len(SERIES)] for i, m in enumerate(section.missions)}
    tops = []
    unlabelled = []
    highest = max((len(y.missions) if by_count else float(y.linked_value) for y in section.years), default=0)
    for x, year in zip(positions, section.years, strict=True):
        bottom = 0.0
        for mission in year.missions:
            height = 1.0 if by_count else float(mission.linked_value)
            if height <= 0:
                continue
            axes.bar(x, height, bottom=bottom, width=0.62, color=colours[mission.deal_id], edgecolor="white")
            if highest and height / highest >= 0.07:
                axes.text(
                    x,
                    bottom + height / 2,
                    mission_short_name(mission.title),
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white",
                    clip_on=True,
                )
            else:
                unlabelled.append(mission)
            bottom += height
        tops.append(bottom)
        count = ngettext("%(count)d mission", "%(count)d missions", len(year.missions)) % {
            "count": len(year.missions)
        }
        if year.missions:
            caption = count if by_count else f"{short_amount(year.linked_value)}\n{count}"
            axes.text(x, bottom, caption, ha="center", va="bottom", fontsize=9, color=INK)
    axes.set_xticks(list(positions), labels)
    axes.set_xlabel(_("Expected tender year"), color=MUTED, fontsize=10)
    if by_count:
        axes.set_ylabel(_("Missions (none has a linked deal yet)"), color=MUTED, fontsize=10)
        axes.yaxis.get_major_locator().set_params(integer=True)
        axes.grid(axis="y", color=LINE, linewidth=0.8)
    else:
        _money_axis(axes, base)
        axes.set_title(_("Value of the deals linked to each mission"), fontsize=11, color=INK, loc="left")
    _headroom(axes, tops)
    if unlabelled:
        handles = [Patch(color=colours[m.deal_id], label=mission_short_name(m.title)) for m in unlabelled]
        axes.legend(handles=handles, fontsize=8, frameon=False, loc="upper left", ncols=2)
    return _png(figure)


def horizon_label(horizon: str) -> str:
    return {
        Horizon.PASSED: _("Date passed"),
        Horizon.WITHIN_1_YEAR: _("Within 12 months"),
        Horizon.WITHIN_2_YEARS: _("In 12 to 24 months"),
        Horizon.LATER: _("Later"),
        Horizon.UNKNOWN: _("No date"),
    }[horizon]


def rfis_chart(section: RfisSection, base: str) -> bytes | None:
    """Potential value of the RFIs still waiting for a tender, by when the RFQ is expected."""
    if not section.potential or section.potential_value == 0:
        return None
    figure, axes = _figure()
    values = section.potential_by_horizon()
    counts = {h: 0 for h in Horizon.ORDER}
    for line in section.potential:
        counts[line.horizon] += 1
    horizons = [h for h in Horizon.ORDER if counts[h] or h != Horizon.PASSED]
    positions = list(range(len(horizons)))
    with_rom = [float(values[h][0]) for h in horizons]
    without = [float(values[h][1]) for h in horizons]
    axes.bar(positions, with_rom, width=0.6, color=ACCENT, label=_("ROM sent"))
    axes.bar(positions, without, width=0.6, bottom=with_rom, color=ACCENT_LIGHT, label=_("No ROM sent yet"))
    tops = [a + b for a, b in zip(with_rom, without, strict=True)]
    for x, horizon, top in zip(positions, horizons, tops, strict=True):
        if counts[horizon]:
            rfis = ngettext("%(count)d RFI", "%(count)d RFIs", counts[horizon]) % {"count": counts[horizon]}
            axes.text(x, top, f"{short_amount(top)}\n{rfis}", ha="center", va="bottom", fontsize=9, color=INK)
    axes.set_xticks(positions, [_wrap(horizon_label(h), 14) for h in horizons])
    axes.set_xlabel(_("Expected RFQ"), color=MUTED, fontsize=10)
    _money_axis(axes, base)
    _headroom(axes, tops)
    axes.legend(fontsize=9, frameon=False, loc="upper right")
    return _png(figure)


def offers_chart(section: OffersSection, base: str) -> bytes | None:
    """Open firm offers by stage, then what was won and lost in the period."""
    if not section.open_lines and not section.won and not section.lost:
        return None
    figure, axes = _figure()
    bars = [(g.stage, g.value, len(g.lines), ACCENT) for g in section.stages]
    bars.append((_("Won in the period"), section.won_value, len(section.won), OK))
    bars.append((_("Lost in the period"), section.lost_value, len(section.lost), DANGER))
    positions = list(range(len(bars)))
    heights = [float(value) for _label, value, _count, _colour in bars]
    axes.bar(positions, heights, width=0.6, color=[colour for *_rest, colour in bars])
    for x, (_label, value, count, _colour) in zip(positions, bars, strict=True):
        deals = ngettext("%(count)d deal", "%(count)d deals", count) % {"count": count}
        caption = f"{short_amount(value)}\n{deals}" if count else deals
        axes.text(x, float(value), caption, ha="center", va="bottom", fontsize=9, color=INK)
    axes.set_xticks(positions, [_wrap(label, 14) for label, *_rest in bars])
    # A separator between the open stages and the period's outcomes.
    axes.axvline(len(section.stages) - 0.5, color=MUTED, linewidth=0.8, linestyle=":")
    _money_axis(axes, base)
    _headroom(axes, heights)
    return _png(figure)


def contract_label(number: str, customer: str) -> str:
    return f"{number}\n{textwrap.shorten(customer, width=24, placeholder='…')}" if customer else number


def ccns_chart(section: CcnsSection, base: str) -> bytes | None:
    """Per running contract with change notices: the value of the won ones and of the open ones.

    Horizontal bars, so negative change notices extend left of the zero line.
    """
    # A contract whose change notices were all lost has nothing to draw.
    contracts = [c for c in section.with_change_notices if c.won_value or c.open_value]
    if not contracts:
        return None
    # The contracts whose change notices weigh most, when there are too many to read.
    contracts = sorted(contracts, key=lambda c: -(abs(c.won_value) + abs(c.open_value)))[:MAX_CONTRACTS]
    contracts.reverse()  # the biggest at the top of a horizontal chart
    figure, axes = _figure()
    positions = list(range(len(contracts)))
    won = [float(c.won_value) for c in contracts]
    pending = [float(c.open_value) for c in contracts]
    height = 0.38
    axes.barh([p + height / 2 for p in positions], won, height=height, color=OK, label=_("Won"))
    axes.barh([p - height / 2 for p in positions], pending, height=height, color=WARN, label=_("Open"))
    axes.axvline(0, color=INK, linewidth=0.8)
    for p, w, o in zip(positions, won, pending, strict=True):
        for offset, value in ((height / 2, w), (-height / 2, o)):
            if value:
                axes.text(
                    value,
                    p + offset,
                    f" {short_amount(value)} ",
                    va="center",
                    ha="left" if value >= 0 else "right",
                    fontsize=8,
                    color=INK,
                )
    axes.set_yticks(positions, [contract_label(c.number, c.customer) for c in contracts], fontsize=9)
    _money_axis(axes, base, horizontal=True)
    left, right = axes.get_xlim()
    span = right - left
    axes.set_xlim(left - span * 0.08 if left < 0 else left, right + span * 0.12)
    axes.legend(fontsize=9, frameon=False, loc="lower right")
    return _png(figure)
