"""The board pack as a 16:9 PowerPoint deck (python-pptx): build_deck(pack) -> bytes.

A title slide, a summary slide, then per section a slide with its chart (or a sentence
when there is nothing to draw) beside its key figures, and its table on as many slides
as it needs: a table never runs off a slide, it continues on the next one, header
repeated. Text is shortened to its column's width so that rows keep their height; the
workbook has every word. Everything is written in the pack's language.
"""

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import override
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.util import Emu, Inches, Pt

from apogee.core.money import format_money

from . import charts
from .deck_tables import (
    DATA,
    GROUP,
    TOTAL,
    Row,
    TableSpec,
    ccns_table,
    closed_offers_table,
    missions_table,
    open_offers_table,
    rfis_table,
)
from .pack import BoardPack
from .summary import (
    CCNS,
    MISSIONS,
    OFFERS,
    RFIS,
    SECTIONS,
    KeyFigure,
    key_figures,
    offers_rule,
    period_dates,
    printable,
    reader_line,
    section_title,
)

WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.5)
CONTENT_TOP = Inches(1.3)
CONTENT_WIDTH = WIDTH - 2 * MARGIN
CHART_WIDTH = Inches(8.4)  # charts.SIZE, so the picture is not rescaled
HEADER_HEIGHT = Inches(0.5)  # two lines: headers such as "Expected RFQ" may wrap
ROW_HEIGHT = Inches(0.33)
# The header and this many rows fit between the title and the footnote (1.3 + 0.5 + 14 × 0.33 < 6.8 in).
ROWS_PER_SLIDE = 14
FONT_SIZE = Pt(10)
SUMMARY_FONT_SIZE = Pt(13)
# Characters of 10 pt text per inch, measured on the widest likely font (DejaVu Sans, which
# LibreOffice uses when Calibri is missing), so that text is shortened before it could wrap.
CHARS_PER_INCH = 12.5
BOLD_WIDTH = 1.1
CELL_MARGIN = Inches(0.06)

INK = RGBColor(0x1D, 0x23, 0x30)
MUTED = RGBColor(0x66, 0x70, 0x85)
ACCENT = RGBColor(0x24, 0x54, 0xD6)
WHITE = RGBColor(0xFF, 0xFF, 0xFF)
GROUP_FILL = RGBColor(0xE8, 0xEE, 0xFC)
TOTAL_FILL = RGBColor(0xE3, 0xE6, 0xEC)
PANEL_FILL = RGBColor(0xF5, 0xF6, 0xF8)

TITLE_LAYOUT, TITLE_ONLY_LAYOUT = 0, 5


# Formatting ---------------------------------------------------------------------------------------


def shorten(text: str, inches: float, size: Pt = FONT_SIZE, *, bold: bool = False) -> str:
    text = " ".join(printable(text).split())
    per_inch = CHARS_PER_INCH * FONT_SIZE / size / (BOLD_WIDTH if bold else 1)
    limit = max(4, int((inches - 2 * CELL_MARGIN / Inches(1)) * per_inch))
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# Slides -------------------------------------------------------------------------------------------


def _style(run, *, size: Pt, bold: bool = False, colour: RGBColor = INK) -> None:
    run.font.size = size
    run.font.bold = bold
    run.font.color.rgb = colour


def _titled_slide(presentation, title: str):
    slide = presentation.slides.add_slide(presentation.slide_layouts[TITLE_ONLY_LAYOUT])
    shape = slide.shapes.title
    # The default template's layouts are 4:3: the title is placed and sized for 16:9 here.
    shape.left, shape.top, shape.width, shape.height = MARGIN, Inches(0.35), CONTENT_WIDTH, Inches(0.8)
    frame = shape.text_frame
    frame.text = printable(title)
    frame.vertical_anchor = MSO_ANCHOR.MIDDLE
    paragraph = frame.paragraphs[0]
    paragraph.alignment = PP_ALIGN.LEFT
    _style(paragraph.runs[0], size=Pt(26), bold=True)
    return slide


