"""`apogee report board`: files written where asked, clear errors for what cannot be done."""

import io
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook
from pptx import Presentation

from apogee.deals.models import Visibility

from .conftest import sales_deal


def _report(*args):
    out = StringIO()
    call_command("report", *args, stdout=out)
    return out.getvalue().splitlines()


def _open_offers(path):
    """The deals of the open firm offers table, header and totals row left out."""
    sheet = load_workbook(path).worksheets[3]
    rows = list(sheet[sheet.tables["OpenOffers"].ref])[1:-1]
    return [row[1].value for row in rows]


def test_board_writes_the_deck_and_the_workbook_and_prints_their_paths(board, tmp_path):
    lines = _report("board", "--period", "2026-Q4", "--out", str(tmp_path / "packs"))

    deck = tmp_path / "packs" / "board-report-2026-Q4.pptx"
    workbook = tmp_path / "packs" / "board-report-2026-Q4.xlsx"
    assert lines == [str(deck), str(workbook)]
    assert Presentation(io.BytesIO(deck.read_bytes())).slides[0].shapes.title.text == "Board report 2026-Q4"
    assert _open_offers(workbook) == ["Hinge for CO2M", "Baffle for CIMR"]


def test_board_for_a_user_holds_only_what_they_see_and_speaks_the_language_asked(
    sales_pipeline, salesperson, other_salesperson, tmp_path
):
    sales_deal(sales_pipeline, salesperson, "Proposal preparation", title="mine")
    sales_deal(
        sales_pipeline, other_salesperson, "Proposal preparation", title="theirs", visibility=Visibility.OWNER
    )

    _report("board", "--period", "2026", "--user", "salesperson", "--language", "fr", "--out", str(tmp_path))
    mine = load_workbook(tmp_path / "board-report-2026.xlsx")
    _report("board", "--period", "2026", "--out", str(tmp_path / "all"))

    assert mine.properties.language == "fr"
    assert _open_offers(tmp_path / "board-report-2026.xlsx") == ["mine"]
    assert sorted(_open_offers(tmp_path / "all" / "board-report-2026.xlsx")) == ["mine", "theirs"]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["board", "--period", "2026-Q5"], "the quarter must be Q1, Q2, Q3 or Q4"),
        (["board", "--period", "next quarter"], "give a year (2026), a quarter (2026-Q4)"),
        (["board", "--period", "2026", "--user", "nobody"], "No active user is called “nobody”."),
        (["board", "--period", "2026", "--language", "de"], "invalid choice: 'de'"),
        ([], "the following arguments are required: REPORT"),
    ],
)
def test_what_cannot_be_done_is_refused_with_a_clear_message_and_no_file(workspace, tmp_path, args, says):
    with pytest.raises(CommandError) as refused:
        _report(*args, *(["--out", str(tmp_path)] if args else []))

    assert says in str(refused.value)
    assert list(tmp_path.iterdir()) == []


def test_an_output_path_that_is_a_file_is_refused(workspace, tmp_path):
    taken = tmp_path / "taken"
    taken.write_text("not a folder")

    with pytest.raises(CommandError, match="is a file, not a folder"):
        _report("board", "--period", "2026", "--out", str(taken))
