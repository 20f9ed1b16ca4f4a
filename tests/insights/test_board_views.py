"""The board pack from the Insights page: the downloads open again as a deck and a workbook."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pptx import Presentation

from apogee.deals.models import Visibility
from tests.deals.factories import make_deal, stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def offers(sales_pipeline, salesperson, other_salesperson):
    preparing = stage(sales_pipeline, "Proposal preparation")
    qualified = {"opportunity_type": "esa", "offer_type": "firm"}
    make_deal(
        pipeline=sales_pipeline,
        owner=salesperson,
        stage=preparing,
        custom_values=qualified,
        title="Visible drive",
    )
    make_deal(
        pipeline=sales_pipeline,
        owner=other_salesperson,
        stage=preparing,
        custom_values=qualified,
        title="Hidden hinge",
        visibility=Visibility.OWNER,
    )


def _deck_text(content: bytes) -> str:
    deck = Presentation(io.BytesIO(content))
    texts = []
    for slide in deck.slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                texts.append(shape.text_frame.text)
            if shape.has_table:
                texts += [cell.text for row in shape.table.rows for cell in row.cells]
    return "\n".join(texts)


def test_the_deck_downloads_with_the_readers_deals_only(client_for, offers, salesperson):
    response = client_for(salesperson).get(
        reverse("insights:board_pack"), {"period": "2026-Q4", "format": "pptx"}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="board-report-2026-Q4.pptx"'
    text = _deck_text(response.content)
    assert "Visible drive" in text
    assert "Hidden hinge" not in text


def test_the_workbook_downloads_as_real_tables(client_for, offers, salesperson):
    response = client_for(salesperson).get(
        reverse("insights:board_pack"), {"period": "2026", "format": "xlsx"}
    )
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    # Empty sections have no table; the firm offers have one.
    assert any(sheet.tables for sheet in workbook.worksheets)
    cells = [cell.value for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    assert "Visible drive" in cells
    assert "Hidden hinge" not in cells


def test_the_pack_follows_the_chosen_language(client_for, offers, salesperson):
    english = client_for(salesperson).get(
        reverse("insights:board_pack"), {"period": "2026-Q4", "language": "en"}
    )
    french = client_for(salesperson).get(
        reverse("insights:board_pack"), {"period": "2026-Q4", "language": "fr"}
    )
    assert "Firm offers" in _deck_text(english.content)
    assert "Firm offers" not in _deck_text(french.content)


@pytest.mark.parametrize(
    ("period", "fmt"), [("Q4", "pptx"), ("2026-13", "xlsx"), ("2026", "pdf"), ("", "pptx")]
)
def test_a_bad_period_or_format_comes_back_with_a_message(client_for, workspace, salesperson, period, fmt):
    response = client_for(salesperson).get(
        reverse("insights:board_pack"), {"period": period, "format": fmt}, follow=True
    )
    assert response.status_code == 200
    assert "Enter a period such as" in response.content.decode()
    assert response.redirect_chain[0][0].startswith(reverse("insights:index"))
