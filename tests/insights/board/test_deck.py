"""The deck, opened again with python-pptx: slides, titles, tables, pictures, in English and French."""

import io

from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.util import Inches

from apogee.insights.board.deck import ROWS_PER_SLIDE, build_deck

from .conftest import sales_deal

CHART_SLIDES = [
    "Missions identified for the coming years",
    "RFIs and ROMs: tenders to come",
    "Firm offers",
    "Change notices on running contracts",
]


def _open(pack):
    return Presentation(io.BytesIO(build_deck(pack)))


def _titles(deck):
    return [slide.shapes.title.text for slide in deck.slides]


def _slide(deck, title):
    return next(slide for slide in deck.slides if slide.shapes.title.text == title)


def _tables(slide):
    return [shape for shape in slide.shapes if shape.has_table]


def _rows(slide):
    (shape,) = _tables(slide)
    return [[cell.text for cell in row.cells] for row in shape.table.rows]


def _pictures(slide):
    return [shape for shape in slide.shapes if shape.shape_type == MSO_SHAPE_TYPE.PICTURE]


def _texts(slide):
    return " ".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)


def test_a_title_slide_a_summary_then_per_section_a_chart_and_its_table(board, salesperson, pack_of):
    deck = _open(pack_of(salesperson))

    assert (deck.slide_width, deck.slide_height) == (Inches(13.333), Inches(7.5))
    assert _titles(deck) == [
        "Board report 2026-Q4",
        "Summary",
        "Missions identified for the coming years",
        "Missions identified for the coming years",
        "RFIs and ROMs: tenders to come",
        "RFIs and ROMs: tenders to come",
        "Firm offers",
        "Firm offers in preparation, at the customer, in negotiation",
        "Firm offers won and lost in the period",
        "Change notices on running contracts",
        "Change notices on running contracts",
    ]
    charts = [slide for slide in deck.slides if _pictures(slide)]
    assert [slide.shapes.title.text for slide in charts] == CHART_SLIDES
    assert all(_pictures(slide)[0].image.content_type == "image/png" for slide in charts)
    assert "1 October 2026 to 31 December 2026" in _texts(deck.slides[0])
    assert "Deals visible to Salesperson Test" in _texts(deck.slides[0])


def test_the_tables_hold_the_rows_and_totals(board, salesperson, pack_of):
    deck = _open(pack_of(salesperson))
    tables = [slide for slide in deck.slides if _tables(slide) and slide.shapes.title.text != "Summary"]
    missions, rfis, offers, closed, ccns = (_rows(slide) for slide in tables)

    assert missions[1][0] == "Tender 2027 · 1 mission"
    assert missions[2] == [
        "CHIME — hinge opportunities",
        "Copernicus Expansion",
        "B2",
        "80 %",
        "2030",
        "1 / 0",
        "100’000",
        "8’000",
    ]
    assert missions[-1][0] == "Total"
    assert rfis[1] == [
        "RFI CO2M drive",
        "",
        "ROM at customer",
        "Waiting for a tender",
        "30.06.2027",
        "05.10.2026",
        "EUR 200’000",
        "186’000",
    ]
    assert [row[0] for row in offers] == [
        "Deal",
        "Proposal preparation · 1 deal",
        "Hinge for CO2M",
        "Proposal at customer · 1 deal",
        "Baffle for CIMR",
        "Selected / negotiation · 0 deals",
        "Total",
    ]
    assert offers[2] == [
        "Hinge for CO2M",
        "",
        "CHF 300’000",
        "300’000",
        "50 %",
        "150’000",
        "",
        "Salesperson Test",
    ]
    assert offers[-1] == ["Total", "", "", "393’000", "", "205’800", "", ""]
    assert closed[1][0] == "Won in the period · 1 deal"
    assert closed[2][:5] == ["Drive for LSTM", "", "CHF 70’000", "70’000", "10.10.2026"]
    assert ccns[1][0] == "C-2026-001 · Drive for LSTM"
    assert ccns[2] == ["CCN-01", "CCN: descoped unit", "Request", "Open", "EUR -5’000", "", "-4’650", ""]
    assert ccns[-1] == ["Total", "", "", "", "", "0", "-4’650", ""]


def test_a_long_table_continues_on_the_next_slides_and_never_runs_off_one(
    sales_pipeline, salesperson, pack_of
):
    titles = [f"Offer {n:02d}" for n in range(30)]
    for title in titles:
        sales_deal(sales_pipeline, salesperson, "Proposal preparation", title=title, value=1000)

    deck = _open(pack_of(salesperson))
    heading = "Firm offers in preparation, at the customer, in negotiation"
    slides = [s for s in deck.slides if s.shapes.title.text.startswith(heading)]

    assert [s.shapes.title.text for s in slides] == [
        f"{heading} · 1/3",
        f"{heading} (continued) · 2/3",
        f"{heading} (continued) · 3/3",
    ]
    pages = [_rows(s) for s in slides]
    assert all(page[0] == pages[0][0] for page in pages)  # the header, on every slide
    assert all(len(page) <= ROWS_PER_SLIDE + 1 for page in pages)
    assert sorted(row[0] for page in pages for row in page[1:] if row[0].startswith("Offer")) == titles
    assert pages[-1][-1][:4] == ["Total", "", "", "30’000"]
    for slide in slides:
        (table,) = _tables(slide)
        assert table.top + table.height <= Inches(6.85)  # above the footnote, inside the slide


def test_text_is_shortened_to_its_column_and_control_characters_dropped(sales_pipeline, salesperson, pack_of):
    long_title = "Hold-down and release mechanism " * 6
    sales_deal(sales_pipeline, salesperson, "Proposal preparation", title=long_title.strip())
    sales_deal(sales_pipeline, salesperson, "Proposal preparation", title="Hinge\x0bset")

    offers = _rows(
        _slide(_open(pack_of(salesperson)), "Firm offers in preparation, at the customer, in negotiation")
    )
    cells = [row[0] for row in offers]

    shortened = next(cell for cell in cells if cell.startswith("Hold-down"))
    assert shortened.endswith("…")
    assert len(shortened) < len(long_title) / 3
    assert "Hinge set" in cells


def test_an_empty_pack_says_so_instead_of_drawing_empty_charts(workspace, salesperson, pack_of):
    deck = _open(pack_of(salesperson))

    assert _titles(deck) == ["Board report 2026-Q4", "Summary", *CHART_SLIDES]
    assert not any(_pictures(slide) for slide in deck.slides)
    assert "No mission is expected to be tendered from 2026 to 2030." in _texts(deck.slides[2])
    assert "No firm offer is open, and none was won or lost in the period." in _texts(deck.slides[4])


def test_in_french_the_same_deck_is_written_in_the_french_locale(board, salesperson, pack_of):
    english, french = _open(pack_of(salesperson)), _open(pack_of(salesperson, language="fr"))

    assert (english.core_properties.language, french.core_properties.language) == ("en", "fr")
    # Month names come from Django's own French catalogue, whatever this app's strings say.
    assert "1 octobre 2026" in _texts(french.slides[0])
    assert "31 décembre 2026" in _texts(french.slides[0])
    assert len(french.slides) == len(english.slides)
    assert [len(_pictures(s)) for s in french.slides] == [len(_pictures(s)) for s in english.slides]
    assert _rows(french.slides[7])[2][2:4] == _rows(english.slides[7])[2][2:4] == ["CHF 300’000", "300’000"]
