"""What survives in a note's HTML: basic formatting and safe links; no scripts, handlers, javascript: URLs."""

import pytest

from apogee.notes.sanitize import sanitize_note_html, visible_text


@pytest.mark.parametrize(
    ("_case", "given", "stored"),
    [
        ("a script tag, with its content", "<p>Hi<script>alert(1)</script></p>", "<p>Hi</p>"),
        ("an onerror attribute, with its image", '<p><img src="x" onerror="alert(1)">ok</p>', "<p>ok</p>"),
        (
            "a javascript: link",
            '<a href="javascript:alert(1)">click</a>',
            '<a rel="noopener noreferrer">click</a>',
        ),
        ("a relative link", '<a href="/admin/">x</a>', '<a rel="noopener noreferrer">x</a>'),
        (
            "an https link, its target and handlers dropped",
            '<a href="https://example.ch/a?b=1" target="_blank" onclick="x()">site</a>',
            '<a href="https://example.ch/a?b=1" rel="noopener noreferrer">site</a>',
        ),
        (
            "a mailto link",
            '<a href="mailto:anke@example.ch">mail</a>',
            '<a href="mailto:anke@example.ch" rel="noopener noreferrer">mail</a>',
        ),
        ("style and class attributes", '<p style="color:red" class="x">red</p>', "<p>red</p>"),
        ("a style element", "<style>p{}</style><p>x</p>", "<p>x</p>"),
        ("an iframe", '<iframe src="https://evil.example"></iframe><b>b</b>', "<b>b</b>"),
        ("a heading other than h3 and h4", "<h1>Big</h1>", "Big"),
        ("a comment", "<p>a<!-- secret --></p>", "<p>a</p>"),
    ],
)
def test_dangerous_markup_is_removed(_case, given, stored):
    assert sanitize_note_html(given) == stored


def test_allowed_formatting_is_kept_exactly():
    given = (
        "<h3>Title</h3><h4>Sub</h4><p><strong>s</strong> <b>b</b> <em>e</em> <i>i</i> <u>u</u><br></p>"
        "<ul><li>one</li></ul><ol><li>two</li></ol><blockquote>q</blockquote><pre><code>x = 1</code></pre>"
    )

    assert sanitize_note_html(given) == given


def test_plain_text_keeps_its_line_breaks_and_is_escaped():
    assert sanitize_note_html("Called Anke.\r\nShe wants 5 > 3 & a quote.\n\nBye") == (
        "Called Anke.<br>She wants 5 &gt; 3 &amp; a quote.<br><br>Bye"
    )


def test_visible_text_of_markup_without_words_is_empty():
    assert visible_text(sanitize_note_html("<p> <br> </p><script>x</script>")) == ""


def test_line_breaks_next_to_inline_tags_become_br_but_not_between_blocks():
    assert sanitize_note_html("Called <b>Anke</b>.\nShe agrees.") == "Called <b>Anke</b>.<br>She agrees."
    assert sanitize_note_html("<p>one</p>\n<p>two</p>") == "<p>one</p>\n<p>two</p>"