def _text(slide, left, top, width, height, lines: Sequence[tuple[str, Pt, bool, RGBColor]], *, fill=None):
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE  # the panel keeps its size, whatever its text
    if fill is not None:
        box.fill.solid()
        box.fill.fore_color.rgb = fill
        for side in ("margin_left", "margin_right", "margin_top", "margin_bottom"):
            setattr(frame, side, Inches(0.15))
    for index, (text, size, bold, colour) in enumerate(lines):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        run = paragraph.add_run()
        run.text = printable(text)
        _style(run, size=size, bold=bold, colour=colour)
    return box


def _footnote(slide, text: str) -> None:
    if text:
        _text(slide, MARGIN, Inches(6.85), CONTENT_WIDTH, Inches(0.4), [(text, Pt(10), False, MUTED)])


def _figure_lines(figures: list[KeyFigure], base: str) -> list[tuple[str, Pt, bool, RGBColor]]:
    lines = []
    for figure in figures:
        value = format_money(figure.value, base) if figure.money else str(figure.value)
        lines.append((figure.label, Pt(11), False, MUTED))
        lines.append((value, Pt(18), True, INK))
    return lines


def _title_slide(presentation, pack: BoardPack) -> None:
    slide = presentation.slides.add_slide(presentation.slide_layouts[TITLE_LAYOUT])
    title, subtitle = slide.placeholders[0], slide.placeholders[1]
    title.left, title.top, title.width, title.height = MARGIN, Inches(2.0), CONTENT_WIDTH, Inches(1.4)
    title.text_frame.text = _("Board report %(period)s") % {"period": pack.period.label}
    _style(title.text_frame.paragraphs[0].runs[0], size=Pt(40), bold=True)
    title.text_frame.paragraphs[0].alignment = PP_ALIGN.LEFT
    subtitle.left, subtitle.top, subtitle.width, subtitle.height = (
        MARGIN,
        Inches(3.6),
        CONTENT_WIDTH,
        Inches(2.2),
    )
    lines = [
        period_dates(pack),
        _("Open deals as of %(date)s; amounts in %(currency)s at the rates of that day")
        % {"date": date_format(pack.as_of, "DATE_FORMAT"), "currency": pack.base_currency},
        _("Generated on %(date)s · %(reader)s")
        % {"date": date_format(pack.generated_at, "DATETIME_FORMAT"), "reader": reader_line(pack)},
    ]
    frame = subtitle.text_frame
    for index, text in enumerate(lines):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.alignment = PP_ALIGN.LEFT
        run = paragraph.add_run()
        run.text = printable(text)
        _style(run, size=Pt(22 if index == 0 else 14), colour=INK if index == 0 else MUTED)


