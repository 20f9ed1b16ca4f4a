"""The one door HTML of notes passes through before it is stored: nh3 with a short allow-list.

Pure: no Django. Plain text (no tags) keeps its line breaks as <br>.
"""

import html
import re

import nh3

ALLOWED_TAGS = frozenset(
    {"p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "a", "blockquote", "code", "pre", "h3", "h4"}
)
ALLOWED_ATTRIBUTES = {"a": {"href"}}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
# Script and style are dropped with their content, not just unwrapped.
DROPPED_WITH_CONTENT = frozenset({"script", "style"})

_LOOKS_LIKE_HTML = re.compile(r"<\s*/?\s*[a-zA-Z!]")
# Markup that lays out its own lines: its line breaks are source formatting, not the writer's.
_BLOCK_MARKUP = re.compile(r"<\s*/?\s*(p|br|ul|ol|li|blockquote|pre|h[1-6]|div|table)\b", re.IGNORECASE)


def sanitize_note_html(text: str) -> str:
    """The HTML to store for `text`: sanitized HTML; plain text is escaped. Where the writer typed
    line breaks (plain text, or only inline tags such as <b>), each becomes a <br>."""
    text = (text or "").replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not _LOOKS_LIKE_HTML.search(text):
        text = html.escape(text, quote=False)
    if not _BLOCK_MARKUP.search(text):
        text = text.replace("\n", "<br>")
    return nh3.clean(
        text,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_URL_SCHEMES),
        url_relative="deny",
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()


def visible_text(sanitized_html: str) -> str:
    """The text a reader would see, to tell an empty note from a real one."""
    return html.unescape(nh3.clean(sanitized_html, tags=set())).replace("\xa0", " ").strip()
