"""Pure rules of uploaded files: names made safe for display and headers, kinds read from bytes."""

import io

import pytest

from apogee.offers.files import NotAllowed, clean_filename, sniff


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("offer.pdf", "offer.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\Offre é.docx", "Offre é.docx"),
        ("a\x00b.txt", "ab.txt"),
        ("..", "document"),
        ("", "document"),
        ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
    ],
)
def test_clean_filename(given, kept):
    assert clean_filename(given) == kept


def test_sniff_rewinds_the_stream():
    stream = io.BytesIO(b"%PDF-1.4 rest")
    assert sniff(stream, "a.pdf").key == "pdf"
    assert stream.tell() == 0


def test_sniff_refuses_a_known_extension_with_other_content():
    with pytest.raises(NotAllowed):
        sniff(io.BytesIO(b"\xff\xd8\xff\xe0"), "a.png")