def _summary_slide(presentation, pack: BoardPack, figures: dict[str, list[KeyFigure]]) -> None:
    slide = _titled_slide(presentation, _("Summary"))
    gap = Inches(0.3)
    width, height = (CONTENT_WIDTH - gap) // 2, Inches(2.6)
    line = Inches(0.34)
    for index, section in enumerate(SECTIONS):
        left = MARGIN + (index % 2) * (width + gap)
        top = CONTENT_TOP + (index // 2) * (height + Inches(0.25))
        _text(
            slide, left, top, width, height, [(section_title(section), Pt(15), True, ACCENT)], fill=PANEL_FILL
        )
        rows = figures[section][:6]
        inner = width - Inches(0.3)
        table = slide.shapes.add_table(
            len(rows), 2, left + Inches(0.15), top + Inches(0.55), inner, line * len(rows)
        ).table
        table.first_row = False
        table.horz_banding = False
        table.columns[0].width = int(inner * 0.64)
        table.columns[1].width = inner - int(inner * 0.64)
        for r, figure in enumerate(rows):
            table.rows[r].height = line
            value = format_money(figure.value, pack.base_currency) if figure.money else str(figure.value)
            for c, (text, numeric, bold) in enumerate(((figure.label, False, False), (value, True, True))):
                cell = table.cell(r, c)
                _fill(cell, PANEL_FILL)
                share = 0.64 if c == 0 else 0.36
                _write(
                    cell,
                    shorten(text, inner * share / Inches(1), SUMMARY_FONT_SIZE, bold=bold),
                    numeric=numeric,
                    bold=bold,
                    size=SUMMARY_FONT_SIZE,
                )


def _chart_slide(presentation, pack: BoardPack, section: str, png: bytes | None, empty: str, note: str):
    slide = _titled_slide(presentation, section_title(section))
    if png is None:
        _text(slide, MARGIN, Inches(3.0), CHART_WIDTH, Inches(1.0), [(empty, Pt(18), False, MUTED)])
    else:
        slide.shapes.add_picture(io.BytesIO(png), MARGIN, CONTENT_TOP, width=CHART_WIDTH)
    panel_left = MARGIN + CHART_WIDTH + Inches(0.3)
    _text(
        slide,
        panel_left,
        CONTENT_TOP,
        WIDTH - panel_left - MARGIN,
        Inches(5.0),
        _figure_lines(key_figures(pack)[section], pack.base_currency),
        fill=PANEL_FILL,
    )
    _footnote(slide, note)


def _cut(rows: list[Row], size: int) -> list[list[Row]]:
    pages: list[list[Row]] = []
    current: list[Row] = []
    for row in rows:
        if len(current) >= size:
            # A group heading never ends a slide away from its rows.
            carried = [current.pop()] if current[-1].kind == GROUP and len(current) > 1 else []
            pages.append(current)
            current = carried
        current.append(row)
    if current or not pages:
        pages.append(current)
    return pages


def _pages(rows: list[Row]) -> list[list[Row]]:
    """Rows cut into as few slides as fit, filled evenly: no slide left with the total alone."""
    count = -(-len(rows) // ROWS_PER_SLIDE) or 1
    pages = _cut(rows, -(-len(rows) // count))
    if len(pages) > count or any(len(page) > ROWS_PER_SLIDE for page in pages):
        pages = _cut(rows, ROWS_PER_SLIDE)
    return pages


def _fill(cell, colour: RGBColor) -> None:
    cell.fill.solid()
    cell.fill.fore_color.rgb = colour


def _write(
    cell,
    text: str,
    *,
    numeric: bool,
    bold: bool = False,
    colour: RGBColor = INK,
    wrap: bool = False,
    size: Pt = FONT_SIZE,
) -> None:
    cell.margin_left = cell.margin_right = CELL_MARGIN
    cell.margin_top = cell.margin_bottom = Inches(0.03)
    cell.vertical_anchor = MSO_ANCHOR.MIDDLE
    frame = cell.text_frame
    frame.word_wrap = wrap
    frame.text = text
    paragraph = frame.paragraphs[0]
    paragraph.alignment = PP_ALIGN.RIGHT if numeric else PP_ALIGN.LEFT
    for run in paragraph.runs:
        _style(run, size=size, bold=bold, colour=colour)


def _widths(spec: TableSpec) -> list[int]:
    """The columns' widths in EMU, stretched to fill the slide."""
    scale = CONTENT_WIDTH / Inches(sum(column.inches for column in spec.columns))
    return [int(Inches(column.inches) * scale) for column in spec.columns]


def _table_slides(presentation, spec: TableSpec) -> None:
    pages = _pages(spec.rows)
    widths = _widths(spec)
    for number, rows in enumerate(pages, start=1):
        title = spec.title if number == 1 else _("%(title)s (continued)") % {"title": spec.title}
        if len(pages) > 1:
            title = f"{title} · {number}/{len(pages)}"
        slide = _titled_slide(presentation, title)
        shape = slide.shapes.add_table(
            len(rows) + 1,
            len(spec.columns),
            MARGIN,
            CONTENT_TOP,
            CONTENT_WIDTH,
            HEADER_HEIGHT + ROW_HEIGHT * len(rows),
        )
        table = shape.table
        table.horz_banding = False
        for index, width in enumerate(widths):
            table.columns[index].width = Emu(width)
        table.rows[0].height = HEADER_HEIGHT
        for index in range(1, len(rows) + 1):
            table.rows[index].height = ROW_HEIGHT
        for index, column in enumerate(spec.columns):
            cell = table.cell(0, index)
            _fill(cell, ACCENT)
            _write(cell, column.header, numeric=column.numeric, bold=True, colour=WHITE, wrap=True)
        for r, row in enumerate(rows, start=1):
            fill = {DATA: WHITE, GROUP: GROUP_FILL, TOTAL: TOTAL_FILL}[row.kind]
            if row.span > 1:
                table.cell(r, 0).merge(table.cell(r, row.span - 1))
            for c, column in enumerate(spec.columns):
                cell = table.cell(r, c)
                _fill(cell, fill)
                if c and c < row.span:
                    continue  # covered by the merged label
                last = row.span if c == 0 else c + 1  # a merged label has the width of its columns
                inches = sum(widths[c:last]) / Inches(1)
                text = row.cells[c] if c < len(row.cells) else ""
                bold = row.kind != DATA
                _write(cell, shorten(text, inches, bold=bold), numeric=column.numeric, bold=bold)
        _footnote(slide, spec.footnote)


# The deck -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Section:
    key: str
    chart: Callable[[BoardPack], bytes | None]
    empty: Callable[[BoardPack], str]
    has_rows: Callable[[BoardPack], bool]
    tables: Callable[[BoardPack], list[TableSpec]]
    note: Callable[[BoardPack], str] = lambda pack: ""


def _sections() -> list[_Section]:
    return [
        _Section(
            MISSIONS,
            lambda p: charts.missions_chart(p.missions, p.base_currency),
            lambda p: (
                _("No mission is expected to be tendered from %(first)d to %(last)d.")
                % {"first": p.missions.first_year, "last": p.missions.last_year}
            ),
            lambda p: bool(p.missions.missions),
            lambda p: [missions_table(p)],
        ),
        _Section(
            RFIS,
            lambda p: charts.rfis_chart(p.rfis, p.base_currency),
            lambda p: _("No RFI is waiting for a tender."),
            lambda p: bool(p.rfis.lines),
            lambda p: [rfis_table(p)],
        ),
        _Section(
            OFFERS,
            lambda p: charts.offers_chart(p.offers, p.base_currency),
            lambda p: _("No firm offer is open, and none was won or lost in the period."),
            lambda p: bool(p.offers.open_lines or p.offers.won or p.offers.lost),
            lambda p: [
                *([open_offers_table(p)] if p.offers.open_lines else []),
                *([closed_offers_table(p)] if p.offers.won or p.offers.lost else []),
            ],
            offers_rule,
        ),
        _Section(
            CCNS,
            lambda p: charts.ccns_chart(p.ccns, p.base_currency),
            lambda p: _("No change notice is won or open on a running contract."),
            lambda p: bool(p.ccns.change_notices),
            lambda p: [ccns_table(p)],
        ),
    ]


def build_deck(pack: BoardPack) -> bytes:
    """The .pptx file of the pack, in the pack's language."""
    with override(pack.language):
        presentation = Presentation()
        presentation.slide_width, presentation.slide_height = WIDTH, HEIGHT
        properties = presentation.core_properties
        properties.title = _("Board report %(period)s") % {"period": pack.period.label}
        properties.author = "Apogee"
        properties.language = pack.language
        _title_slide(presentation, pack)
        _summary_slide(presentation, pack, key_figures(pack))
        for section in _sections():
            _chart_slide(
                presentation, pack, section.key, section.chart(pack), section.empty(pack), section.note(pack)
            )
            if section.has_rows(pack):
                for spec in section.tables(pack):
                    _table_slides(presentation, spec)
        buffer = io.BytesIO()
        presentation.save(buffer)
        return buffer.getvalue()
